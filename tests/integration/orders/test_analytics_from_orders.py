"""The order sync's part of analytics: an ordered design is counted once, with its fonts,
clipart, colours and AI images, and the surcharge revenue is what synced lines charged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from app.analytics import report
from app.models import AnalyticsCounter, FileKind, StoredFile
from standins.shopify import upstream_line, upstream_order
from tests.factories import make_shop

from .conftest import Mugs, now_stamp


def counters(mugs: Mugs) -> dict[tuple[int, str, str], int]:
    mugs.session.expire_all()
    query = select(AnalyticsCounter).where(AnalyticsCounter.shop_id == mugs.shop.id)
    return {(r.template_id, r.kind, r.key): r.count for r in mugs.session.scalars(query)}


def ai_file(mugs: Mugs, shop_id: int) -> StoredFile:
    row = StoredFile(
        shop_id=shop_id,
        key=f"shops/{shop_id}/ai_image/a.png",
        kind=FileKind.AI_IMAGE,
        content_type="image/png",
        size=1,
        sha256="0" * 64,
    )
    mugs.session.add(row)
    mugs.session.commit()
    return row


def rich_document(ai_src: str, other_src: str) -> dict[str, object]:
    box = {"x_mm": 1, "y_mm": 1, "width_mm": 5, "height_mm": 5}
    text = {"type": "text", "text": "For Ada Lovelace", "size_mm": 6, "x_mm": 4, "y_mm": 4}
    return {
        "version": 1,
        "areas": {
            "front": {
                "layers": [
                    {**text, "font": "Inter", "color": "#DC2626"},
                    {**text, "font": "Pacifico"},
                    {"type": "clipart", "src": "clipart:love/heart", "color": "#fff", **box},
                    {"type": "image", "src": ai_src, **box},
                    {"type": "image", "src": other_src, **box},  # another shop's AI image
                    {"type": "shape", "shape": "rect", "fill": "#DC2626", **box},
                ]
            }
        },
    }


def test_an_ordered_design_is_counted_once_with_what_it_uses(mugs: Mugs) -> None:
    mine = ai_file(mugs, mugs.shop.id)
    other_shop = make_shop(mugs.session, domain="other-mugs.myshopify.com")
    theirs = ai_file(mugs, other_shop.id)
    design = mugs.design(document=rich_document(f"file:{mine.id}", f"file:{theirs.id}"))
    attributes = {"_luneo_design": design.public_id, "_luneo_price": mugs.price(design)}
    line = upstream_line(11, mugs.mug, attributes=attributes, quantity=2)
    mugs.store.add_orders(upstream_order(1, [line], updated_at=now_stamp()))

    mugs.sync(1)
    mugs.sync(1)  # the same order synced again counts nothing more

    template = mugs.mug_template.id
    assert counters(mugs) == {
        (template, "ordered", ""): 1,
        (template, "ai_image_used", ""): 1,
        (template, "font", "Inter"): 1,
        (template, "font", "Pacifico"): 1,
        (template, "clipart", "clipart:love/heart"): 1,
        (template, "colour", "#dc2626"): 2,
        (template, "colour", "#ffffff"): 1,
    }
    today = datetime.now(UTC).date()
    data = report.build(mugs.session, mugs.shop.id, report.Period.ending(today, "7d"))
    assert data.totals[report.EventKind.ORDERED] == 1
    assert data.revenue_totals == {"EUR": Decimal("8.00")}  # 4.00 per mug, two mugs
    assert data.top[report.EventKind.COLOUR][0] == ("#dc2626", 2)
    one = report.build(
        mugs.session, mugs.shop.id, report.Period.ending(today, "7d"), mugs.cup_template.id
    )
    assert (one.totals, one.revenue_totals) == ({}, {})


def test_an_unpaid_design_is_not_counted_as_ordered(mugs: Mugs) -> None:
    design = mugs.design()
    attributes = {"_luneo_design": design.public_id, "_luneo_price": "4.00"}  # not signed
    line = upstream_line(11, mugs.mug, attributes=attributes)
    mugs.store.add_orders(upstream_order(1, [line], updated_at=now_stamp()))

    mugs.sync(1)

    assert counters(mugs) == {}
    today = datetime.now(UTC).date()
    data = report.build(mugs.session, mugs.shop.id, report.Period.ending(today, "30d"))
    assert data.revenue_totals == {}
