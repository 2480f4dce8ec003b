"""The one check for every "where to go next" a client names (``next``, ``shopify-reload``…).

Only a path of this app is accepted. Browsers are lenient where servers are strict: they treat
``\\`` as ``/`` (``/\\evil.com`` is ``//evil.com``, another host), drop tabs and newlines inside
a URL, and read ``//host`` as a host; so the path must start with exactly one ``/`` and hold no
backslash, no ``//``, no control character, and still name no scheme or host once joined to a
base URL.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

_BASE = "https://luneo.invalid"


def is_local_path(target: str) -> bool:
    """Whether ``target`` is a path (with optional query) on this app, safe to redirect to."""
    if not target.startswith("/") or "\\" in target or "//" in target:
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    joined = urlsplit(urljoin(_BASE, target))
    return f"{joined.scheme}://{joined.netloc}" == _BASE


def local_path(target: object, default: str, *, under: str = "/") -> str:
    """``target`` when it is a local path below ``under``, else ``default``."""
    if not isinstance(target, str) or not is_local_path(target) or not target.startswith(under):
        return default
    return target
