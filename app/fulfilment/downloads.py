"""Signed, expiring download links for partners: one token names the partner, job and file.

The token is an HMAC-signed payload (itsdangerous, salted for this use only), so it cannot be
guessed or altered: changing the file id breaks the signature. The route that honours it checks
the signature first, then the expiry, then that the file still belongs to that partner's job,
and records the download in the audit trail before streaming the bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from app.fulfilment.errors import FulfilmentError

SALT = "luneo.partner-download"
SLIP = "slip"  # the file id of a job's packing slip (built on request)


class LinkDenied(FulfilmentError):
    status = 403
    code = "invalid_signature"


class LinkExpired(LinkDenied):
    code = "link_expired"


@dataclass(frozen=True)
class Grant:
    partner_id: int
    assignment_id: int
    file: str  # a ProductionFile id, or SLIP
    actor: str  # "api_key:<id>" or "partner_user:<id>": who the link was issued to
    expires: int


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def issue(secret: str, grant: Grant) -> str:
    payload = [grant.partner_id, grant.assignment_id, grant.file, grant.actor, grant.expires]
    return _serializer(secret).dumps(payload)


def grant_for(
    partner_id: int, assignment_id: int, file: str, actor: str, ttl: int, now: float | None = None
) -> Grant:
    return Grant(partner_id, assignment_id, file, actor, int(now or time.time()) + ttl)


def verify(secret: str, token: str, now: float | None = None) -> Grant:
    try:
        payload = _serializer(secret).loads(token)
        partner_id, assignment_id, file, actor, expires = payload
        grant = Grant(int(partner_id), int(assignment_id), str(file), str(actor), int(expires))
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkDenied("The download link is not valid.") from exc
    if grant.expires <= int(now or time.time()):
        raise LinkExpired("The download link has expired.")
    return grant
