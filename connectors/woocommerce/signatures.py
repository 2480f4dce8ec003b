"""WooCommerce webhook signatures, as WooCommerce computes them (no Flask here).

``WC_Webhook::generate_signature``: ``base64_encode(hash_hmac('sha256', $body, $secret, true))``
over the exact JSON body it sends, in ``X-WC-Webhook-Signature``. The ping sent when a webhook
is created (``WC_Webhook::deliver_ping``) is different: a form body ``webhook_id=<id>`` with no
signature and no ``X-WC-Webhook-*`` headers at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
_PING = re.compile(rb"^webhook_id=\d+$")


def sign(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid(body: bytes, signature: str | None, secret: str | None) -> bool:
    """Constant-time check of ``signature`` against the body's HMAC with ``secret``."""
    if not signature or not secret:
        return False
    return hmac.compare_digest(sign(body, secret).encode("ascii"), signature.strip().encode())


def is_ping(body: bytes) -> bool:
    """The body of the creation ping: ``webhook_id=<digits>``."""
    return bool(_PING.match(body.strip()))
