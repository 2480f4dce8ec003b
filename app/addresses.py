"""One stored shape for a shipping address, whatever the platform sent.

Orders are normalised once, when they are synced (``store.py``) or seeded (``app/demo.py``); old
rows are read through the same function, so a row stored before this existed (``country``
instead of ``country_code``, Shopify's camelCase keys) reads the same as a new one. The country
is always an ISO 3166-1 alpha-2 code when it is known: a name ("United States", "Deutschland")
is looked up in CLDR's territory names (babel), in a few languages merchants write in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from babel import Locale

STORED_FIELDS = (
    "name",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "province_code",
    "zip",
    "country_code",
    "phone",
)

# Each stored field and the keys the platforms (or older rows) carry it under, first found wins:
# Shopify's GraphQL MailingAddress, WooCommerce's REST ``shipping``/``billing``, the stored shape.
_SOURCES: dict[str, tuple[str, ...]] = {
    "company": ("company",),
    "address1": ("address1", "address_1"),
    "address2": ("address2", "address_2"),
    "city": ("city",),
    "province": ("province", "state", "provinceName"),
    "province_code": ("province_code", "provinceCode"),
    "zip": ("zip", "postcode", "postal_code"),
    "phone": ("phone",),
}
_COUNTRY_KEYS = ("country_code", "countryCodeV2", "countryCode", "country")
_NAME_LANGUAGES = ("en", "fr", "de", "es", "it", "nl", "pt", "pl", "ja")
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
_ALIASES = {"uk": "GB", "usa": "US", "u.s.a.": "US", "u.s.": "US", "england": "GB"}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _fold(name: str) -> str:
    """Case- and accent-blind key for a country name."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@cache
def _codes_by_name() -> dict[str, str]:
    codes: dict[str, str] = {}
    for language in _NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            # regions ("001", "150") and groupings ("EU", "UN", "ZZ" unknown) are not countries
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                codes.setdefault(_fold(name), code)
    return codes


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(_codes_by_name().values())


def country_code(value: Any) -> str:
    """ISO 3166-1 alpha-2 for a code or a country name; "" when it names no country."""
    text = _text(value)
    if not text:
        return ""
    if len(text) == 2 and text.upper() in _known_codes():
        return text.upper()
    folded = _fold(text)
    return _ALIASES.get(folded) or _codes_by_name().get(folded, "")


def normalize_address(raw: Any) -> dict[str, str]:
    """The stored shape (every field of ``STORED_FIELDS``, "" when missing) of any address.

    Tolerant: a non-mapping, or values that are not text, read as empty fields.
    """
    source: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    out = dict.fromkeys(STORED_FIELDS, "")
    for field, keys in _SOURCES.items():
        out[field] = next((t for t in (_text(source.get(k)) for k in keys) if t), "")
    name = _text(source.get("name"))
    if not name:
        first, last = _text(source.get("first_name")), _text(source.get("last_name"))
        name = f"{first} {last}".strip()
    out["name"] = name
    for key in _COUNTRY_KEYS:
        code = country_code(source.get(key))
        if code:
            out["country_code"] = code
            break
    if not out["province_code"] and 1 <= len(out["province"]) <= 3:
        out["province_code"] = out["province"].upper()  # WooCommerce's ``state`` is the code
    return out
