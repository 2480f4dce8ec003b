"""Signed, expiring links for files served by the app itself (local storage)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from urllib.parse import quote, urlencode

from app.storage.base import DOWNLOAD_SIGNING_CONTEXT, InvalidSignature, LinkExpired


def download_signing_key(secret_key: str | bytes) -> bytes:
    """A key used only for download links, so it cannot sign anything else the app signs."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, DOWNLOAD_SIGNING_CONTEXT, hashlib.sha256).digest()


def sign_download(signing_key: bytes, key: str, expires: str, filename: str | None) -> str:
    # NUL cannot occur in a key or in digits, so the three fields can never run into each other.
    message = b"\x00".join([key.encode(), expires.encode(), (filename or "").encode()])
    digest = hmac.new(signing_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_download(
    signing_key: bytes,
    key: str,
    expires: str | None,
    signature: str | None,
    filename: str | None,
    now: float,
) -> int:
    """Check a link's signature, then its expiry; return the seconds it stays valid.

    The signature is checked first, so a forged link never learns whether it would have expired.
    """
    if not expires or not signature or not re.fullmatch(r"[0-9]{1,12}", expires):
        raise InvalidSignature("the download link is not signed")
    expected = sign_download(signing_key, key, expires, filename or None)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidSignature("the download link's signature does not match")
    remaining = int(expires) - int(now)
    if remaining <= 0:
        raise LinkExpired("the download link has expired")
    return remaining


def relative_url_builder(key: str, params: dict[str, str]) -> str:
    """URLs relative to the app root, for callers without an app (the CLI, benchmarks)."""
    return f"/files/{quote(key)}?{urlencode(params)}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 6266 UTF-8 name (as send_file does)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in ascii_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
