"""Webhooks to partners on new jobs, signed like Stripe's: ``t=<unix time>,v1=<hex HMAC>``.

The HMAC-SHA256 is over ``"<t>.<raw body>"`` with the partner's own secret, so a partner checks
that Luneo sent it and that it is recent (replays older than a few minutes are refused).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

SIGNATURE_HEADER = "X-Luneo-Signature"
EVENT_HEADER = "X-Luneo-Event"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a partner does on receipt (also used by the tests)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(int(now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def payload(event: str, job: dict[str, Any]) -> bytes:
    return json.dumps({"event": event, "job": job}, sort_keys=True).encode()
