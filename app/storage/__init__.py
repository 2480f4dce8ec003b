"""File storage: a local folder by default, an S3-compatible bucket for scale.

Every backend stores bytes under a key, streams them back without holding a whole file in
memory, and hands out signed, expiring download URLs. Local URLs point at the app's own
``/files/<key>`` route (a token from ``app.signing``, checked by ``app.file_downloads``); S3
URLs are presigned by the bucket itself. No Flask import here: jobs and the CLI use storage
without a request.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.storage.base import (
    CHUNK_SIZE,
    MAX_KEY_LENGTH,
    Clock,
    DownloadDenied,
    InvalidKey,
    InvalidSignature,
    LinkExpired,
    MissingFile,
    Storage,
    StoredObject,
    UrlBuilder,
    key_belongs_to_shop,
    new_key,
    validate_key,
)
from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage, s3_from_config
from app.storage.urls import content_disposition, relative_url_builder

__all__ = [
    "CHUNK_SIZE",
    "MAX_KEY_LENGTH",
    "Clock",
    "DownloadDenied",
    "InvalidKey",
    "InvalidSignature",
    "LinkExpired",
    "LocalStorage",
    "MissingFile",
    "S3Storage",
    "Storage",
    "StoredObject",
    "UrlBuilder",
    "content_disposition",
    "key_belongs_to_shop",
    "new_key",
    "relative_url_builder",
    "storage_from_config",
    "validate_key",
]


def storage_from_config(
    config: Mapping[str, Any],
    url_builder: UrlBuilder | None = None,
    *,
    clock: Clock = time.time,
) -> Storage:
    """S3 when ``STORAGE_URL`` is ``s3://...``, otherwise the folder it names.

    Its default (the instance folder's ``files``) is declared once, in ``app.config``.
    """
    url = config["STORAGE_URL"]
    if not url:
        raise ValueError("STORAGE_URL is needed: an s3:// URL or a folder")
    url = str(url)
    if url.startswith("s3://"):
        return s3_from_config(config)
    secret = config["SECRET_KEY"]
    if not secret:
        raise ValueError("SECRET_KEY is needed to sign download links")
    return LocalStorage(Path(url), str(secret), url_builder, clock=clock)
