"""A shop's own fonts: upload (checked by ``app.design.merchant_fonts``), list, delete, and the
files a render of the shop's templates reads.

A font's ``family`` is its id in templates and design documents, exactly like a curated
family's name: unique within the shop and never a curated family's name, so every place that
resolves a family (the editor's list, the template save, the widget's ``font_files``, the render
registry) only has to add this shop's fonts to the curated set. Another shop's family is simply
unknown here.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.design.fonts import FAMILIES, ShopFontFile
from app.design.merchant_fonts import FAMILY_NAME_MAX, CheckedFont, FontRefused, check_font
from app.models import FileKind, MerchantFont, ShopScope, StoredFile, Template
from app.product_templates import asset_use
from app.storage import MissingFile, Storage
from app.stored_files import queue_byte_deletions, store_bytes

MAX_FONTS_PER_SHOP = 50
_CURATED = frozenset(f.name.casefold() for f in FAMILIES)
# Printable family names: letters, digits, spaces and a few marks (it is shown in a CSS
# font-family and a select, and stored in documents).
_FAMILY = re.compile(r"[\w][\w .&'()+-]{0,59}", re.UNICODE)
# Where a render finds a shop font's TrueType file: one file per content hash, written once.
CACHE_DIR = Path(tempfile.gettempdir()) / "luneo-shop-fonts"


class FontRejected(ValueError):
    """What the merchant sent cannot become a font; ``field`` names the form's input."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FontInUse(asset_use.InUse):
    """The templates that offer the font, and the orders still to make that draw it."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    family: str  # what the merchant typed; empty: the name the font gives itself
    licence_confirmed: bool
    confirmed_by: str  # who ticked the box (an e-mail, or the Shopify shop)


def fonts(scope: ShopScope) -> list[MerchantFont]:
    return scope.all(MerchantFont, MerchantFont.family)


def families(scope: ShopScope) -> frozenset[str]:
    """This shop's font family ids."""
    stmt = select(MerchantFont.family).where(MerchantFont.shop_id == scope.shop_id)
    return frozenset(scope.session.scalars(stmt))


def upload(scope: ShopScope, storage: Storage, sent: Upload) -> MerchantFont:
    """Check and store a font; FontRejected names what is wrong (nothing is stored then)."""
    if not sent.licence_confirmed:
        raise FontRejected(
            "Confirm that the font's licence allows embedding it in print files and using it "
            "on your store.",
            "licence",
        )
    try:
        checked = check_font(sent.data)
    except FontRefused as exc:
        raise FontRejected(exc.message) from None
    family = _family(scope, sent.family, checked)
    if len(fonts(scope)) >= MAX_FONTS_PER_SHOP:
        raise FontRejected(f"A store can have at most {MAX_FONTS_PER_SHOP} fonts of its own.")
    name = os.path.basename(sent.filename)[:200] or None
    print_file = store_bytes(
        scope,
        storage,
        checked.ttf,
        kind=FileKind.FONT,
        folder="fonts",
        extension="ttf",
        content_type="font/ttf",
        name=name,
    )
    web_file = store_bytes(
        scope,
        storage,
        checked.woff2,
        kind=FileKind.FONT,
        folder="fonts",
        extension="woff2",
        content_type="font/woff2",
        name=name,
    )
    font = scope.add(
        MerchantFont(
            family=family,
            weight=checked.weight,
            italic=checked.italic,
            glyphs=checked.glyphs,
            source_format=checked.source_format,
            print_file_id=print_file.id,
            web_file_id=web_file.id,
            licence_confirmed_by=sent.confirmed_by[:255],
            licence_confirmed_at=datetime.now(UTC),
        )
    )
    scope.session.flush()
    return font


def _family(scope: ShopScope, typed: str, checked: CheckedFont) -> str:
    family = " ".join((typed or checked.family).split())[:FAMILY_NAME_MAX]
    if not family:
        raise FontRejected("Give the font a name.", "family")
    if not _FAMILY.fullmatch(family):
        raise FontRejected(
            "Use letters, digits, spaces and . & ' ( ) + - in the font's name.", "family"
        )
    if family.casefold() in _CURATED:
        raise FontRejected(
            f"{family} is the name of one of Luneo's fonts: give yours another name.", "family"
        )
    if any(f.family.casefold() == family.casefold() for f in fonts(scope)):
        raise FontRejected(f"You already have a font named {family}.", "family")
    return family


