"""The analytics page (``/admin/analytics``) and its CSV (``/api/admin/analytics.csv``).

Both read the signed-in shop's figures only, for the whole store or one of its templates
(another shop's template id is a 404, as a missing one), over a range (``?range=7d|30d|90d|12m``,
``?by=day|week``). Owners and staff both may read them. The page draws its charts on the server
(``app.analytics.charts``), each with a table of the same numbers; the CSV is fetched by
``analytics.js`` with the admin's credentials (a session token inside Shopify), so it downloads
in the embedded admin as in the standalone one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request, stream_with_context
from markupsafe import Markup

from app.admin.api import bp as api_bp
from app.admin.auth import shop_admin_required, signed_in_shop
from app.admin.views import bp
from app.analytics import charts, export, report
from app.db import utcnow
from app.extensions import get_session
from app.ids import row_id
from app.models import EventKind, ShopScope, Template

NO_TEMPLATE = "There is no template with this id in your store."
TOP_LABELS = {EventKind.FONT: "Fonts", EventKind.CLIPART: "Clipart", EventKind.COLOUR: "Colours"}


def _selection() -> tuple[report.Period, Template | None]:
    shop = signed_in_shop()
    period = report.Period.ending(
        utcnow().date(), request.args.get("range", report.DEFAULT_RANGE), request.args.get("by")
    )
    template = None
    if request.args.get("template"):
        scope = ShopScope(get_session(), shop.id)
        template = scope.get_or_404(Template, row_id(request.args.get("template")), NO_TEMPLATE)
    return period, template


def _label(day: date, period: report.Period) -> str:
    return day.strftime("%b %d") if period.by == "day" else "wk " + day.strftime("%b %d")


def _charts(data: report.Report, currency: str) -> dict[str, Markup]:
    labels = [_label(day, data.period) for day in data.buckets]
    unit = "day" if data.period.by == "day" else "week"
    funnel = [(report.FUNNEL_LABELS[k], [float(v) for v in data.funnel[k]]) for k in report.FUNNEL]
    found = {
        "funnel": charts.line_chart(
            "Personalization funnel",
            f"Editors opened, designs started, added to cart and ordered per {unit}.",
            labels,
            funnel,
        ),
        "conversion": charts.line_chart(
            "Conversion, editor opened to ordered",
            f"The share of editor openings that became an ordered design, per {unit}.",
            labels,
            [("Opened → ordered", data.rates_over_time())],
            percent=True,
        ),
        "steps": charts.bar_chart(
            "Funnel totals",
            "How many shoppers reached each step over the whole period.",
            [(report.FUNNEL_LABELS[k], float(data.totals.get(k, 0))) for k in report.FUNNEL],
        ),
    }
    if currency in data.revenue:
        found["revenue"] = charts.line_chart(
            f"Surcharge revenue ({currency})",
            f"Personalization surcharges charged by orders, per {unit}, in {currency}.",
            labels,
            [(currency, [float(v) for v in data.revenue[currency]])],
        )
    return {name: Markup(svg) for name, svg in found.items()}  # noqa: S704 - escaped by charts


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _tables(data: report.Report, currency: str) -> dict[str, list[tuple[str, list[Any]]]]:
    """Each chart's series as the columns of its table."""
    return {
        "funnel": [(report.FUNNEL_LABELS[k], data.funnel[k]) for k in report.FUNNEL],
        "conversion": [("Opened → ordered", [_percent(r) for r in data.rates_over_time()])],
        "revenue": [(currency, data.revenue.get(currency, []))],
    }


@bp.get("/analytics")
@shop_admin_required
def analytics() -> str:
    shop = signed_in_shop()
    period, template = _selection()
    session = get_session()
    data = report.build(session, shop.id, period, template.id if template else None)
    templates = ShopScope(session, shop.id).all(Template, Template.name)
    context: dict[str, Any] = {
        "shop": shop,
        "data": data,
        "template": template,
        "templates": templates,
        "ranges": report.RANGES,
        "charts": _charts(data, shop.currency),
        "tables": _tables(data, shop.currency),
        "labels": [_label(day, period) for day in data.buckets],
        "funnel_kinds": report.FUNNEL,
        "funnel_labels": report.FUNNEL_LABELS,
        "top_labels": TOP_LABELS,
        "steps": [
            (report.FUNNEL_LABELS[k], data.rate(k, report.FUNNEL[n]))
            for n, k in enumerate(report.FUNNEL[1:])
        ],
    }
    return render_template("admin/analytics.html", **context)


@api_bp.get("/analytics.csv")
@shop_admin_required
def analytics_csv() -> Response:
    """Every counter of the period, day by day, then the surcharge revenue per day."""
    shop = signed_in_shop()
    period, template = _selection()
    daily = report.Period(period.key, period.start, period.end, "day")
    session = get_session()
    template_id = template.id if template else None
    counters = list(report.counter_rows(session, shop.id, daily, template_id))
    names = report.template_names(session, shop.id, {row[1] for row in counters})
    data = report.build(session, shop.id, daily, template_id)
    revenue = [
        (day, currency, amount)
        for currency, amounts in sorted(data.revenue.items())
        for day, amount in zip(data.buckets, amounts, strict=True)
        if amount
    ]
    lines = export.csv_lines(counters, names, revenue)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    suffix = f"-template-{template.id}" if template else ""
    filename = f"luneo-analytics{suffix}-{period.start}-{period.end}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
