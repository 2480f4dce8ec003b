"""Bytes into storage and a StoredFile row for them, in one step, for any of a shop's files;
and bytes out of storage once their row is gone, without ever losing track of them.

The row records what storage reported (size, sha256, content type), never what the caller
assumed, so a file is only ever described by what was actually written.

Deleting is two steps around a commit. In the transaction that deletes StoredFile rows,
``queue_byte_deletions`` records each key in ``storage_deletions``; after the commit,
``delete_pending_bytes`` removes the bytes and then those records. Bytes are never removed
while a row could still be rolled back into pointing at them, and a crash between the commit
and the storage call leaves a record that the next run finishes. Every key is unique to one
StoredFile row (identical content is shared by re-using the *row*, not by two rows naming one
key), and a key some row holds again is forgotten, never deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import FileKind, Shop, ShopScope, StorageDeletion, StoredFile
from app.storage import MissingFile, Storage, new_key

log = logging.getLogger(__name__)

DRAIN_BATCH = 500
_MAX_ERROR = 500


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


def queue_byte_deletions(session: Session, shop_id: int, files: Iterable[tuple[str, int]]) -> None:
    """Record (key, size) of StoredFile rows deleted in this transaction, for after its commit."""
    session.add_all(StorageDeletion(shop_id=shop_id, key=key, size=size) for key, size in files)
    session.flush()


@dataclass
class Drained:
    deleted: int = 0  # keys whose bytes are gone (or were already gone) and record removed
    failed: int = 0  # keys storage refused to delete just now: kept for the next run


def delete_pending_bytes(
    session: Session,
    storage: Storage,
    *,
    shop_id: int | None = None,
    keys: Sequence[str] | None = None,
    only_gone_shops: bool = False,
) -> Drained:
    """Delete the bytes of pending deletions, then their records, committing as it goes.

    Which ones: a shop's (``shop_id``), just ``keys``, those of shops that no longer exist
    (``only_gone_shops``: theirs would otherwise wait for a sweep that never comes), or all.
    A missing object counts as deleted. Any other storage error is recorded on the pending row
    (``attempts``, ``last_error``) and the row stays for the next run; it never stops the rest.
    """
    drained = Drained()
    after = 0
    while True:
        stmt = select(StorageDeletion).where(StorageDeletion.id > after)
        if shop_id is not None:
            stmt = stmt.where(StorageDeletion.shop_id == shop_id)
        if keys is not None:
            stmt = stmt.where(StorageDeletion.key.in_(list(keys)))
        if only_gone_shops:
            stmt = stmt.where(StorageDeletion.shop_id.not_in(select(Shop.id)))
        pending = list(session.scalars(stmt.order_by(StorageDeletion.id).limit(DRAIN_BATCH)))
        if not pending:
            return drained
        after = pending[-1].id
        _drain(session, storage, pending, drained)
        session.commit()


def _drain(
    session: Session, storage: Storage, pending: list[StorageDeletion], drained: Drained
) -> None:
    keys = [p.key for p in pending]
    held = set(session.scalars(select(StoredFile.key).where(StoredFile.key.in_(keys))))
    done: list[int] = []
    for item in pending:
        if item.key not in held:
            try:
                storage.delete(item.key)
            except MissingFile:
                pass
            except Exception as exc:
                item.attempts += 1
                item.last_error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
                drained.failed += 1
                log.warning(
                    "storage deletion failed",
                    extra={"shop_id": item.shop_id, "key": item.key, "error": item.last_error},
                )
                continue
        done.append(item.id)
    if done:
        session.execute(delete(StorageDeletion).where(StorageDeletion.id.in_(done)))
    drained.deleted += len(done)
