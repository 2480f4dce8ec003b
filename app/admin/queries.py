"""Read models for the merchant admin pages; every query goes through the shop's ShopScope.

Views stay thin: they parse arguments, call one function here and render. Nothing here knows
about Flask; links to files are made by a ``FileLinker`` the caller passes in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app import display, wording
from app.addresses import normalize_address
from app.db import as_utc
from app.fulfilment import jobdata
from app.models import (
    Design,
    Order,
    OrderItem,
    Personalization,
    Product,
    ProductionFile,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofStatus,
    Shop,
    ShopScope,
    StoredFile,
    Template,
)
from app.product_templates.document import FileLinker, template_model_view, variant_title
from app.shopify import cart_transform

T = TypeVar("T")

PRODUCTS_PER_PAGE = 25
ORDERS_PER_PAGE = 20
RECENT_ORDERS = 5
ATTENTION_LIMIT = 10
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class ProductRow:
    product: Product
    template: Template | None

    @property
    def price_range(self) -> str:
        prices = sorted({v.price for v in self.product.variants})
        if not prices:
            return ""
        currency = self.product.variants[0].currency
        locale = display.current_locale()
        if len(prices) == 1:
            return display.money(prices[0], currency, locale)
        low, high = (display.money(p, currency, locale) for p in (prices[0], prices[-1]))
        return f"{low}–{high}"


@dataclass(frozen=True)
class FileLink:
    label: str
    url: str


@dataclass(frozen=True)
class ModelLinks:
    """The produced 3D model: a GLB for the in-page viewer, a USDZ for AR Quick Look."""

    glb_url: str
    usdz_url: str | None = None
    orbit: str | None = None  # where the viewer's camera starts: facing the print


@dataclass(frozen=True)
class FindingRow:
    """One preflight finding as the order page lists it."""

    severity: str  # error, warning, info
    where: str  # "front, layer 2"; empty for the whole design
    message: str
    code: str


@dataclass(frozen=True)
class ItemRow:
    item: OrderItem
    design: Design | None
    job: ProductionJob | None
    files: list[FileLink] = field(default_factory=list)
    preview_url: str | None = None  # the design's rendered preview, when there is one
    previews: list[FileLink] = field(default_factory=list)  # one per print area, on its mockup
    model: ModelLinks | None = None  # the design on the template's 3D model, when produced
    # The design on each of the areas' other pictures (the back, a side…), drawn when shown.
    views: list[FileLink] = field(default_factory=list)
    proof: Proof | None = None  # the shopper's approval, when the template asks for it

    @property
    def proof_row(self) -> ProofRow | None:
        return proof_row(self.proof, self.job)

    # The template's print areas by key, as the merchant named them ("wrap" → "Wrap-around").
    area_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def findings(self) -> list[FindingRow]:
        return preflight_findings(self.job, self.area_names)

    @property
    def preflight_ran(self) -> bool:
        return self.job is not None and "findings" in (self.job.preflight or {})

    @property
    def can_retry(self) -> bool:
        return self.job is not None and self.job.status is ProductionStatus.FAILED

    @property
    def personalization(self) -> PersonalizationRow | None:
        return personalization_row(self.item, self.design, self.job)


@dataclass(frozen=True)
class PersonalizationRow:
    """Where a line stands with its design, in the merchant's words, and what they can do."""

    state: str  # the Personalization value, for styling and tests
    status: str  # "Waiting for the shopper's design — link sent 5 Dec"
    tone: str  # badge tone: success, warning, danger, info
    charge: str | None  # "Personalization: 4.00 EUR charged (expected 4.00 EUR)"
    can_resend: bool  # "Send the link again"
    can_release: bool  # "Produce anyway"
    # What the shopper chose, as the cart line showed it ("Name": "Sam", "Ink": "Charcoal").
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProofRow:
    """Where a line's proof approval stands, in the merchant's words, and what they can do."""

    state: str  # the ProofStatus value, for styling and tests
    status: str  # "Sent to the shopper; answer due Dec 8, 2026, 3:00 PM UTC"
    tone: str  # badge tone
    comment: str | None  # the shopper's request for changes
    send_label: str | None  # "Send proof" / "Send the proof again"; None: nothing to send


