"""Partner API keys: created (shown once), looked up by their public id, checked by hash."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto import api_key_id, api_key_matches, generate_api_key, hash_api_key
from app.db import utcnow
from app.models import Partner, PartnerApiKey, owned_row


def create_key(
    session: Session, partner_id: int, name: str, created_by_id: int | None
) -> tuple[PartnerApiKey, str]:
    """A new key row and the full key, which the caller shows once and forgets."""
    plaintext, key_id = generate_api_key()
    row = PartnerApiKey(
        partner_id=partner_id,
        key_id=key_id,
        key_hash=hash_api_key(plaintext),
        name=name.strip()[:128] or "API key",
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()
    return row, plaintext


def authenticate(session: Session, presented: str) -> tuple[PartnerApiKey, Partner] | None:
    """The live key and its active partner for ``presented``; None for anything else."""
    key_id = api_key_id(presented)
    if key_id is None:
        return None
    row = session.scalars(select(PartnerApiKey).where(PartnerApiKey.key_id == key_id)).first()
    if row is None or row.revoked_at is not None or not api_key_matches(presented, row.key_hash):
        return None
    partner = session.get(Partner, row.partner_id)
    if partner is None or not partner.is_active:
        return None
    return row, partner


def revoke(session: Session, partner_id: int, key_row_id: int) -> PartnerApiKey | None:
    row = owned_row(session, PartnerApiKey, key_row_id, partner_id=partner_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def keys_of(session: Session, partner_id: int) -> list[PartnerApiKey]:
    stmt = select(PartnerApiKey).where(PartnerApiKey.partner_id == partner_id)
    return list(session.scalars(stmt.order_by(PartnerApiKey.id.desc())))
