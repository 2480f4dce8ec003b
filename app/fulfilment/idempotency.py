"""Idempotency keys for partner API writes: the same key and body get the same answer.

The answer is stored in the same transaction as the write it describes, so a retried request
after a lost response replays it instead of acting twice. The same key with a different body
is refused (422): the client has a bug, and guessing which request it meant would be worse.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.fulfilment.errors import Invalid
from app.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: dict[str, Any]


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.")
    return key


def replay(session: Session, partner_id: int, key: str, digest: str) -> Stored | None:
    """The stored answer for ``key``; Invalid if the key was used for another request."""
    row = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.partner_id == partner_id, IdempotencyRecord.key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise Invalid(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
        )
    return Stored(row.status_code, row.body)


def remember(
    session: Session, partner_id: int, key: str, digest: str, status_code: int, body: Any
) -> None:
    session.add(
        IdempotencyRecord(
            partner_id=partner_id,
            key=key,
            request_hash=digest,
            status_code=status_code,
            body=body,
        )
    )


def prune(session: Session) -> int:
    """Forget answers older than a week (run by the scheduler's housekeeping)."""
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