PROOF_TONES = {
    ProofStatus.PENDING: "warning",
    ProofStatus.SENT: "info",
    ProofStatus.APPROVED: "success",
    ProofStatus.CHANGES_REQUESTED: "danger",
    ProofStatus.EXPIRED: "warning",
}


def proof_row(proof: Proof | None, job: ProductionJob | None) -> ProofRow | None:
    if proof is None:
        return None
    when = display.moment
    status = {
        ProofStatus.PENDING: "Proof not sent yet: production waits for the shopper's approval",
        ProofStatus.SENT: f"Proof sent {when(proof.sent_at)}; answer due {when(proof.deadline_at)}",
        ProofStatus.APPROVED: (
            "Approved automatically at the deadline"
            if proof.decided_by == "deadline"
            else f"Approved by the shopper {when(proof.decided_at)}"
        ),
        ProofStatus.CHANGES_REQUESTED: f"The shopper asked for changes {when(proof.decided_at)}",
        ProofStatus.EXPIRED: (
            f"No answer by the deadline ({when(proof.deadline_at)}): still waiting for the shopper"
        ),
    }[proof.status]
    ready = job is not None and job.status is ProductionStatus.READY
    label = None
    if ready and proof.status is not ProofStatus.APPROVED:
        label = "Send the proof again" if proof.status is ProofStatus.SENT else "Send proof"
    tone = PROOF_TONES[proof.status]
    return ProofRow(proof.status.value, status, tone, proof.comment, label)


