"""A shop's own clipart sets: make a set, add pieces (``app.design.merchant_clipart`` checks
them), delete, and find a piece by its ref for the render and the storefront.

A set's key is ``shop-<id>``: a piece is ``clipart:shop-<id>/<name>`` in templates and design
documents, the same shape as a curated ref (``app.design.clipart``), so everything that handles
clipart handles it; the curated sets' keys never start with ``shop-``. Every lookup goes
through the shop's scope, so another shop's set or piece is simply not found.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.design.clipart import parse_ref
from app.design.merchant_clipart import ClipartRefused, check_png, sanitise_svg
from app.models import (
    ClipartKind,
    FileKind,
    MerchantClipart,
    MerchantClipartSet,
    ShopScope,
    StoredFile,
    Template,
)
from app.product_templates import asset_use
from app.storage import Storage
from app.stored_files import queue_byte_deletions, store_bytes

KEY_PREFIX = "shop-"
MAX_SETS_PER_SHOP = 30
MAX_PIECES_PER_SET = 200
LABEL_MAX = 100
_KEY = re.compile(r"shop-([0-9]{1,10})")

Linker = Callable[[StoredFile], str]


class ClipartRejected(ValueError):
    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SetInUse(asset_use.InUse):
    """The templates that offer the set, and the orders still to make that draw from it."""


@dataclass(frozen=True)
class Added:
    piece: MerchantClipart
    removed: tuple[str, ...]  # what sanitising an SVG dropped
    warnings: tuple[str, ...]  # a PNG's print-size warning


def set_key(clipart_set: MerchantClipartSet) -> str:
    return f"{KEY_PREFIX}{clipart_set.id}"


def is_shop_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def sets(scope: ShopScope) -> list[MerchantClipartSet]:
    return scope.all(MerchantClipartSet, MerchantClipartSet.label)


def set_keys(scope: ShopScope) -> frozenset[str]:
    return frozenset(set_key(s) for s in sets(scope))


def set_by_key(scope: ShopScope, key: str) -> MerchantClipartSet | None:
    match = _KEY.fullmatch(key)
    return scope.get(MerchantClipartSet, int(match.group(1))) if match else None


def create_set(scope: ShopScope, label: str) -> MerchantClipartSet:
    label = " ".join(label.split())[:LABEL_MAX]
    if not label:
        raise ClipartRejected("Give the set a name.", "label")
    if len(sets(scope)) >= MAX_SETS_PER_SHOP:
        raise ClipartRejected(
            f"A store can have at most {MAX_SETS_PER_SHOP} clipart sets.", "label"
        )
    # The key needs the id: a placeholder first, then ``shop-<id>``.
    row = scope.add(MerchantClipartSet(key=f"new-{secrets.token_hex(8)}", label=label))
    scope.session.flush()
    row.key = set_key(row)
    scope.session.flush()
    return row


def _name(label: str, taken: set[str]) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")[:56] or "piece"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def add_piece(
    scope: ShopScope, storage: Storage, clipart_set: MerchantClipartSet, data: bytes, label: str
) -> Added:
    """Check and store one piece (SVG or PNG, told apart by its bytes)."""
    label = " ".join(label.split())[:LABEL_MAX] or "Clipart"
    if len(clipart_set.pieces) >= MAX_PIECES_PER_SET:
        raise ClipartRejected(f"A set holds at most {MAX_PIECES_PER_SET} pieces.")
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    try:
        if data.startswith(b"\x89PNG"):
            png = check_png(data)
            kind, body, size, warnings = (
                ClipartKind.PNG,
                data,
                (png.width, png.height),
                png.warnings,
            )
            content_type, extension = "image/png", "png"
        else:
            svg = sanitise_svg(data)
            kind, body, size, removed = (
                ClipartKind.SVG,
                svg.data,
                (svg.width, svg.height),
                svg.removed,
            )
            content_type, extension = "image/svg+xml", "svg"
    except ClipartRefused as exc:
        raise ClipartRejected(exc.message) from None
    stored = store_bytes(
        scope, storage, body, kind=FileKind.CLIPART, folder="clipart", extension=extension,
        content_type=content_type, name=label,
    )  # fmt: skip
    piece = MerchantClipart(
        set_id=clipart_set.id,
        shop_id=scope.shop_id,
        name=_name(label, {p.name for p in clipart_set.pieces}),
        label=label,
        kind=kind,
        file_id=stored.id,
        width_px=size[0],
        height_px=size[1],
    )
    clipart_set.pieces.append(piece)
    scope.session.flush()
    return Added(piece, removed, warnings)


def templates_using(scope: ShopScope, key: str) -> list[Template]:
    """The shop's templates that offer set ``key`` (their sets, or a clipart field's)."""
    using = []
    for template in scope.all(Template, Template.name):
        offered = set(template.clipart_sets or ())
        for field in template.fields or ():
            if isinstance(field, dict):
                offered.update(str(s) for s in field.get("sets") or ())
        if key in offered:
            using.append(template)
    return using


def delete_set(scope: ShopScope, clipart_set: MerchantClipartSet) -> None:
    _refuse_in_use(scope, set_key(clipart_set), f"clipart:{set_key(clipart_set)}/")
    files = [scope.get(StoredFile, p.file_id) for p in clipart_set.pieces]
    scope.session.delete(clipart_set)
    scope.session.flush()
    _forget(scope, [f for f in files if f is not None])


def delete_piece(scope: ShopScope, piece: MerchantClipart) -> None:
    """A piece goes only while no template offers its set (designs could be using it)."""
    key = set_key(piece.clipart_set)
    _refuse_in_use(scope, key, f"clipart:{key}/{piece.name}")
    stored = scope.get(StoredFile, piece.file_id)
    piece.clipart_set.pieces.remove(piece)
    scope.session.flush()
    _forget(scope, [stored] if stored is not None else [])


def _refuse_in_use(scope: ShopScope, key: str, ref: str) -> None:
    """SetInUse while a template offers set ``key`` or an order still to make draws ``ref``
    (a set's refs when it ends in ``/``)."""
    using = templates_using(scope, key)
    orders = asset_use.orders_using(scope, asset_use.uses_clipart(ref))
    if using or orders:
        raise SetInUse([t.name for t in using], orders)


def _forget(scope: ShopScope, files: list[StoredFile]) -> None:
    for stored in files:
        scope.session.delete(stored)
    queue_byte_deletions(scope.session, scope.shop_id, [(f.key, f.size) for f in files])


def piece_for_ref(scope: ShopScope, ref: str) -> tuple[MerchantClipart, StoredFile] | None:
    """This shop's piece a ``clipart:shop-<id>/<name>`` ref names, with its file; else None."""
    parsed = parse_ref(ref)
    found = set_by_key(scope, parsed[0]) if parsed else None
    if parsed is None or found is None:
        return None
    piece = next((p for p in found.pieces if p.name == parsed[1]), None)
    stored = scope.get(StoredFile, piece.file_id) if piece is not None else None
    if piece is None or stored is None or stored.kind is not FileKind.CLIPART:
        return None
    return piece, stored


def clipart_document(
    scope: ShopScope, link: Linker, only: set[str] | None = None
) -> list[dict[str, Any]]:
    """The shop's sets (all, or those in ``only``) in the picker's shape, each piece linked."""
    chosen = [s for s in sets(scope) if only is None or set_key(s) in only]
    files = _files(scope, [p.file_id for s in chosen for p in s.pieces])
    return [
        {
            "set": set_key(s),
            "label": s.label,
            "own": True,
            "items": [
                {
                    "src": f"clipart:{set_key(s)}/{p.name}",
                    "name": p.name,
                    "label": p.label,
                    "url": link(files[p.file_id]),
                }
                for p in s.pieces
                if p.file_id in files
            ],
        }
        for s in chosen
    ]


def _files(scope: ShopScope, ids: list[int]) -> dict[int, StoredFile]:
    if not ids:
        return {}
    stmt = scope.select(StoredFile).where(StoredFile.id.in_(ids))
    return {f.id: f for f in scope.session.scalars(stmt)}
