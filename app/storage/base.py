"""What every storage backend shares: the Protocol, errors, stored-object facts and key rules."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Protocol, runtime_checkable

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512  # stored_files.key is a String(512)

# (key, query params) -> URL of the app's download route for that key.
UrlBuilder = Callable[[str, dict[str, str]], str]
Clock = Callable[[], float]


class InvalidKey(ValueError):
    """A key that could escape the storage root or name nothing sensible."""


class MissingFile(FileNotFoundError):
    """No object is stored under the key."""


class DownloadDenied(Exception):
    """A download link that must not be honoured; ``code`` is the API error code."""

    code = "invalid_signature"


class InvalidSignature(DownloadDenied):
    code = "invalid_signature"


class LinkExpired(DownloadDenied):
    code = "link_expired"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str


@runtime_checkable
class Storage(Protocol):
    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject: ...
    def open(self, key: str) -> IO[bytes]: ...
    def iter_chunks(self, key: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def download_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str: ...
    def check(self) -> None: ...


# ---------------------------------------------------------------- keys

_SAFE_SEGMENT = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SAFE_EXT = re.compile(r"[a-z0-9]{1,10}")


def validate_key(key: str) -> str:
    """Return ``key`` if it is a plain relative path; raise InvalidKey otherwise.

    The same rules hold for every backend, so a key that works locally works on S3 and back.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"key must be 1 to {MAX_KEY_LENGTH} characters")
    if "\\" in key or "\x00" in key:
        raise InvalidKey("key must not contain backslashes or NUL")
    if key.startswith("/"):
        raise InvalidKey("key must be relative")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey("key must not contain empty, '.' or '..' segments")
    return key


def new_key(shop_id: int, kind: str, ext: str, *, now: datetime | None = None) -> str:
    """A fresh, unguessable key under the shop's prefix, so a file always names its owner."""
    if shop_id <= 0:
        raise InvalidKey("shop_id must be positive")
    if not _SAFE_SEGMENT.fullmatch(kind):
        raise InvalidKey(f"kind must match {_SAFE_SEGMENT.pattern}")
    ext = ext.lower().lstrip(".")
    if not _SAFE_EXT.fullmatch(ext):
        raise InvalidKey(f"extension must match {_SAFE_EXT.pattern}")
    when = now or datetime.now(UTC)
    return f"shops/{shop_id}/{kind}/{when:%Y}/{when:%m}/{secrets.token_urlsafe(16)}.{ext}"


def key_belongs_to_shop(key: str, shop_id: int) -> bool:
    """Whether ``key`` sits under ``shop_id``'s prefix (keys from new_key always do)."""
    return key.startswith(f"shops/{shop_id}/")