def shopper_values(properties: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The line's visible properties in their order (a leading ``_`` hides one, as on the store)."""
    return tuple(
        (str(key), str(value))
        for key, value in (properties or {}).items()
        if not str(key).startswith("_") and str(value).strip()
    )


def _day(moment: datetime | None) -> str:
    return display.day(as_utc(moment), display.current_locale())


def _money(amount: Decimal | None, currency: str) -> str:
    return display.money(amount, currency, display.current_locale())


def _charge(item: OrderItem, currency: str) -> str | None:
    if item.surcharge is None and item.expected_surcharge is None:
        return None
    charged = (
        f"{_money(item.surcharge, currency)} charged"
        if item.surcharge is not None
        else ("nothing charged")
    )
    expected = _money(item.expected_surcharge, currency) or "not known"
    return f"Personalization: {charged} (expected {expected})"


def _missing_status(item: OrderItem, order: Order) -> str:
    if order.cancelled_at is not None:
        return "No design — the order was cancelled"
    if order.fulfillment_status == "fulfilled":
        return "No design — the order is fulfilled"
    if not order.email:
        return "Waiting for the shopper's design — the order has no e-mail address for the link"
    if item.recovery_sent_at is None:
        return "Waiting for the shopper's design — the link is being sent"
    return f"Waiting for the shopper's design — link sent {_day(item.recovery_sent_at)}"


def _unpaid_status(item: OrderItem, design: Design | None, job: ProductionJob | None) -> str:
    if job is not None:
        return "Surcharge not paid — produced anyway"
    if design is not None and design.product_id != item.product_id:
        return "The attached design was made for another product — production on hold"
    return "Surcharge not paid — production on hold"


def personalization_row(
    item: OrderItem, design: Design | None, job: ProductionJob | None
) -> PersonalizationRow | None:
    """The line's personalization for the order page (None for a line with nothing to say)."""
    order, state = item.order, item.personalization
    is_open = order.cancelled_at is None and order.fulfillment_status != "fulfilled"
    charge = _charge(item, order.currency)
    values = shopper_values(item.properties)
    if state is Personalization.DESIGNED:
        return PersonalizationRow(
            state, "Designed and paid", "success", charge, False, False, values
        )
    if state is Personalization.RECOVERED:
        sent = f" (link sent {_day(item.recovery_sent_at)})" if item.recovery_sent_at else ""
        status = f"Design added by the shopper after the order{sent}"
        return PersonalizationRow(state, status, "success", charge, False, False, values)
    if state is Personalization.MISSING:
        can_resend = is_open and bool(order.email)
        return PersonalizationRow(
            state, _missing_status(item, order), "warning", charge, can_resend, False
        )
    if state is Personalization.UNPAID:
        can_release = design is not None and job is None and order.cancelled_at is None
        status = _unpaid_status(item, design, job)
        return PersonalizationRow(state, status, "danger", charge, False, can_release, values)
    return None


@dataclass(frozen=True)
class OrderRow:
    order: Order
    items: list[ItemRow]

    @property
    def address(self) -> dict[str, str]:
        """The stored address read through the normaliser (older rows included)."""
        return normalize_address(self.order.shipping_address)

    @property
    def design_items(self) -> list[ItemRow]:
        return [row for row in self.items if row.design is not None]


@dataclass(frozen=True)
class Attention:
    """Something the merchant should act on; ``order_id`` links to the order when there is one."""

    kind: str
    message: str
    order_id: int | None = None


@dataclass(frozen=True)
class Dashboard:
    products: int
    templates: int
    orders_with_designs: int
    orders_waiting_for_design: int  # an open order with a line still MISSING its design
    unpaid_lines: int  # lines held because their surcharge was not paid (not released)
    jobs_by_status: dict[ProductionStatus, int]
    recent_orders: list[OrderRow]
    attention: list[Attention]


# ---------------------------------------------------------------- helpers


def _count(scope: ShopScope, stmt: Select[Any]) -> int:
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    return int(scope.session.scalar(counted) or 0)


def _paginate(scope: ShopScope, stmt: Select[T], page: int, per_page: int) -> Page[T]:
    total = _count(scope, stmt)
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    rows = scope.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(items=list(rows), page=page, per_page=per_page, total=total)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---------------------------------------------------------------- products


def _product_search(scope: ShopScope, query: str) -> Select[Product]:
    stmt = scope.select(Product).options(selectinload(Product.variants))
    term = query.strip()[:MAX_SEARCH_LENGTH]
    if term:
        pattern = _like(term)
        columns = (Product.title, Product.handle, Product.vendor, Product.product_type)
        stmt = stmt.where(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
    return stmt.order_by(Product.title, Product.id)


def _templates_by_product(scope: ShopScope, product_ids: Sequence[int]) -> dict[int, Template]:
    if not product_ids:
        return {}
    stmt = scope.select(Template).where(Template.product_id.in_(product_ids))
    return {t.product_id: t for t in scope.session.scalars(stmt) if t.product_id is not None}


def product_page(
    scope: ShopScope, query: str = "", page: int = 1, per_page: int = PRODUCTS_PER_PAGE
) -> Page[ProductRow]:
    """The synced catalog, searched by title/handle/vendor/type, with each product's template."""
    found = _paginate(scope, _product_search(scope, query), page, per_page)
    templates = _templates_by_product(scope, [p.id for p in found.items])
    rows = [ProductRow(product=p, template=templates.get(p.id)) for p in found.items]
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)


COPY_TARGETS_LIMIT = 500


def copy_targets(scope: ShopScope, exclude_id: int) -> list[dict[str, Any]]:
    """The shop's other products, by title, for the editor's "Copy to another product" picker.

    Bounded: a catalog larger than ``COPY_TARGETS_LIMIT`` lists its first products by title.
    """
    stmt = (
        scope.select(Product)
        .where(Product.id != exclude_id)
        .order_by(Product.title, Product.id)
        .limit(COPY_TARGETS_LIMIT)
    )
    products = list(scope.session.scalars(stmt))
    templates = _templates_by_product(scope, [p.id for p in products])
    return [{"id": p.id, "title": p.title, "has_template": p.id in templates} for p in products]


def variant_choices(product: Product) -> list[dict[str, Any]]:
    """The product's variants as a choice option may select them (Luneo's local ids)."""
    return [{"id": v.id, "title": variant_title(v), "sku": v.sku} for v in product.variants]


# ---------------------------------------------------------------- orders


def _designs(scope: ShopScope, design_ids: Iterable[int]) -> dict[int, Design]:
    ids = sorted(set(design_ids))
    if not ids:
        return {}
    stmt = scope.select(Design).where(Design.id.in_(ids))
    return {d.id: d for d in scope.session.scalars(stmt)}


def _jobs(scope: ShopScope, item_ids: Iterable[int]) -> dict[int, ProductionJob]:
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    stmt = (
        scope.select(ProductionJob)
        .where(ProductionJob.order_item_id.in_(ids))
        .options(selectinload(ProductionJob.files).selectinload(ProductionFile.stored_file))
    )
    return {j.order_item_id: j for j in scope.session.scalars(stmt)}


def _proofs(scope: ShopScope, job_ids: Iterable[int]) -> dict[int, Proof]:
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    stmt = scope.select(Proof).where(Proof.production_job_id.in_(ids))
    return {p.production_job_id: p for p in scope.session.scalars(stmt)}


def _previews(scope: ShopScope, designs: Iterable[Design]) -> dict[int, StoredFile]:
    ids = sorted({d.preview_file_id for d in designs if d.preview_file_id is not None})
    if not ids:
        return {}
    stmt = scope.select(StoredFile).where(StoredFile.id.in_(ids))
    return {f.id: f for f in scope.session.scalars(stmt)}


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
FORMAT_ORDER = (
    "png",
    "pdf",
    "tiff",
    "pdf-cmyk",
    "cut-svg",
    "cut-dxf",
    "engrave-tiff",
    "engrave-svg",
    "preview",
    "glb",
    "usdz",
    "proof",
)


def preflight_findings(
    job: ProductionJob | None, area_names: Mapping[str, str] | None = None
) -> list[FindingRow]:
    """The job's stored preflight, most severe first; tolerant of a malformed report. Areas
    read by their names (``area_names``) where known."""
    raw = (job.preflight or {}).get("findings") if job is not None else None
    rows: list[FindingRow] = []
    for finding in raw if isinstance(raw, list) else []:
        if not isinstance(finding, dict):
            continue
        area, layer = finding.get("area") or "", finding.get("layer")
        area = (area_names or {}).get(str(area), area)
        where = f"{area}, layer {layer + 1}" if area and isinstance(layer, int) else str(area)
        severity = str(finding.get("severity") or "info")
        message, code = str(finding.get("message") or ""), str(finding.get("code") or "")
        rows.append(FindingRow(severity, where, message, code))
    return sorted(rows, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))


