"""Recording analytics events: many events, one ``INSERT … ON CONFLICT DO UPDATE``.

Events are counted, not stored one by one: a batch is first folded into ``(template, kind, key)
→ n`` and then added to that day's counters with ``INSERT … ON CONFLICT (…) DO UPDATE SET count =
count + excluded.count``: on PostgreSQL one statement whose rows are arrays unpacked by
``unnest`` (as ``app.sync.store`` writes products), on SQLite the same upsert compiled once and
run per row in the one transaction (an executemany). The widget sends what a
shopper did (``BROWSER_KINDS``); the order sync adds what an ordered design holds
(``record_ordered_design``), once per design, when the sync freezes it for production.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Date, Integer, Table, Text, bindparam, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
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


# PostgreSQL: the batch as one array per column, unpacked by ``unnest`` into one set-based upsert
# (one statement, one round trip, the same text whatever the batch's size: parsed once).
PG_UPSERT = text(
    """
    INSERT INTO analytics_counters (shop_id, day, template_id, kind, key, count)
    SELECT :shop_id, :day, s.template_id, s.kind, s.key, s.count
    FROM unnest(:template_ids, :kinds, :keys, :counts) AS s(template_id, kind, key, count)
    ON CONFLICT (shop_id, kind, key, day, template_id)
    DO UPDATE SET count = analytics_counters.count + excluded.count
    """
).bindparams(
    bindparam("day", type_=Date),
    bindparam("template_ids", type_=ARRAY(Integer)),
    bindparam("kinds", type_=ARRAY(Text)),
    bindparam("keys", type_=ARRAY(Text)),
    bindparam("counts", type_=ARRAY(BigInteger)),
)


@cache
def _sqlite_upsert() -> Any:
    """SQLite: one upsert statement, compiled once, run for every row of the batch (an
    executemany inside one transaction; SQLite has no arrays to unpack)."""
    table = _table()
    stmt = sqlite.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[
            table.c.shop_id,
            table.c.day,
            table.c.template_id,
            table.c.kind,
            table.c.key,
        ],
        set_={"count": table.c.count + stmt.excluded.count},
    )


def record(session: Session, shop_id: int, day: date, counts: Mapping[CounterKey, int]) -> int:
    """Add ``counts`` to the shop's counters of ``day`` in one statement; the rows touched."""
    rows = sorted(
        (template_id, str(kind), key[:KEY_LENGTH], n)
        for (template_id, kind, key), n in counts.items()
        if n > 0
    )
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        template_ids, kinds, keys, numbers = (list(column) for column in zip(*rows, strict=True))
        params = {"shop_id": shop_id, "day": day, "template_ids": template_ids}
        session.execute(PG_UPSERT, {**params, "kinds": kinds, "keys": keys, "counts": numbers})
    else:
        session.execute(
            _sqlite_upsert(),
            [
                {"shop_id": shop_id, "day": day, "template_id": t, "kind": k, "key": y, "count": n}
                for t, k, y, n in rows
            ],
        )
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
