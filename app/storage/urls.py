"""URLs and headers of files the app serves itself (local storage); their tokens are signed
and checked by ``app.signing``."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlencode


def relative_url_builder(key: str, params: dict[str, str]) -> str:
    """URLs relative to the app root, for callers without an app (the CLI, benchmarks)."""
    return f"/files/{quote(key)}?{urlencode(params)}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 6266 UTF-8 name (as send_file does)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in ascii_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