def _production_files(scope: ShopScope, job: ProductionJob | None) -> list[ProductionFile]:
    """The job's files in a stable order: by area as produced, then PNG, PDF, preview, 3D."""
    files = [
        f for f in (job.files if job is not None else []) if f.stored_file.shop_id == scope.shop_id
    ]
    areas = list(dict.fromkeys(f.area_key for f in sorted(files, key=lambda f: f.id or 0)))

    def order(produced: ProductionFile) -> tuple[int, int]:
        rank = FORMAT_ORDER.index(produced.format) if produced.format in FORMAT_ORDER else 99
        return areas.index(produced.area_key), rank

    return sorted(files, key=order)


def _item_files(
    scope: ShopScope,
    design: Design | None,
    job: ProductionJob | None,
    previews: dict[int, StoredFile],
    link: FileLinker,
    names: Mapping[str, str],
) -> list[FileLink]:
    links: list[FileLink] = []
    linked: set[int] = set()
    for produced in _production_files(scope, job):  # shop-owned only: never link another's
        area = names.get(produced.area_key, produced.area_key)
        label = wording.file_label(area, produced.format)  # the proof sheet is the whole line's
        links.append(FileLink(label, link(produced.stored_file)))
        linked.add(produced.stored_file_id)
    preview_id = design.preview_file_id if design is not None else None
    if preview_id in previews and preview_id not in linked:  # e.g. the storefront's preview
        links.insert(0, FileLink("Preview", link(previews[preview_id])))
    return links


def _area_previews(
    scope: ShopScope, job: ProductionJob | None, link: FileLinker, names: Mapping[str, str]
) -> list[FileLink]:
    return [
        FileLink(names.get(produced.area_key, produced.area_key), link(produced.stored_file))
        for produced in _production_files(scope, job)
        if produced.format == "preview"
    ]


def _model_links(
    scope: ShopScope, job: ProductionJob | None, design: Design | None, link: FileLinker
) -> ModelLinks | None:
    urls = {
        produced.format: link(produced.stored_file)
        for produced in _production_files(scope, job)
        if produced.format in ("glb", "usdz")
    }
    if "glb" not in urls:
        return None
    template_id = design.template_id if design is not None else None
    template = scope.get(Template, template_id) if template_id is not None else None
    view = None
    if template is not None:
        view = template_model_view(template, sorted(template.print_areas, key=lambda a: a.position))
    return ModelLinks(urls["glb"], urls.get("usdz"), view["orbit"] if view else None)


