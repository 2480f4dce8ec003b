"""Signed, expiring download links for partners: one token names the partner, job and file.

The token comes from ``app.signing`` (its own purpose, so no other link of ours opens a
download), so it cannot be guessed or altered: changing the file id breaks the signature. The
route that honours it checks the signature first, then the expiry, then that the file still
belongs to that partner's job, and records the download in the audit trail before streaming
the bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app import signing
from app.fulfilment.errors import FulfilmentError

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
    issued: int  # unix seconds
    ttl: int

    @property
    def expires(self) -> int:
        return self.issued + self.ttl


def grant_for(
    partner_id: int, assignment_id: int, file: str, actor: str, ttl: int, now: float | None = None
) -> Grant:
    return Grant(partner_id, assignment_id, file, actor, int(now or time.time()), ttl)


def issue(secret: str, grant: Grant) -> str:
    claims = [grant.partner_id, grant.assignment_id, grant.file, grant.actor]
    purpose = signing.Purpose.PARTNER_DOWNLOAD
    return signing.issue(secret, purpose, claims, ttl=grant.ttl, now=grant.issued).token


def verify(secret: str, token: str, now: float | None = None) -> Grant:
    try:
        verified = signing.verify(secret, signing.Purpose.PARTNER_DOWNLOAD, token, now=now)
    except signing.TokenExpired:
        raise LinkExpired("The download link has expired.") from None
    except signing.TokenRefused:
        raise LinkDenied("The download link is not valid.") from None
    try:
        partner_id, assignment_id, file, actor = verified.claims
        partner_id, assignment_id = int(partner_id), int(assignment_id)
    except (ValueError, TypeError) as exc:  # signed by us, so only if the format ever changes
        raise LinkDenied("The download link is not valid.") from exc
    return Grant(partner_id, assignment_id, str(file), str(actor), verified.issued, verified.ttl)
