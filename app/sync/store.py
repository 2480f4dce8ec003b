"""Persist connector records for one shop: idempotent upserts keyed on (shop_id, external_id).

Running the same records twice writes nothing the second time (fields are compared before they
are set), so "unchanged" is a real outcome, not an update in disguise. Variants gone upstream
are deleted; products gone upstream are archived, never deleted, because orders refer to them.
An order line whose ``_luneo_design`` names a design of *this* shop is linked to it; its state
(``app.sync.personalization``) says whether it goes to production. A DESIGNED (paid, right
product) or RECOVERED line's design is frozen (ORDERED) and a production job waits for it in
QUEUED, enqueued on commit; a MISSING line's shopper is e-mailed once (``app.sync.recovery``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from sqlalchemy import (
    JSON,
    Enum,
    Table,
    TableClause,
    any_,
    bindparam,
    column,
    delete,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.addresses import normalize_address
from app.analytics.events import record_ordered_design
from app.db import utcnow
from app.extensions import get_redis
from app.models import (
    Design,
    DesignStatus,
    Order,
    OrderItem,
    Personalization,
    Product,
    ProductionJob,
    ProductionStatus,
    ProductStatus,
    Shop,
    ShopScope,
    Template,
    Variant,
)
from app.production.enqueue import enqueue_production
from app.queue import enqueue_after_commit
from app.signing import Mark, lasting_signature_matches
from app.sync.personalization import PaidCheck, Verdict, customizable_when, decide
from app.sync.specs import recovery_mail_spec
from connectors.base import (
    Address,
    Money,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    SkippedRecord,
    VariantRecord,
)

Outcome = Literal["created", "updated", "unchanged"]
T = TypeVar("T")
CENT = Decimal("0.01")
MAX_REASONS = 20  # skipped records listed by id in the summary; the rest are only counted


@dataclass
class Tally:
    """What one sync did to one kind of record, as the dashboard and the CLI show it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    skipped: int = 0
    skipped_records: list[dict[str, str]] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def skip(self, record: SkippedRecord) -> None:
        self.skipped += 1
        if len(self.skipped_records) < MAX_REASONS:
            self.skipped_records.append({"id": record.external_id, "reason": record.reason})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clip(value: str, length: int) -> str:
    return value[:length]


def _amount(money: Money) -> Decimal:
    return money.amount.quantize(CENT)