def _order_rows(
    scope: ShopScope, orders: Sequence[Order], link: FileLinker | None = None
) -> list[OrderRow]:
    """Orders with their items' designs, production jobs and (with ``link``) file links."""
    items = [item for order in orders for item in order.items]
    designs = _designs(scope, (i.design_id for i in items if i.design_id is not None))
    jobs = _jobs(scope, (i.id for i in items))
    proofs = _proofs(scope, (j.id for j in jobs.values()))
    previews = _previews(scope, designs.values()) if link is not None else {}

    def row(item: OrderItem) -> ItemRow:
        design = designs.get(item.design_id) if item.design_id is not None else None
        job = jobs.get(item.id)
        names = jobdata.area_names(scope.session, job)
        files = _item_files(scope, design, job, previews, link, names) if link is not None else []
        preview = previews.get(design.preview_file_id or 0) if design is not None else None
        preview_url = link(preview) if link is not None and preview is not None else None
        areas = _area_previews(scope, job, link, names) if link is not None else []
        if not areas and preview_url is not None:
            areas = [FileLink("Design", preview_url)]
        return ItemRow(
            item=item,
            design=design,
            job=job,
            files=files,
            preview_url=preview_url,
            previews=areas,
            model=_model_links(scope, job, design, link) if link is not None else None,
            proof=proofs.get(job.id) if job is not None else None,
            area_names=names,
        )

    return [OrderRow(order=o, items=[row(i) for i in o.items]) for o in orders]


def _orders_newest_first(scope: ShopScope) -> Select[Order]:
    placed = func.coalesce(Order.placed_at, Order.created_at)
    return (
        scope.select(Order)
        .options(selectinload(Order.items))
        .order_by(placed.desc(), Order.id.desc())
    )


def order_page(
    scope: ShopScope, link: FileLinker, page: int = 1, per_page: int = ORDERS_PER_PAGE
) -> Page[OrderRow]:
    found = _paginate(scope, _orders_newest_first(scope), page, per_page)
    rows = _order_rows(scope, found.items, link)
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)


ViewLinker = Callable[[OrderItem, str, int], str]


def order_detail(
    scope: ShopScope, order_id: int, link: FileLinker, view_link: ViewLinker | None = None
) -> OrderRow | None:
    """One order of this shop, or None (also for another shop's order: it does not exist here).

    ``view_link``: where the design on an area's view ``n`` (n >= 1; production stored view 0)
    is drawn, for every view of every designed line."""
    order = scope.get(Order, order_id)
    if order is None:
        return None
    row = _order_rows(scope, [order], link)[0]
    if view_link is None:
        return row
    lines = [replace(line, views=_view_links(scope, line, view_link)) for line in row.items]
    return replace(row, items=lines)


def _view_links(scope: ShopScope, line: ItemRow, view_link: ViewLinker) -> list[FileLink]:
    design = line.design
    template_id = design.template_id if design is not None else None
    template = scope.get(Template, template_id) if template_id is not None else None
    if template is None or design is None:
        return []
    areas = sorted(template.print_areas, key=lambda a: (a.position, a.id))
    areas_used = (design.document.get("areas") or {}).items()
    used = {key for key, area in areas_used if isinstance(area, dict) and area.get("layers")}
    return [
        FileLink(f"{area.name} · {view.name}", view_link(line.item, area.key, number))
        for area in areas
        if area.key in used
        for number, view in enumerate(area.views, start=1)
    ]


# ---------------------------------------------------------------- dashboard


def _orders_with_designs(scope: ShopScope) -> int:
    stmt = scope.select(Order).where(Order.items.any(OrderItem.design_id.is_not(None)))
    return _count(scope, stmt)


def _open_orders(scope: ShopScope) -> Select[Order]:
    return scope.select(Order).where(
        Order.cancelled_at.is_(None), Order.fulfillment_status != "fulfilled"
    )


def orders_waiting_for_design(scope: ShopScope) -> int:
    """Open orders with a line whose design the shopper still has to add."""
    waiting = OrderItem.personalization == Personalization.MISSING
    return _count(scope, _open_orders(scope).where(Order.items.any(waiting)))


