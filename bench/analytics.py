"""Analytics: what recording a batch of widget events costs, and how fast the dashboard reads
12 months of a busy shop.

Recording. A batch of ``--events`` events (the widget's kinds, over a few templates, as a
shopper session sends them) is recorded two ways, each the median of ``--runs`` batches, each
committed:

- Luneo: ``app.analytics.events.record`` — folded into ``(template, kind, key) → n`` and added to
  the day's counters with one ``INSERT … ON CONFLICT DO UPDATE``;
- baseline: the least a recorder can do, a bare ``INSERT`` of the batch's rows into a plain
  event table (one row per event, no key, no conflict handling): an executemany.

Printed: both in milliseconds (the two take turns, batch by batch) and Luneo's as a ratio to
the baseline (target <= 2), and the
whole ``POST /proxy/events`` request (signature, shop, rate limits in the embedded Redis, JSON
checks, the shop's templates, the upsert) as a ratio to the same baseline.

Dashboard. A busy shop: ``--templates`` templates, 365 days of counters (the funnel, AI images,
two preflight codes fixed and ignored, 10 fonts, 20 clipart, 12 colours: ~70 rows per template
and day), ``--orders`` orders a day with a personalised line each, and ``--others`` other shops
as busy in the same tables. Luneo's dashboard for 12 months (``app.analytics.report.build``: the
funnel by week, totals, revenue, AI, preflight, tops, per template) is timed against a baseline
that reads the same counters once: ``SELECT sum(count) … WHERE shop_id = ? AND day >= ?``.
Printed: both in milliseconds (median of ``--runs``) and the ratio (target <= 5), and the
same for one template.

Run::

    .venv/bin/python bench/analytics.py                 # SQLite (a file in a temp dir)
    .venv/bin/python bench/analytics.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    # (an empty database: it is migrated and filled)

Redis: ``--redis-url`` (default: the embedded Redis in a temp instance dir, whose connections
cost more: prefer a Redis server for the request's figure).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    text,
)

from app import create_app, migrate  # noqa: E402
from app.analytics import report  # noqa: E402
from app.analytics.events import CounterKey, record  # noqa: E402
from app.models import (  # noqa: E402
    AnalyticsCounter,
    EventKind,
    Order,
    OrderItem,
    Personalization,
    Product,
    Shop,
    Template,
)
from app.storefront import ratelimit  # noqa: E402

SECRET = "shpss_bench" + "0" * 24
DOMAIN = "bench-analytics.myshopify.com"
BROWSER = ("editor_opened", "design_started", "design_started", "added_to_cart")
FONTS = [f"Font {n}" for n in range(10)]
CLIPART = [f"clipart:set/piece-{n}" for n in range(20)]
COLOURS = [f"#{n:02x}{n:02x}{n:02x}" for n in range(0, 240, 20)]
BARE = MetaData()
bare_events = Table(
    "bench_bare_events",
    BARE,
    Column("id", Integer, primary_key=True),
    Column("shop_id", Integer, nullable=False),
    Column("template_id", Integer, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("day", Date, nullable=False),
)


def make_app(workdir: Path, database_url: str | None, redis_url: str | None = None) -> Any:
    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    migrate.upgrade(url)
    return create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "bench-" + "x" * 40,
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": workdir / "instance",
            "STORAGE_URL": str(workdir / "files"),
            "SHOPIFY_API_SECRET": SECRET,
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        }
    )


def median_ms(call: Callable[[int], Any], runs: int) -> float:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def interleaved_ms(calls: list[Callable[[int], Any]], runs: int) -> list[float]:
    """The median of each call's ``runs`` times, the calls taking turns (so that a busy moment
    of the machine falls on all of them alike)."""
    times: list[list[float]] = [[] for _ in calls]
    for n in range(runs):
        for call, spent in zip(calls, times, strict=True):
            start = time.perf_counter()
            call(n)
            spent.append((time.perf_counter() - start) * 1000)
    return [statistics.median(spent) for spent in times]


def signed_query() -> str:
    params = {"shop": DOMAIN, "logged_in_customer_id": "", "path_prefix": "/apps/luneo"}
    params["timestamp"] = str(int(time.time()))
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode(params)


def make_shop(session: Any, domain: str, templates: int) -> tuple[Shop, list[int]]:
    shop = Shop(platform="shopify", domain=domain, installed_at=datetime.now(UTC), currency="EUR")
    session.add(shop)
    session.flush()
    ids = []
    for n in range(templates):
        product = Product(shop_id=shop.id, external_id=f"gid://shopify/Product/{n}", title="Mug")
        session.add(product)
        session.flush()
        template = Template(shop_id=shop.id, product_id=product.id, name=f"Mug {n}")
        session.add(template)
        session.flush()
        ids.append(template.id)
    session.commit()
    return shop, ids


def batch(templates: list[int], size: int, rng: random.Random) -> list[dict[str, Any]]:
    events = []
    while len(events) < size:
        template = rng.choice(templates)
        events.extend({"kind": kind, "template_id": template} for kind in BROWSER)
    return events[:size]


def bench_recording(app: Any, args: argparse.Namespace) -> None:
    from app.extensions import get_session

    rng = random.Random(23)
    with app.app_context():
        session = get_session()
        BARE.create_all(session.get_bind())
        shop, templates = make_shop(session, DOMAIN, 4)
        today = datetime.now(UTC).date()
        batches = [batch(templates, args.events, rng) for _ in range(args.runs)]

        def ours(n: int) -> None:
            counts: Counter[CounterKey] = Counter(
                (e["template_id"], EventKind(e["kind"]), "") for e in batches[n]
            )
            record(session, shop.id, today, counts)
            session.commit()

        def bare(n: int) -> None:
            rows = [
                {
                    "shop_id": shop.id,
                    "template_id": e["template_id"],
                    "kind": e["kind"],
                    "day": today,
                }
                for e in batches[n]
            ]
            session.execute(insert(bare_events), rows)
            session.commit()

        ours(0), bare(0)  # warm: statements prepared, pages cached
        luneo, baseline = interleaved_ms([ours, bare], args.runs)
    # The budgets are still counted in Redis; the shopper's is raised so that one bench client
    # may send every run's batch.
    ratelimit.EVENTS_PER_CLIENT = args.events * (args.runs + 1)
    client = app.test_client()
    bodies = [json.dumps({"events": b}) for b in batches]

    def endpoint(n: int) -> None:
        response = client.post(
            f"/proxy/events?{signed_query()}", data=bodies[n], content_type="application/json"
        )
        assert response.status_code == 202, response.get_data(as_text=True)  # noqa: S101

    endpoint(0)
    request = median_ms(endpoint, args.runs)
    print(
        f"recording a batch of {args.events} events (median of {args.runs}): "
        f"record() {luneo:.2f} ms, bare INSERT {baseline:.2f} ms -> ratio {luneo / baseline:.2f} "
        f"(target <= 2); POST /proxy/events {request:.2f} ms -> ratio {request / baseline:.2f}"
    )


def day_counts(rng: random.Random, templates: list[int]) -> Counter[CounterKey]:
    counts: Counter[CounterKey] = Counter()
    for template in templates:
        opened = rng.randint(20, 200)
        for kind, n in (
            (EventKind.EDITOR_OPENED, opened),
            (EventKind.DESIGN_STARTED, opened * 2 // 3),
            (EventKind.ADDED_TO_CART, opened // 4),
            (EventKind.ORDERED, opened // 6),
            (EventKind.AI_IMAGE_USED, opened // 20),
        ):
            counts[(template, kind, "")] = n
        for code in ("image_dpi_too_low", "outside_safe_area"):
            counts[(template, EventKind.PREFLIGHT_FIXED, code)] = rng.randint(1, 9)
            counts[(template, EventKind.PREFLIGHT_IGNORED, code)] = rng.randint(1, 9)
        for kind, keys in ((EventKind.FONT, FONTS), (EventKind.CLIPART, CLIPART)):
            for key in keys:
                counts[(template, kind, key)] = rng.randint(1, 30)
        for key in COLOURS:
            counts[(template, EventKind.COLOUR, key)] = rng.randint(1, 30)
    return counts


def fill_year(session: Any, shop_id: int, templates: list[int], orders: int, seed: int) -> int:
    """365 days of counters and ``orders`` orders a day for one shop; the counter rows written."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    rows = 0
    for age in range(365):
        day = today - timedelta(days=age)
        rows += record(session, shop_id, day, day_counts(rng, templates))
        placed = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        if orders:
            names = [f"o-{age}-{n}" for n in range(orders)]
            session.execute(
                insert(Order),
                [
                    {
                        "shop_id": shop_id,
                        "external_id": name,
                        "currency": "EUR",
                        "placed_at": placed,
                    }
                    for name in names
                ],
            )
            ids = session.scalars(
                select(Order.id).where(Order.shop_id == shop_id, Order.external_id.in_(names))
            )
            session.execute(
                insert(OrderItem),
                [
                    {
                        "shop_id": shop_id,
                        "order_id": order_id,
                        "external_id": "1",
                        "quantity": 1,
                        "surcharge": Decimal("4.00"),
                        "personalization": Personalization.DESIGNED,
                    }
                    for order_id in ids
                ],
            )
        session.commit()
    return rows