def _assign(row: Any, values: Mapping[str, Any]) -> bool:
    """Set only what differs; True if anything did (so unchanged rows get no UPDATE)."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _once_more_on_conflict(scope: ShopScope, write: Callable[[], T]) -> T:
    """Run ``write`` in a savepoint; if another worker inserted the same row meanwhile, again.

    Two syncs of one shop (a webhook's narrow sync beside the reconciliation, two workers after
    a restart) can both read "no such product" and both insert it: the second insert breaks the
    unique key. Rolling back to the savepoint and writing again finds the other worker's row and
    updates it instead, so neither sync fails.
    """
    try:
        with scope.session.begin_nested():
            return write()
    except IntegrityError:
        with scope.session.begin_nested():
            return write()


# ---------------------------------------------------------------------------- products
PRODUCT_COLUMNS = (
    "title",
    "handle",
    "status",
    "vendor",
    "product_type",
    "description",
    "image_url",
    "platform_updated_at",
)
VARIANT_COLUMNS = ("title", "sku", "price", "currency", "position", "options")
UPSERT_BATCH = 2000  # products per set-based upsert (their variants go with them)
IN_LIST = 5000  # keys per ``IN (…)``: under SQLite's 32,766 and PostgreSQL's 65,535 parameters


def _product_values(record: ProductRecord) -> dict[str, Any]:
    return {
        "title": _clip(record.title, 512),
        "handle": _clip(record.handle, 255),
        "status": ProductStatus(record.status),
        "vendor": _clip(record.vendor, 255),
        "product_type": _clip(record.product_type, 255),
        "description": record.description,
        "image_url": record.image_url,
        "platform_updated_at": record.updated_at,
    }


def _variant_values(record: VariantRecord) -> dict[str, Any]:
    return {
        "title": _clip(record.title, 512),
        "sku": _clip(record.sku, 255),
        "price": _amount(record.price),
        "currency": record.price.currency,
        "position": record.position,
        "options": dict(record.options),
    }


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _differs(row: Any, values: Mapping[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def _write(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    set_: Sequence[str],
    *,
    newer_only: bool = False,
    returning: bool = True,
) -> list[tuple[str, int]]:
    """``INSERT … ON CONFLICT (shop_id, external_id) DO UPDATE SET set_ [RETURNING external_id,
    id]`` of ``rows`` (all with the same keys), one statement per batch; returns the rows written
    (with ``returning``).

    ``newer_only``: a stored row whose ``platform_updated_at`` is later than the incoming one is
    left as it is (a webhook's sync wrote a newer version while a full listing was under way).
    SQLite takes the rows as an executemany (its multi-row VALUES); PostgreSQL reads them from a
    staging table filled by ``COPY`` (``_stage``: a VALUES list of 10,000 rows would be 100,000
    parameters, each parsed by the driver, and arrays per column are dumped in Python).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        keys = list(rows[0])
        stage = _stage(session, table, keys, rows)
        stmt: Any = postgresql.insert(table).from_select(
            [table.c[key] for key in keys],
            select(*(stage.c[key] for key in keys)).order_by(stage.c.external_id),
        )
        params: Any = None
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
        params = rows
    else:  # pragma: no cover - Luneo runs on these two
        raise NotImplementedError(f"no upsert for {dialect}")
    where = None
    if newer_only:
        stored, incoming = table.c.platform_updated_at, stmt.excluded.platform_updated_at
        where = or_(stored.is_(None), incoming.is_(None), incoming >= stored)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.shop_id, table.c.external_id],
        set_={name: stmt.excluded[name] for name in set_},
        where=where,
    )
    if not returning:  # SQLite: a plain executemany, no multi-row VALUES to build
        session.execute(stmt, params)
        return []
    result = session.execute(stmt.returning(table.c.external_id, table.c.id), params)
    return [(str(row[0]), int(row[1])) for row in result]


def _table(model: type[Product] | type[Variant]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # noqa: S101 - declarative models map tables
    return table


def _stage(
    session: Session, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]
) -> TableClause:
    """Copy ``rows`` into this connection's temporary staging table for ``table``'s ``keys``; its
    name. The table has the columns' own types (lengths included: too long a value fails as it
    would in an INSERT, never cut short) and lives as long as the connection, emptied at commit
    and before each use (a transaction may write several batches). ``COPY`` formats the values
    in the driver's C code, the cheapest way into PostgreSQL."""
    tag = hashlib.sha1(",".join(keys).encode(), usedforsecurity=False).hexdigest()[:8]
    stage = f"luneo_stage_{table.name}_{tag}"
    columns = ", ".join(keys)
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {columns} FROM {table.name} WITH NO DATA"
        )
    )
    session.execute(text(f"DELETE FROM {stage}"))  # noqa: S608
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    converters = [(key, _copy_converter(table.c[key].type)) for key in keys]
    with cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [row[key] if convert is None else convert(row[key]) for key, convert in converters]
            )
    return sql_table(stage, *(column(key) for key in keys))


def _copy_converter(column_type: Any) -> Callable[[Any], Any] | None:
    """How ``COPY`` takes a column's values: enums by their stored value, JSON as its text; None
    when the driver takes the Python value as it is."""
    if isinstance(column_type, Enum):
        return lambda value: None if value is None else getattr(value, "value", value)
    if isinstance(column_type, JSON):
        return lambda value: None if value is None else json.dumps(value)
    return None


