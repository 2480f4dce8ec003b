"""Bytes into storage and a StoredFile row for them, in one step, for any of a shop's files.

The row records what storage reported (size, sha256, content type), never what the caller
assumed, so a file is only ever described by what was actually written.
"""

from __future__ import annotations

from app.models import FileKind, ShopScope, StoredFile
from app.storage import Storage, new_key


def store_bytes(
    scope: ShopScope,
    storage: Storage,
    data: bytes,
    *,
    kind: FileKind,
    folder: str,
    extension: str,
    content_type: str,
    name: str | None = None,
) -> StoredFile:
    """Write ``data`` under ``shops/<id>/<folder>/…`` and add its row (flushed, so it has an id)."""
    key = new_key(scope.shop_id, folder, extension)
    written = storage.put(key, data, content_type)
    stored = scope.add(
        StoredFile(
            key=key,
            kind=kind,
            content_type=written.content_type,
            size=written.size,
            sha256=written.sha256,
            original_name=name,
        )
    )
    scope.session.flush()
    return stored
