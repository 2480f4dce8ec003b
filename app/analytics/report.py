"""What the analytics page shows, for a shop or one of its templates, over a date range.

Everything is read with a handful of grouped queries, whatever the range (each a range of the
counters' one index: shop, kind, key, day): the counters
(``analytics_counters``, one row per day, template, kind and key), the surcharges synced
orders charged (``order_items``: what ``app.sync.order_edits.charged`` says a line paid, times
its quantity, for lines that went to production) and the AI images generated (``generations``).
Days are UTC. A range of 90 days or more is shown by week (weeks start on Monday).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from app.models import (
    AnalyticsCounter,
    Design,
    EventKind,
    Generation,
    GenerationStatus,
    Order,
    OrderItem,
    Personalization,
    Template,
)

RANGES: dict[str, tuple[int, str]] = {
    "7d": (7, "Last 7 days"),
    "30d": (30, "Last 30 days"),
    "90d": (90, "Last 90 days"),
    "12m": (365, "Last 12 months"),
}
DEFAULT_RANGE = "30d"
Granularity = Literal["day", "week"]
FUNNEL = (
    EventKind.EDITOR_OPENED,
    EventKind.DESIGN_STARTED,
    EventKind.ADDED_TO_CART,
    EventKind.ORDERED,
)
FUNNEL_LABELS = {
    EventKind.EDITOR_OPENED: "Editor opened",
    EventKind.DESIGN_STARTED: "Design started",
    EventKind.ADDED_TO_CART: "Added to cart",
    EventKind.ORDERED: "Ordered",
}
TOP_KINDS = (EventKind.FONT, EventKind.CLIPART, EventKind.COLOUR)
PREFLIGHT = (EventKind.PREFLIGHT_FIXED, EventKind.PREFLIGHT_IGNORED)
TOP_N = 10
PRODUCED = (Personalization.DESIGNED, Personalization.RECOVERED)


@dataclass(frozen=True)
class Period:
    """The days shown, both ends included, and how they are grouped."""

    key: str
    start: date
    end: date
    by: Granularity

    @classmethod
    def ending(cls, today: date, key: str, by: str | None = None) -> Period:
        days = RANGES[key if key in RANGES else DEFAULT_RANGE][0]
        key = key if key in RANGES else DEFAULT_RANGE
        grouping: Granularity = (
            by if by in ("day", "week") else ("week" if days >= 90 else "day")  # type: ignore[assignment]
        )
        return cls(key, today - timedelta(days=days - 1), today, grouping)

    def bucket(self, day: date) -> date:
        return day - timedelta(days=day.weekday()) if self.by == "week" else day

    def buckets(self) -> list[date]:
        step = timedelta(days=7 if self.by == "week" else 1)
        first, found = self.bucket(self.start), []
        while first <= self.end:
            found.append(first)
            first += step
        return found

    def instants(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.start, time.min, tzinfo=UTC)
        return start, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass
class Report:
    period: Period
    buckets: list[date]
    funnel: dict[EventKind, list[int]]  # per bucket
    totals: dict[EventKind, int]
    revenue: dict[str, list[Decimal]]  # per currency, per bucket
    revenue_totals: dict[str, Decimal]
    ai_generated: int
    ai_used: int
    preflight: list[tuple[str, int, int]]  # code, fixed, ignored
    top: dict[EventKind, list[tuple[str, int]]]
    per_template: list[tuple[int, str, dict[EventKind, int]]] = field(default_factory=list)

    def rate(self, numerator: EventKind, denominator: EventKind) -> float | None:
        """A conversion rate over the whole period, None when nothing was counted below it."""
        below = self.totals.get(denominator, 0)
        return self.totals.get(numerator, 0) / below if below else None

    def rates_over_time(self) -> list[float | None]:
        """Editor opened → ordered, per bucket."""
        opened, ordered = self.funnel[EventKind.EDITOR_OPENED], self.funnel[EventKind.ORDERED]
        return [o / n if n else None for o, n in zip(ordered, opened, strict=True)]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite's date() is text


def _counters(shop_id: int, period: Period, template_id: int | None) -> Select[Any]:
    query = select().where(
        AnalyticsCounter.shop_id == shop_id,
        AnalyticsCounter.day >= period.start,
        AnalyticsCounter.day <= period.end,
    )
    if template_id is not None:
        query = query.where(AnalyticsCounter.template_id == template_id)
    return query


def build(session: Session, shop_id: int, period: Period, template_id: int | None = None) -> Report:
    """The report for the shop (``template_id`` None) or one of its templates (the caller has
    checked that it is this shop's)."""
    buckets = period.buckets()
    index = {bucket: n for n, bucket in enumerate(buckets)}
    funnel = {kind: [0] * len(buckets) for kind in FUNNEL}
    totals: dict[EventKind, int] = defaultdict(int)
    kinds = [str(kind) for kind in (*FUNNEL, EventKind.AI_IMAGE_USED)]
    daily = _counters(shop_id, period, template_id).add_columns(
        AnalyticsCounter.day, AnalyticsCounter.kind, func.sum(AnalyticsCounter.count)
    )
    daily = daily.where(AnalyticsCounter.kind.in_(kinds), AnalyticsCounter.key == "").group_by(
        AnalyticsCounter.day, AnalyticsCounter.kind
    )
    for day, kind, count in session.execute(daily):
        event, n = EventKind(kind), int(count or 0)
        totals[event] += n
        if event in funnel:
            funnel[event][index[period.bucket(_as_date(day))]] += n
    keyed = _counters(shop_id, period, template_id).add_columns(
        AnalyticsCounter.kind, AnalyticsCounter.key, func.sum(AnalyticsCounter.count)
    )
    keyed = keyed.where(
        AnalyticsCounter.kind.in_([str(kind) for kind in (*TOP_KINDS, *PREFLIGHT)])
    ).group_by(AnalyticsCounter.kind, AnalyticsCounter.key)
    top: dict[EventKind, list[tuple[str, int]]] = {kind: [] for kind in TOP_KINDS}
    outcomes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, key, count in session.execute(keyed):
        event, n = EventKind(kind), int(count or 0)
        if event in top:
            top[event].append((key, n))
        else:
            outcomes[key][0 if event is EventKind.PREFLIGHT_FIXED else 1] += n
    for kind in TOP_KINDS:
        top[kind] = sorted(top[kind], key=lambda pair: (-pair[1], pair[0]))[:TOP_N]
    revenue, revenue_totals = _revenue(session, shop_id, period, template_id, index)
    report = Report(
        period=period,
        buckets=buckets,
        funnel=funnel,
        totals=dict(totals),
        revenue=revenue,
        revenue_totals=revenue_totals,
        ai_generated=_generated(session, shop_id, period, template_id),
        ai_used=totals.get(EventKind.AI_IMAGE_USED, 0),
        preflight=sorted(((code, f, i) for code, (f, i) in outcomes.items()), key=_most_seen),
        top=top,
    )
    if template_id is None:
        report.per_template = _per_template(session, shop_id, period)
    return report


def _most_seen(row: tuple[str, int, int]) -> tuple[int, str]:
    return -(row[1] + row[2]), row[0]


def _revenue(
    session: Session,
    shop_id: int,
    period: Period,
    template_id: int | None,
    index: dict[date, int],
) -> tuple[dict[str, list[Decimal]], dict[str, Decimal]]:
    """Surcharges charged by lines that went to production, per currency and bucket."""
    start, end = period.instants()
    paid = func.coalesce(OrderItem.surcharge, OrderItem.expected_surcharge) * OrderItem.quantity
    day = func.date(Order.placed_at)
    query = (
        select(day, Order.currency, func.sum(paid))
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.shop_id == shop_id,
            Order.placed_at >= start,
            Order.placed_at < end,
            Order.cancelled_at.is_(None),
            OrderItem.personalization.in_(PRODUCED),
        )
        .group_by(day, Order.currency)
    )
    if template_id is not None:
        query = query.join(
            Design, and_(Design.id == OrderItem.design_id, Design.template_id == template_id)
        )
    series: dict[str, list[Decimal]] = {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for placed, currency, amount in session.execute(query):
        if amount is None:
            continue
        value = Decimal(amount).quantize(Decimal("0.01"))
        row = series.setdefault(currency, [Decimal("0.00")] * len(index))
        row[index[period.bucket(_as_date(placed))]] += value
        totals[currency] += value
    return series, dict(totals)


def _generated(session: Session, shop_id: int, period: Period, template_id: int | None) -> int:
    start, end = period.instants()
    query = select(func.count(Generation.id)).where(
        Generation.shop_id == shop_id,
        Generation.status == GenerationStatus.SUCCEEDED,
        Generation.created_at >= start,
        Generation.created_at < end,
    )
    if template_id is not None:
        query = query.where(Generation.template_id == template_id)
    return int(session.scalar(query) or 0)


def _per_template(
    session: Session, shop_id: int, period: Period
) -> list[tuple[int, str, dict[EventKind, int]]]:
    """The funnel's totals per template, busiest first (a deleted template by its number)."""
    query = (
        _counters(shop_id, period, None)
        .add_columns(
            AnalyticsCounter.template_id, AnalyticsCounter.kind, func.sum(AnalyticsCounter.count)
        )
        .where(
            AnalyticsCounter.kind.in_([str(kind) for kind in FUNNEL]), AnalyticsCounter.key == ""
        )
        .group_by(AnalyticsCounter.template_id, AnalyticsCounter.kind)
    )
    found: dict[int, dict[EventKind, int]] = defaultdict(dict)
    for template_id, kind, count in session.execute(query):
        found[int(template_id)][EventKind(kind)] = int(count or 0)
    names = template_names(session, shop_id, found)
    rows = [(tid, names.get(tid, f"Template #{tid}"), counts) for tid, counts in found.items()]
    return sorted(rows, key=lambda row: (-row[2].get(EventKind.EDITOR_OPENED, 0), row[1]))


def template_names(session: Session, shop_id: int, ids: Iterable[int]) -> dict[int, str]:
    wanted = [template_id for template_id in ids if template_id]
    if not wanted:
        return {}
    query = select(Template.id, Template.name).where(
        Template.shop_id == shop_id, Template.id.in_(wanted)
    )
    return {int(row[0]): str(row[1]) for row in session.execute(query)}


def counter_rows(
    session: Session, shop_id: int, period: Period, template_id: int | None
) -> Iterator[tuple[date, int, str, str, int]]:
    """Every counter of the period, day by day: (day, template id, kind, key, count)."""
    query = (
        _counters(shop_id, period, template_id)
        .add_columns(
            AnalyticsCounter.day,
            AnalyticsCounter.template_id,
            AnalyticsCounter.kind,
            AnalyticsCounter.key,
            AnalyticsCounter.count,
        )
        .order_by(
            AnalyticsCounter.day,
            AnalyticsCounter.template_id,
            AnalyticsCounter.kind,
            AnalyticsCounter.key,
        )
    )
    for day, template_id, kind, key, count in session.execute(query):
        yield _as_date(day), int(template_id), str(kind), str(key), int(count)
