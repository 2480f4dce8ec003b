"""The audit trail: who downloaded or changed what, when and from where.

The actions are ``app.models.AuditAction`` (stored as their text); ``app.wording`` says each in
words for the pages that list them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: a partner user, a partner API key, a merchant, or Luneo itself."""

    type: str  # partner_user, api_key, merchant, system
    id: str | None
    label: str
    ip: str | None = None
    user_agent: str | None = None


SYSTEM = Actor("system", None, "Luneo")


def record(
    session: Session,
    actor: Actor,
    action: AuditAction | str,
    *,
    partner_id: int | None = None,
    shop_id: int | None = None,
    job_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        partner_id=partner_id,
        shop_id=shop_id,
        production_job_id=job_id,
        actor_type=actor.type,
        actor_id=actor.id,
        actor_label=actor.label[:255],
        action=str(action),
        detail=detail or {},
        ip=(actor.ip or None) and actor.ip[:64],
        user_agent=(actor.user_agent or None) and actor.user_agent[:512],
    )
    session.add(event)
    return event