def templates_using(scope: ShopScope, family: str) -> list[Template]:
    """The shop's templates that offer ``family`` (their font list or a text field's fonts)."""
    using = []
    for template in scope.all(Template, Template.name):
        named = set(template.fonts or ())
        for field in template.fields or ():
            if isinstance(field, dict):
                named.add(str(field.get("font") or ""))
                named.update(str(f) for f in field.get("fonts") or ())
        if family in named:
            using.append(template)
    return using


def delete(scope: ShopScope, font: MerchantFont) -> None:
    """Delete the font and its files; FontInUse names the templates that still offer it and
    the orders still to make that draw it (their files may be made again)."""
    using = templates_using(scope, font.family)
    orders = asset_use.orders_using(scope, asset_use.uses_font(font.family))
    if using or orders:
        raise FontInUse([t.name for t in using], orders)
    files = [scope.get(StoredFile, i) for i in (font.print_file_id, font.web_file_id)]
    scope.session.delete(font)
    scope.session.flush()
    gone = [f for f in files if f is not None]
    for stored in gone:
        scope.session.delete(stored)
    queue_byte_deletions(scope.session, scope.shop_id, [(f.key, f.size) for f in gone])


def web_files(scope: ShopScope, wanted: set[str] | None = None) -> dict[str, StoredFile]:
    """Family -> its WOFF2 file, for this shop's fonts (all, or those in ``wanted``)."""
    rows = fonts(scope)
    ids = {f.web_file_id: f.family for f in rows if wanted is None or f.family in wanted}
    if not ids:
        return {}
    stmt = scope.select(StoredFile).where(StoredFile.id.in_(list(ids)))
    return {ids[f.id]: f for f in scope.session.scalars(stmt)}


def render_files(
    scope: ShopScope, storage: Storage, wanted: set[str] | None = None
) -> tuple[ShopFontFile, ...]:
    """This shop's fonts (all, or those in ``wanted``) as TrueType files on this machine, for
    the render core (``TemplateSpec.shop_fonts``). A font whose bytes are gone is left out
    (the render then names the family as unknown, as for any missing font)."""
    rows = [f for f in fonts(scope) if wanted is None or f.family in wanted]
    if not rows:
        return ()
    stmt = scope.select(StoredFile).where(StoredFile.id.in_([f.print_file_id for f in rows]))
    stored = {f.id: f for f in scope.session.scalars(stmt)}
    files = []
    for font in rows:
        file = stored.get(font.print_file_id)
        path = _cached(storage, file) if file is not None else None
        if path is not None:
            style = "italic" if font.italic else "normal"
            files.append(ShopFontFile(font.family, path, font.weight, style))
    return tuple(files)


def _cached(storage: Storage, stored: StoredFile) -> Path | None:
    path = CACHE_DIR / f"{stored.sha256}.ttf"
    if path.is_file() and path.stat().st_size == stored.size:
        return path
    try:
        with storage.open(stored.key) as stream:
            data: bytes = stream.read()
    except MissingFile:
        return None
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=CACHE_DIR, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
    return path


def font_json(font: MerchantFont, templates: list[str]) -> dict[str, Any]:
    return {
        "id": font.id,
        "family": font.family,
        "weight": font.weight,
        "italic": font.italic,
        "glyphs": font.glyphs,
        "format": font.source_format,
        "licence_confirmed_by": font.licence_confirmed_by,
        "licence_confirmed_at": font.licence_confirmed_at.isoformat(),
        "templates": templates,
    }


def used_by(scope: ShopScope) -> dict[str, list[str]]:
    """Family -> names of the templates offering it, for every font of the shop."""
    return {f.family: [t.name for t in templates_using(scope, f.family)] for f in fonts(scope)}
