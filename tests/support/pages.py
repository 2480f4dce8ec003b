"""Reading rendered pages as a person does: what shows before any "Technical details" is opened."""

from __future__ import annotations

import html
import re

_DETAILS = re.compile(r"<details\b[^>]*>.*?</details>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def visible(page: str) -> str:
    """The page without its closed ``<details>`` disclosures (and, for the text, its tags)."""
    return _DETAILS.sub("", page)


def visible_text(page: str) -> str:
    """The words a reader sees without opening a disclosure: no tags, no attribute values."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"\s+", " ", _TAGS.sub(" ", visible(body))))


def technical_details(page: str) -> str:
    """Everything inside the page's "Technical details" disclosures."""
    return html.unescape("\n".join(_DETAILS.findall(page)))
