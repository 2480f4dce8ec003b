"""Recording analytics events: many events, one ``INSERT … ON CONFLICT DO UPDATE``.

Events are counted, not stored one by one: a batch is first folded into ``(template, kind, key)
→ n`` and then added to that day's counters in one statement (PostgreSQL and SQLite both spell
``ON CONFLICT (…) DO UPDATE SET count = count + excluded.count``). The widget sends what a
shopper did (``BROWSER_KINDS``); the order sync adds what an ordered design holds
(``record_ordered_design``), once per design, when the sync freezes it for production.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.design.refs import file_id_of
from app.models import AnalyticsCounter, Design, EventKind, FileKind, StoredFile, Template
from app.models.analytics import KEY_LENGTH

CounterKey = tuple[int, EventKind, str]  # template id, kind, key
PREFLIGHT_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
COLOUR = re.compile(r"#[0-9a-f]{6}")
KEYED = frozenset(
    {
        EventKind.PREFLIGHT_FIXED,
        EventKind.PREFLIGHT_IGNORED,
        EventKind.FONT,
        EventKind.CLIPART,
        EventKind.COLOUR,
    }
)


def _table() -> Table:
    table = AnalyticsCounter.__table__
    assert isinstance(table, Table)  # noqa: S101 - declarative models map tables
    return table


def record(session: Session, shop_id: int, day: date, counts: Mapping[CounterKey, int]) -> int:
    """Add ``counts`` to the shop's counters of ``day`` in one statement; the rows touched."""
    if not counts:
        return 0
    rows = [
        {
            "shop_id": shop_id,
            "day": day,
            "template_id": template_id,
            "kind": str(kind),
            "key": key[:KEY_LENGTH],
            "count": n,
        }
        for (template_id, kind, key), n in sorted(counts.items())
        if n > 0
    ]
    table = _table()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[
            table.c.shop_id,
            table.c.day,
            table.c.template_id,
            table.c.kind,
            table.c.key,
        ],
        set_={"count": table.c.count + stmt.excluded.count},
    )
    session.execute(stmt)
    return len(rows)


def shop_template_ids(session: Session, shop_id: int, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are this shop's templates (another shop's id is simply not among them)."""
    wanted = set(ids)
    if not wanted:
        return set()
    stmt = select(Template.id).where(Template.shop_id == shop_id, Template.id.in_(wanted))
    return set(session.scalars(stmt))


def _colour(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value if COLOUR.fullmatch(value) else None


def design_usage(document: Any) -> tuple[Counter[tuple[EventKind, str]], set[int]]:
    """What a design document uses, by kind and key (fonts, clipart refs, colours), and the
    stored files its pictures name (``file:<id>``). Read from the raw JSON; the text a shopper
    typed is never looked at."""
    used: Counter[tuple[EventKind, str]] = Counter()
    files: set[int] = set()
    areas = document.get("areas") if isinstance(document, dict) else None
    for area in (areas or {}).values():
        layers = area.get("layers") if isinstance(area, dict) else None
        for layer in layers if isinstance(layers, list) else []:
            if not isinstance(layer, dict):
                continue
            kind = layer.get("type")
            if kind == "text" and isinstance(layer.get("font"), str) and layer["font"]:
                used[(EventKind.FONT, layer["font"][:KEY_LENGTH])] += 1
            if kind == "clipart" and isinstance(layer.get("src"), str):
                used[(EventKind.CLIPART, layer["src"][:KEY_LENGTH])] += 1
            if kind == "image" and isinstance(layer.get("src"), str):
                file_id = file_id_of(layer["src"])
                if file_id is not None:
                    files.add(file_id)
            for name in ("color", "fill"):
                colour = _colour(layer.get(name))
                if colour is not None and kind in ("text", "clipart", "shape"):
                    used[(EventKind.COLOUR, colour)] += 1
    return used, files


def record_ordered_design(session: Session, design: Design, day: date) -> None:
    """Count a design that has just gone to production: ordered, its AI images, its fonts,
    clipart and colours. Called once per design (when the order sync freezes it)."""
    template_id = design.template_id or 0
    used, files = design_usage(design.document)
    counts: Counter[CounterKey] = Counter({(template_id, EventKind.ORDERED, ""): 1})
    for (kind, key), n in used.items():
        counts[(template_id, kind, key)] += n
    if files:
        ai = select(StoredFile.id).where(
            StoredFile.shop_id == design.shop_id,
            StoredFile.id.in_(files),
            StoredFile.kind == FileKind.AI_IMAGE,
        )
        ai_images = len(list(session.scalars(ai)))
        if ai_images:
            counts[(template_id, EventKind.AI_IMAGE_USED, "")] += ai_images
    record(session, design.shop_id, day, counts)
