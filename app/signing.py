"""Every token and signature the app itself makes: the one place that signs and verifies them.

Links that expire (file downloads, partner downloads, e-mail verification, password resets,
invitations, the OAuth ``state``, a shopper's link to add a missing design, to change an
ordered one or to approve a proof) are itsdangerous timed tokens: ``SECRET_KEY``, a salt per
``Purpose`` (so a token made for one purpose never verifies for another), HMAC-SHA256, the time
it was issued and the seconds it lives, all signed. ``verify`` checks the signature first, then
what the caller expects the token to name, then the age, so a forged or misdirected token
never learns whether it would have expired; ``TokenInvalid`` and ``TokenExpired`` are the only
two answers, and each caller maps them to its own HTTP reply.

Links that must never expire (a design's preview in an order e-mail, the colours of a 3D
model, the edit token an anonymous designer keeps) carry a ``lasting_signature`` instead: the
same HMAC those links have always carried, so links already out in e-mails keep working.

Shopify's and WooCommerce's own signatures (webhooks, app proxy, OAuth ``hmac``) are the
platforms' contracts, checked where those platforms are handled, not here.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from app.ids import in_range

MAX_TOKEN_LENGTH = 4096  # a storage key (512) and a file name, with room; beyond is junk


class Purpose(enum.StrEnum):
    """What a timed token is for; its value salts the signature."""

    FILE_DOWNLOAD = "file-download"  # /files/<key>: a locally stored file
    PARTNER_DOWNLOAD = "partner-download"  # /partner-api/v1/downloads/<token>
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 - a link purpose, not a password
    RESET_PARTNER_PASSWORD = "reset-partner-password"  # noqa: S105 - the partner portal's
    INVITE_PARTNER_USER = "invite-partner-user"  # a partner team's new person chooses a password
    SHOPIFY_OAUTH_STATE = "shopify-oauth-state"
    RECOVER_DESIGN = "recover-design"  # /recover/<token>: add the design an ordered line lacks
    PROOF = "proof"  # /proof/<token>: the shopper approves a proof or asks for changes
    EDIT_ORDERED_DESIGN = "edit-ordered-design"  # /order-design/<token>: change an ordered design


class Mark(enum.StrEnum):
    """What a lasting signature is for; its value prefixes the signed message (unchanged from
    before this module, so lasting links already handed out still verify)."""

    DESIGN_PREVIEW = "design-preview"
    DESIGN_EDIT = "design-edit"
    MODEL_COLOR = "model"


class TokenRefused(ValueError):
    """A token that must not be honoured."""


class TokenInvalid(TokenRefused):
    """Not signed by us for this purpose, altered, malformed, or naming something else."""


class TokenExpired(TokenRefused):
    """Authentic, but older than the life it was issued with."""


@dataclass(frozen=True)
class Issued:
    token: str
    expires: int  # unix seconds; the token is refused from this second on


@dataclass(frozen=True)
class Verified:
    claims: Any
    issued: int  # unix seconds
    ttl: int
    remaining: int  # whole seconds the token stays valid (at least 1)

    @property
    def expires(self) -> int:
        return self.issued + self.ttl


class _ClockedSigner(TimestampSigner):
    """itsdangerous' signer with the issuing moment given, so a caller's clock is honoured."""

    def __init__(self, *args: Any, now: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(time.time() if self._now is None else self._now)


def _serializer(secret_key: str, purpose: Purpose, now: float | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key,
        salt=f"luneo.{purpose.value}",
        signer=_ClockedSigner,
        signer_kwargs={"digest_method": hashlib.sha256, "now": now},
    )


def issue(
    secret_key: str, purpose: Purpose, claims: Any, *, ttl: int, now: float | None = None
) -> Issued:
    """A token for ``purpose`` carrying ``claims`` (JSON), valid for ``ttl`` seconds from now
    (none left at all when ``ttl`` is not positive)."""
    if not secret_key:
        raise ValueError("SECRET_KEY is needed to sign tokens")
    issued_at = int(time.time() if now is None else now)
    token = _serializer(secret_key, purpose, issued_at).dumps([claims, ttl])
    return Issued(token=token, expires=issued_at + ttl)


def verify(
    secret_key: str,
    purpose: Purpose,
    token: str | None,
    *,
    expect: Any = None,
    now: float | None = None,
) -> Verified:
    """The claims of an authentic, unexpired token for ``purpose``.

    With ``expect``, the claims must be exactly that (a download token names its file): a token
    for something else is invalid, whether or not it has expired.
    """
    if not secret_key or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenInvalid("the token is missing or malformed")
    try:
        payload, signed_at = _serializer(secret_key, purpose, None).loads(
            token, return_timestamp=True
        )
    except BadData:  # a bad signature, or (only ever signed by us) a payload that is not JSON
        raise TokenInvalid("the token's signature does not match") from None
    claims, ttl = _unpack(payload)
    if expect is not None and claims != expect:
        raise TokenInvalid("the token is for something else")
    issued = int(signed_at.timestamp())
    remaining = issued + ttl - int(time.time() if now is None else now)
    if remaining <= 0:
        raise TokenExpired("the token has expired")
    return Verified(claims=claims, issued=issued, ttl=ttl, remaining=remaining)


def id_claims(
    secret_key: str,
    purpose: Purpose,
    token: str | None,
    names: tuple[str, ...],
    *,
    now: float | None = None,
) -> dict[str, Any]:
    """:func:`verify`, for a link that names rows: its claims are an object whose ``names``
    are row ids in the database's range (``TokenInvalid`` otherwise)."""
    claims = verify(secret_key, purpose, token, now=now).claims
    if not isinstance(claims, dict) or not all(_row_id(claims.get(n)) for n in names):
        raise TokenInvalid("the token's claims do not name rows")
    return claims


def _row_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and in_range(value)


def _unpack(payload: Any) -> tuple[Any, int]:
    if not isinstance(payload, list) or len(payload) != 2:
        raise TokenInvalid("the token is malformed")
    claims, ttl = payload
    if not isinstance(ttl, int) or isinstance(ttl, bool):
        raise TokenInvalid("the token is malformed")
    return claims, ttl


def lasting_signature(secret_key: str, mark: Mark, subject: str) -> str:
    """The HMAC a never-expiring link carries for ``subject`` (hex, 128 bits)."""
    if not secret_key:
        raise ValueError("SECRET_KEY is needed to sign links")
    message = f"{mark.value}:{subject}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def lasting_signature_matches(secret_key: str, mark: Mark, subject: str, given: str) -> bool:
    """Whether ``given`` is ``subject``'s lasting signature, compared in constant time."""
    expected = lasting_signature(secret_key, mark, subject)
    # bytes: a non-ASCII str would make compare_digest raise
    return hmac.compare_digest(expected.encode(), given.encode())