def unpaid_lines(scope: ShopScope) -> int:
    """Lines of open orders held as unpaid that the merchant has not released."""
    stmt = (
        scope.select(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.personalization == Personalization.UNPAID,
            Order.cancelled_at.is_(None),
            Order.fulfillment_status != "fulfilled",
            ~select(ProductionJob.id).where(ProductionJob.order_item_id == OrderItem.id).exists(),
        )
    )
    return _count(scope, stmt)


def jobs_by_status(scope: ShopScope) -> dict[ProductionStatus, int]:
    """Production job counts for every status (zero included), in pipeline order."""
    stmt = (
        scope.select(ProductionJob)
        .with_only_columns(ProductionJob.status, func.count(ProductionJob.id))
        .group_by(ProductionJob.status)
    )
    counted = {status: int(n) for status, n in scope.session.execute(stmt)}
    return {status: counted.get(status, 0) for status in ProductionStatus}


def _failed_jobs(scope: ShopScope) -> list[Attention]:
    stmt = (
        scope.select(ProductionJob)
        .join(OrderItem, OrderItem.id == ProductionJob.order_item_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(ProductionJob.status == ProductionStatus.FAILED, Order.shop_id == scope.shop_id)
        .add_columns(Order.id, Order.name)
        .order_by(ProductionJob.status_changed_at.desc())
        .limit(ATTENTION_LIMIT)
    )
    return [
        Attention(
            kind="failed_job",
            message=f"Production failed for order {name or order_id}: "
            f"{wording.job_problem(job.error) or 'no details'}",
            order_id=order_id,
        )
        for job, order_id, name in scope.session.execute(stmt)
    ]


def attention(scope: ShopScope, shop: Shop) -> list[Attention]:
    """What needs the merchant: a store connection to renew, surcharges Shopify will not let
    Luneo charge, production that failed."""
    items: list[Attention] = []
    if shop.needs_reauth:
        items.append(
            Attention(
                kind="reauth",
                message="Luneo lost access to your store and could not renew it: reopen Luneo "
                "from your store admin to re-authorize it, or products, orders and shipments "
                "stop syncing.",
            )
        )
    surcharges = cart_transform.refusal(shop)
    if surcharges is not None:
        items.append(Attention(kind="surcharge", message=surcharges))
    return items + _failed_jobs(scope) + _proofs_waiting(scope)


def _proofs_waiting(scope: ShopScope) -> list[Attention]:
    """Proofs the shopper asked changes to, or left unanswered past the deadline."""
    stmt = (
        scope.select(Proof)
        .join(ProductionJob, ProductionJob.id == Proof.production_job_id)
        .join(OrderItem, OrderItem.id == ProductionJob.order_item_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Proof.status.in_([ProofStatus.CHANGES_REQUESTED, ProofStatus.EXPIRED]))
        .add_columns(Order.id, Order.name, OrderItem.title)
        .order_by(Proof.updated_at.desc())
        .limit(ATTENTION_LIMIT)
    )
    found = []
    for proof, order_id, name, title in scope.session.execute(stmt):
        item = f"“{title}” of order {name or order_id}" if title else f"order {name or order_id}"
        if proof.status is ProofStatus.CHANGES_REQUESTED:
            kind, message = "proof_changes", f"The shopper asked for changes to {item}: "
            message += (proof.comment or "")[:200]
        else:
            kind = "proof_expired"
            message = f"The proof of {item} was not answered by its deadline."
        found.append(Attention(kind=kind, message=message, order_id=order_id))
    return found


def dashboard(scope: ShopScope, shop: Shop, link: FileLinker | None = None) -> Dashboard:
    """The dashboard's numbers; with ``link``, recent orders carry design preview links."""
    active_templates = scope.select(Template).where(Template.is_active.is_(True))
    recent = scope.session.scalars(_orders_newest_first(scope).limit(RECENT_ORDERS))
    return Dashboard(
        products=scope.count(Product),
        templates=_count(scope, active_templates),
        orders_with_designs=_orders_with_designs(scope),
        orders_waiting_for_design=orders_waiting_for_design(scope),
        unpaid_lines=unpaid_lines(scope),
        jobs_by_status=jobs_by_status(scope),
        recent_orders=_order_rows(scope, list(recent), link),
        attention=attention(scope, shop),
    )