def bench_dashboard(app: Any, args: argparse.Namespace) -> None:
    from app.extensions import get_session

    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        busy, templates = make_shop(session, "busy.myshopify.com", args.templates)
        rows = fill_year(session, busy.id, templates, args.orders, 1)
        for n in range(args.others):
            other, theirs = make_shop(session, f"other-{n}.myshopify.com", args.templates)
            fill_year(session, other.id, theirs, args.orders, 100 + n)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))  # what autovacuum does after a bulk load
            session.commit()
        total = session.scalar(select(func.count()).select_from(AnalyticsCounter))
        print(
            f"dashboard data: busy shop {rows} counter rows ({args.templates} templates x 365 days)"
            f", {args.orders * 365} orders; {total} counter rows in all ({args.others} other "
            f"shops); filled in {time.perf_counter() - started:.0f} s"
        )
        today = datetime.now(UTC).date()
        period = report.Period.ending(today, "12m")

        def ours(_n: int) -> None:
            report.build(session, busy.id, period)
            session.rollback()

        def one_template(_n: int) -> None:
            report.build(session, busy.id, period, templates[0])
            session.rollback()

        def baseline(_n: int) -> None:
            start: date = period.start
            session.scalar(
                select(func.sum(AnalyticsCounter.count)).where(
                    AnalyticsCounter.shop_id == busy.id, AnalyticsCounter.day >= start
                )
            )
            session.rollback()

        ours(0), baseline(0)
        luneo, bare, single = interleaved_ms([ours, baseline, one_template], args.runs)
        print(
            f"12-month dashboard (median of {args.runs}): report {luneo:.1f} ms, one-scan "
            f"baseline {bare:.1f} ms -> ratio {luneo / bare:.2f} (target <= 5); one template "
            f"{single:.1f} ms -> ratio {single / bare:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--redis-url", help="default: the embedded Redis")
    parser.add_argument("--events", type=int, default=50, help="events per batch")
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--templates", type=int, default=10, help="the busy shop's templates")
    parser.add_argument("--orders", type=int, default=50, help="orders a day")
    parser.add_argument("--others", type=int, default=2, help="other shops as busy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), args.database_url, args.redis_url)
        database = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
        print(f"analytics bench on {database}")
        bench_recording(app, args)
        bench_dashboard(app, args)


if __name__ == "__main__":
    main()