@dataclass
class _Batch:
    """What one batch of records will write, decided against the rows it read."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    products: list[dict[str, Any]] = field(default_factory=list)
    variants: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # by variant id
    gone: list[tuple[str, int]] = field(default_factory=list)  # (product, variant row id)


def upsert_products(scope: ShopScope, records: Sequence[ProductRecord]) -> list[Outcome]:
    """Create or update each product with its variants, safe beside another sync of the shop.

    Set-based, ``UPSERT_BATCH`` products at a time: one read of the batch's products and one of
    their variants, then one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` for the products
    that are new or differ (their variants included), one for those variants and one ``DELETE``
    of the variants gone upstream. Unchanged rows are not written. A row another sync inserted
    meanwhile meets the unique key and is updated instead (no duplicates, no error); a product
    stored with a later ``platform_updated_at`` than the record's is kept, with its variants (an
    older listing never overwrites what a webhook's sync just wrote); rows are written in key
    order, so two syncs of one shop lock them in the same order.
    """
    outcomes: list[Outcome] = []
    with _planned_afresh(scope.session):
        for chunk in _chunks(records, UPSERT_BATCH):
            outcomes += _upsert_products(scope, chunk)
    return outcomes


@contextmanager
def _planned_afresh(session: Session) -> Iterator[None]:
    """On PostgreSQL, plan every statement for the rows there are now: the driver prepares a
    statement run five times, and the server may then keep a generic plan made while a first
    sync's tables were empty (a scan of the whole shop per batch: a sync of 50,000 products took
    5x the time of 25,000). Restored afterwards: elsewhere prepared statements are worth it."""
    driver = session.connection().connection.driver_connection
    if session.get_bind().dialect.name != "postgresql" or driver is None:
        yield
        return
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def _upsert_products(scope: ShopScope, records: Sequence[ProductRecord]) -> list[Outcome]:
    session = scope.session
    latest = {record.external_id: record for record in records}  # listed twice: the last wins
    existing = _existing_products(scope, list(latest))
    variant_ids = list(dict.fromkeys(v.external_id for r in latest.values() for v in r.variants))
    known = _existing_variants(scope, [row.id for row in existing.values()], variant_ids)
    batch = _decide(scope.shop_id, latest, existing, known)
    product_table, variant_table = _table(Product), _table(Variant)
    written: dict[str, int] = {}  # products this batch wrote, with their ids
    if batch.products:
        columns: tuple[str, ...] = (*PRODUCT_COLUMNS, "synced_at", "updated_at")
        written = dict(_write(session, product_table, batch.products, columns, newer_only=True))
    for external_id, outcome in batch.outcomes.items():
        if outcome != "unchanged" and external_id not in written:
            batch.outcomes[external_id] = "unchanged"  # a newer version is stored: kept
    rows = [
        {**values, "product_id": written[product]}
        for _, (product, values) in sorted(batch.variants.items())
        if product in written
    ]
    if rows:
        columns = ("product_id", *VARIANT_COLUMNS, "updated_at")
        _write(session, variant_table, rows, columns, returning=False)
    gone = [variant_id for product, variant_id in batch.gone if product in written]
    for chunk in _chunks(gone, IN_LIST):
        # The row goes; order lines keep their copy (their variant_id is set to NULL).
        session.execute(delete(variant_table).where(variant_table.c.id.in_(chunk)))
    seen: set[str] = set()
    outcomes: list[Outcome] = []
    for record in records:  # a product listed twice in one batch is unchanged the second time
        outcomes.append(
            "unchanged" if record.external_id in seen else batch.outcomes[record.external_id]
        )
        seen.add(record.external_id)
    return outcomes


def _among(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``; on PostgreSQL as ``= ANY(array)``, one parameter however many values
    (the driver parses a statement of thousands of placeholders slower than the server runs it)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def _existing_products(scope: ShopScope, external_ids: Sequence[str]) -> dict[str, Any]:
    table = _table(Product)
    columns = [table.c.id, table.c.external_id, *(table.c[name] for name in PRODUCT_COLUMNS)]
    found: dict[str, Any] = {}
    for names in _chunks(external_ids, IN_LIST):
        query = select(*columns).where(
            table.c.shop_id == scope.shop_id, _among(scope.session, table.c.external_id, names)
        )
        found |= {row.external_id: row for row in scope.session.execute(query)}
    return found


def _existing_variants(
    scope: ShopScope, product_ids: Sequence[int], external_ids: Sequence[str]
) -> dict[str, Any]:
    """The variants of these products, and those with these ids wherever they are now."""
    table = _table(Variant)
    columns = [
        table.c.id,
        table.c.external_id,
        table.c.product_id,
        *(table.c[name] for name in VARIANT_COLUMNS),
    ]
    found: dict[str, Any] = {}
    for chunk in _chunks(product_ids, IN_LIST):
        query = select(*columns).where(
            table.c.shop_id == scope.shop_id, _among(scope.session, table.c.product_id, chunk)
        )
        found |= {row.external_id: row for row in scope.session.execute(query)}
    unknown = [external_id for external_id in external_ids if external_id not in found]
    for names in _chunks(unknown, IN_LIST):
        query = select(*columns).where(
            table.c.shop_id == scope.shop_id, _among(scope.session, table.c.external_id, names)
        )
        found |= {row.external_id: row for row in scope.session.execute(query)}
    return found


def _decide(
    shop_id: int,
    records: Mapping[str, ProductRecord],
    existing: Mapping[str, Any],
    known: Mapping[str, Any],
) -> _Batch:
    """Which products and variants are new or differ, and which variants are gone."""
    now = utcnow()
    batch = _Batch()
    changed: set[str] = set()
    for external_id in sorted(records):
        record, row = records[external_id], existing.get(external_id)
        values = _product_values(record)
        if row is None or _differs(row, values):
            changed.add(external_id)
        for variant in record.variants:
            variant_values = _variant_values(variant)
            old = known.get(variant.external_id)
            if (
                old is None
                or row is None
                or old.product_id != row.id
                or _differs(old, variant_values)
            ):
                changed.add(external_id)
                batch.variants[variant.external_id] = (
                    external_id,
                    {
                        "shop_id": shop_id,
                        "external_id": variant.external_id,
                        "created_at": now,
                        "updated_at": now,
                        **variant_values,
                    },
                )
        batch.outcomes[external_id] = (
            "created" if row is None else "updated" if external_id in changed else "unchanged"
        )
    listed = {v.external_id: e for e in sorted(records) for v in records[e].variants}
    by_id = {row.id: external_id for external_id, row in existing.items()}
    for old in known.values():
        owner = by_id.get(old.product_id)
        now_under = listed.get(old.external_id)
        if owner is None or now_under == owner:
            continue
        if now_under is None:
            batch.gone.append((owner, old.id))
        changed.add(owner)  # lost a variant: gone upstream, or moved to another product
    for external_id in sorted(changed):
        if batch.outcomes[external_id] == "unchanged":
            batch.outcomes[external_id] = "updated"
        batch.products.append(
            {
                "shop_id": shop_id,
                "external_id": external_id,
                "created_at": now,
                "updated_at": now,
                "synced_at": now,
                "metadata": {},  # the column behind Product.extra
                **_product_values(records[external_id]),
            }
        )
    return batch


def archive_products(scope: ShopScope, external_ids: Iterable[str]) -> int:
    """Deleted upstream: archive (kept for the orders that reference them). Returns how many."""
    wanted = list(dict.fromkeys(external_ids))
    archived = 0
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = scope.select(Product).where(
            Product.external_id.in_(chunk), Product.status != ProductStatus.ARCHIVED
        )
        for product in scope.session.scalars(query):
            product.status = ProductStatus.ARCHIVED
            product.extra = {**product.extra, "deleted_upstream_at": utcnow().isoformat()}
            archived += 1
    scope.session.flush()
    return archived


def archive_missing(scope: ShopScope, seen: set[str], listed_since: datetime) -> int:
    """After a full listing: archive this shop's live products the platform no longer has.

    Rows created after the listing began (a webhook sync meanwhile) were not listed: kept.
    """
    query = select(Product.external_id).where(
        Product.shop_id == scope.shop_id,
        Product.status != ProductStatus.ARCHIVED,
        Product.created_at < listed_since,
    )
    missing = [
        external_id for external_id in scope.session.scalars(query) if external_id not in seen
    ]
    return archive_products(scope, missing)


# ------------------------------------------------------------------------------ orders
# Lines whose production starts by itself; an UNPAID one waits for the merchant to release it.
PRODUCED = frozenset({Personalization.DESIGNED, Personalization.RECOVERED})


@dataclass
class OrderEffects:
    """Side effects of an order upsert the summary reports."""

    designs_ordered: int = 0
    designs_not_found: int = 0
    production_jobs: int = 0
    designs_missing: int = 0  # lines now waiting for the shopper's design
    designs_unpaid: int = 0  # lines whose design was not paid for (or is another product's)
    recovery_links: int = 0  # recovery e-mails queued by this upsert
    edit_links: int = 0  # e-mails with the link to change an ordered design, queued by this upsert


def _address(address: Address | None) -> dict[str, Any]:
    return normalize_address(asdict(address)) if address else {}


def _order_values(record: OrderRecord) -> dict[str, Any]:
    return {
        "name": _clip(record.name, 64),
        "email": record.email,
        "currency": record.total.currency,
        "total_price": _amount(record.total),
        "financial_status": _clip(record.financial_status, 32),
        "fulfillment_status": _clip(record.fulfillment_status, 32),
        "shipping_address": _address(record.shipping_address),
        "placed_at": record.placed_at,
        "cancelled_at": record.cancelled_at,
        "platform_updated_at": record.updated_at,
    }


ACCESS_KEY = "access_key_sha256"  # in ``Order.extra``: the hash of the order's ``access_key``


def access_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _keep_access_key(order: Order, key: str | None) -> None:
    """Only a hash is kept: a leaked database row must not open the buyer's order."""
    if not key:
        return
    digest = access_key_digest(key)
    if (order.extra or {}).get(ACCESS_KEY) != digest:
        order.extra = {**(order.extra or {}), ACCESS_KEY: digest}


def _local_ids(
    scope: ShopScope, model: type[Product] | type[Variant], ids: set[str]
) -> dict[str, int]:
    if not ids:
        return {}
    query = select(model.external_id, model.id).where(
        model.shop_id == scope.shop_id, model.external_id.in_(ids)
    )
    return {str(row[0]): int(row[1]) for row in scope.session.execute(query)}


def _designs(scope: ShopScope, public_ids: set[str]) -> dict[str, Design]:
    if not public_ids:
        return {}
    query = scope.select(Design).where(Design.public_id.in_(public_ids))
    return {design.public_id: design for design in scope.session.scalars(query)}


def _templates(scope: ShopScope, product_ids: set[int]) -> dict[int, Template]:
    if not product_ids:
        return {}
    query = scope.select(Template).where(Template.product_id.in_(product_ids))
    return {t.product_id: t for t in scope.session.scalars(query) if t.product_id is not None}


def _line_values(
    line: OrderLineRecord, products: dict[str, int], variants: dict[str, int]
) -> dict[str, Any]:
    return {
        "title": _clip(line.title, 512),
        "sku": _clip(line.sku, 255),
        "quantity": line.quantity,
        "unit_price": _amount(line.unit_price),
        "properties": dict(line.properties),
        "product_id": products.get(line.product_external_id or ""),
        "variant_id": variants.get(line.variant_external_id or ""),
    }


def _personalization_values(verdict: Verdict) -> dict[str, Any]:
    return {
        "design_id": verdict.design.id if verdict.design else None,
        "personalization": verdict.personalization,
        "surcharge": verdict.surcharge,
        "expected_surcharge": verdict.expected,
    }


def upsert_order(
    scope: ShopScope, record: OrderRecord, check: PaidCheck
) -> tuple[Outcome, OrderEffects]:
    """Create or update the order and its lines (never deleted: production refers to them).

    ``check`` is how this shop's lines prove their surcharge was charged (``PaidCheck``).
    """
    return _once_more_on_conflict(scope, lambda: _upsert_order(scope, record, check))


def _upsert_order(
    scope: ShopScope, record: OrderRecord, check: PaidCheck
) -> tuple[Outcome, OrderEffects]:
    order = scope.get_by(Order, external_id=record.external_id)
    outcome: Outcome = "created" if order is None else "unchanged"
    if order is None:
        order = scope.add(Order(external_id=record.external_id))
    if _assign(order, _order_values(record)) and outcome != "created":
        outcome = "updated"
    _keep_access_key(order, record.access_key)
    products = _local_ids(scope, Product, {x.product_external_id or "" for x in record.lines})
    variants = _local_ids(scope, Variant, {x.variant_external_id or "" for x in record.lines})
    designs = _designs(scope, {x.design_public_id for x in record.lines if x.design_public_id})
    templates = _templates(scope, set(products.values()))
    effects = OrderEffects()
    items = {item.external_id: item for item in order.items}
    settled = _in_production(scope, order)
    for line in record.lines:
        design = designs.get(line.design_public_id or "")
        if line.design_public_id and design is None:
            effects.designs_not_found += 1
        item = items.get(line.external_id)
        if item is None:
            item = OrderItem(shop_id=scope.shop_id, external_id=line.external_id)
            order.items.append(item)
            items[line.external_id] = item
        values = _line_values(line, products, variants)
        # Decided for good: added through the link, or already being produced.
        if item.personalization is not Personalization.RECOVERED and item.id not in settled:
            verdict = decide(
                scope,
                product_id=values["product_id"],
                design=design,
                properties=line.properties,
                currency=order.currency,
                customizable=customizable_when(
                    templates.get(values["product_id"]), record.placed_at
                ),
                check=check,
                known_expected=item.expected_surcharge if item.design_id == _id(design) else None,
            )
            values |= _personalization_values(verdict)
        if _assign(item, values) and outcome != "created":
            outcome = "updated"
    scope.session.flush()
    _count_states(order, effects)
    if record.cancelled_at is None:
        _freeze_designs(scope, order, effects)
        effects.production_jobs = _queue_production(scope, order)
        effects.recovery_links = _ask_for_missing_designs(scope, order)
        effects.edit_links = _offer_edits(scope, order)
    return outcome, effects


def _in_production(scope: ShopScope, order: Order) -> set[int]:
    """The order's lines that have a production job: what they print no longer changes."""
    ids = [item.id for item in order.items if item.id is not None]
    if not ids:
        return set()
    query = select(ProductionJob.order_item_id).where(ProductionJob.order_item_id.in_(ids))
    return set(scope.session.scalars(query))


def _id(design: Design | None) -> int | None:
    return design.id if design is not None else None


def _count_states(order: Order, effects: OrderEffects) -> None:
    for item in order.items:
        if item.personalization is Personalization.MISSING:
            effects.designs_missing += 1
        elif item.personalization is Personalization.UNPAID:
            effects.designs_unpaid += 1


def _freeze_designs(scope: ShopScope, order: Order, effects: OrderEffects) -> None:
    """Designs of lines that go to production can no longer change (another product's design,
    or an unpaid one, stays as it is until the merchant releases it)."""
    ids = [item.design_id for item in order.items if item.personalization in PRODUCED]
    for design_id in ids:
        design = scope.get(Design, design_id) if design_id is not None else None
        if design is not None and freeze_ordered(scope.session, design, order.placed_at):
            effects.designs_ordered += 1


def made_by_caller(
    design: Design, secret_key: str, edit_token: str | None, customer_ref: str | None
) -> bool:
    """Whether the caller made ``design``: a signed-in customer's design is that customer's
    (only Shopify's app proxy vouches for one), an anonymous one is proven by its edit token."""
    if design.customer_ref is not None:
        return customer_ref is not None and design.customer_ref == customer_ref
    return bool(edit_token) and lasting_signature_matches(
        secret_key, Mark.DESIGN_EDIT, design.public_id, edit_token or ""
    )


def freeze(design: Design) -> bool:
    """Mark the design ORDERED (frozen from here on); True if it was not yet."""
    if design.status in (DesignStatus.DRAFT, DesignStatus.SAVED):
        design.status = DesignStatus.ORDERED
        return True
    return False


def freeze_ordered(session: Session, design: Design, placed_at: datetime | None) -> bool:
    """``freeze``, and the first time, count the design in the shop's analytics (ordered, its
    AI images, fonts, clipart and colours) on the day the order was placed."""
    if not freeze(design):
        return False
    record_ordered_design(session, design, (placed_at or utcnow()).date())
    return True


def _ask_for_missing_designs(scope: ShopScope, order: Order) -> int:
    """Queue the recovery e-mail for each MISSING line never asked about, once.

    The line is stamped in this transaction by a conditional UPDATE (``recovery_sent_at`` still
    empty), so of two syncs of the same order running at once only the one whose UPDATE changed
    the row queues the e-mail: the other waits for its lock, then finds the stamp.
    """
    if not order.email or order.fulfillment_status == "fulfilled":
        return 0
    asked = 0
    for item in order.items:
        if item.personalization is not Personalization.MISSING or item.recovery_sent_at:
            continue
        now = utcnow()
        stamp = (
            update(OrderItem)
            .where(OrderItem.id == item.id, OrderItem.recovery_sent_at.is_(None))
            .values(recovery_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if scope.session.execute(stamp).rowcount:  # type: ignore[attr-defined]
            set_committed_value(item, "recovery_sent_at", now)
            enqueue_after_commit(scope.session, get_redis(), recovery_mail_spec(item))
            asked += 1
    return asked


def _offer_edits(scope: ShopScope, order: Order) -> int:
    """The e-mail with each produced line's link to change its design (``app.sync.order_edits``)."""
    from app.sync.order_edits import offer_edits  # noqa: PLC0415 (order_edits imports this module)

    shop = scope.session.get(Shop, scope.shop_id)
    return offer_edits(scope, order, shop) if shop is not None else 0


def _queue_production(scope: ShopScope, order: Order) -> int:
    """One QUEUED production job per DESIGNED or RECOVERED line, produced once this sync commits.

    Jobs still QUEUED from an earlier sync are enqueued again too (a line the merchant released
    included): the fixed RQ job id makes that a no-op while one waits, and it recovers a job
    whose enqueue was lost.
    """
    lines = [item for item in order.items if item.design_id is not None]
    return start_production(scope, lines, new_for=PRODUCED)


def start_production(
    scope: ShopScope,
    items: Sequence[OrderItem],
    new_for: Iterable[Personalization] = tuple(Personalization),
) -> int:
    """A QUEUED production job for each of ``items`` (with a design) whose state is in
    ``new_for`` and that has none yet; waiting jobs enqueued again. Returns how many were made."""
    lines = [item for item in items if item.design_id is not None]
    if not lines:
        return 0
    allowed = frozenset(new_for)
    query = scope.select(ProductionJob).where(
        ProductionJob.order_item_id.in_([item.id for item in lines])
    )
    already = {job.order_item_id: job for job in scope.session.scalars(query)}
    waiting = [job for job in already.values() if job.status is ProductionStatus.QUEUED]
    created = 0
    for item in lines:
        if item.id not in already and item.personalization in allowed:
            waiting.append(
                scope.add(
                    ProductionJob(
                        order_item_id=item.id,
                        design_id=item.design_id,
                        status=ProductionStatus.QUEUED,
                    )
                )
            )
            created += 1
    scope.session.flush()
    enqueue_production(scope.session, [(job.id, job.shop_id) for job in waiting])
    return created
