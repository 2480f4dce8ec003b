"""``POST /events``: the widget's analytics batch on every storefront surface.

One request carries many events and becomes one upsert of daily counters; the batch is bounded,
its kinds are the widget's own, another shop's template counts for nothing, and the budgets of
``app.storefront.ratelimit`` apply.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.models import AnalyticsCounter, Shop, Template
from app.storage import Storage
from app.storefront.analytics import MAX_BYTES, MAX_EVENTS
from tests.factories import make_shop

from .conftest import Caller, small_template, woo_caller


def counters(session: Session, shop: Shop) -> dict[tuple[int, str, str], int]:
    session.expire_all()
    rows = session.scalars(select(AnalyticsCounter).where(AnalyticsCounter.shop_id == shop.id))
    return {(r.template_id, r.kind, r.key): r.count for r in rows}


def batch(template: Template, *kinds: str, **keys: str) -> dict[str, Any]:
    events: list[dict[str, Any]] = [{"kind": k, "template_id": template.id} for k in kinds]
    events += [{"kind": k, "template_id": template.id, "key": v} for k, v in keys.items()]
    return {"events": events}


def test_a_batch_is_counted_per_day_template_and_kind(
    proxy: Caller, session: Session, shopify_shop: Shop, template: Template
) -> None:
    body = batch(
        template,
        "editor_opened",
        "design_started",
        "design_started",
        "added_to_cart",
        preflight_fixed="image_dpi_low",
    )
    first = proxy.post("/events", json=body)
    again = proxy.post("/events", json=batch(template, "editor_opened"))

    assert (first.status_code, first.json) == (202, {"recorded": 5, "ignored": 0})
    assert again.status_code == 202
    assert counters(session, shopify_shop) == {
        (template.id, "editor_opened", ""): 2,
        (template.id, "design_started", ""): 2,
        (template.id, "added_to_cart", ""): 1,
        (template.id, "preflight_fixed", "image_dpi_low"): 1,
    }


def test_a_batch_is_one_insert_whatever_its_size(
    proxy: Caller, session: Session, shopify_shop: Shop, template: Template
) -> None:
    kinds = ["editor_opened", "design_started", "added_to_cart"] * (MAX_EVENTS // 3)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "analytics_counters" in statement:
            statements.append(statement)

    engine: Engine = session.get_bind()  # type: ignore[assignment]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = proxy.post("/events", json=batch(template, *kinds))
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert response.status_code == 202
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("INSERT")
    assert "ON CONFLICT" in statements[0].upper()
    assert counters(session, shopify_shop)[(template.id, "design_started", "")] == MAX_EVENTS // 3


def test_another_shops_template_counts_for_nothing(
    client: FlaskClient,
    proxy: Caller,
    session: Session,
    storage: Storage,
    shopify_shop: Shop,
    template: Template,
) -> None:
    other = make_shop(session, domain="theirs.myshopify.com")
    theirs = small_template(session, storage, other, "gid://shopify/Product/77")
    session.commit()
    body = {
        "events": [
            {"kind": "editor_opened", "template_id": theirs.id},
            {"kind": "editor_opened", "template_id": 2_000_000},
            {"kind": "editor_opened", "template_id": template.id},
        ]
    }

    response = proxy.post("/events", json=body)

    assert (response.status_code, response.json) == (202, {"recorded": 1, "ignored": 2})
    assert counters(session, shopify_shop) == {(template.id, "editor_opened", ""): 1}
    assert counters(session, other) == {}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"events": [{"kind": "ordered"}]}, "invalid_kind"),  # the order sync's to say
        ({"events": [{"kind": "ai_image_used"}]}, "invalid_kind"),
        ({"events": [{"kind": "font", "key": "Inter"}]}, "invalid_kind"),
        ({"events": [{"kind": "bogus"}]}, "invalid_kind"),
        ({"events": [{"kind": ["editor_opened"]}]}, "invalid_kind"),
        ({"events": [{"kind": "editor_opened", "template_id": "x"}]}, "invalid_template_id"),
        ({"events": [{"kind": "editor_opened", "template_id": -1}]}, "invalid_template_id"),
        ({"events": [{"kind": "editor_opened", "key": "x"}]}, "invalid_key"),
        ({"events": [{"kind": "preflight_fixed", "key": "=1+1"}]}, "invalid_key"),
        ({"events": [{"kind": "preflight_ignored"}]}, "invalid_key"),
        ({"events": [{"kind": "editor_opened", "email": "a@b.c"}]}, "invalid_event"),
        ({"events": [{"kind": "editor_opened", "text": "Happy birthday Sam"}]}, "invalid_event"),
        ({"events": ["editor_opened"]}, "invalid_event"),
        ({"events": []}, "invalid_events"),
        ({"events": {}}, "invalid_events"),
        ({}, "invalid_events"),
        ([], "invalid_events"),
    ],
)
def test_a_forged_or_malformed_event_refuses_the_whole_batch(
    proxy: Caller,
    session: Session,
    shopify_shop: Shop,
    template: Template,
    body: Any,
    code: str,
) -> None:
    if isinstance(body, dict):
        for item in body.get("events") or []:
            if isinstance(item, dict):
                item.setdefault("template_id", template.id)
    good = {"kind": "editor_opened", "template_id": template.id}
    if isinstance(body, dict) and isinstance(body.get("events"), list) and body["events"]:
        body["events"].insert(0, good)

    response = proxy.post("/events", json=body)

    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert counters(session, shopify_shop) == {}


def test_a_batch_is_bounded_in_count_and_size(
    proxy: Caller, session: Session, shopify_shop: Shop, template: Template
) -> None:
    too_many = proxy.post("/events", json=batch(template, *["editor_opened"] * (MAX_EVENTS + 1)))
    padded = json.dumps(batch(template, "editor_opened")) + " " * MAX_BYTES
    too_big = proxy.post("/events", data=padded, content_type="application/json")
    not_json = proxy.post("/events", data=b"\xff\xfe", content_type="text/plain")

    assert (too_many.status_code, too_many.json["error"]["code"]) == (413, "too_many_events")
    assert (too_big.status_code, too_big.json["error"]["code"]) == (413, "too_large")
    assert not_json.status_code == 400
    assert counters(session, shopify_shop) == {}


def test_a_beacon_body_sent_as_text_is_read(
    proxy: Caller, session: Session, shopify_shop: Shop, template: Template
) -> None:
    """``fetch(keepalive)`` and ``sendBeacon`` may send the JSON as text/plain."""
    body = json.dumps(batch(template, "editor_opened"))

    response = proxy.post("/events", data=body, content_type="text/plain;charset=UTF-8")

    assert response.status_code == 202
    assert counters(session, shopify_shop) == {(template.id, "editor_opened", ""): 1}


def test_events_spend_the_clients_event_budget(
    proxy: Caller, session: Session, shopify_shop: Shop, template: Template, monkeypatch: Any
) -> None:
    monkeypatch.setattr("app.storefront.ratelimit.EVENTS_PER_CLIENT", 5)
    first = proxy.post("/events", json=batch(template, *["editor_opened"] * 5))
    second = proxy.post("/events", json=batch(template, "editor_opened"))

    assert first.status_code == 202
    assert second.status_code == 429
    assert "Retry-After" in second.headers
    assert counters(session, shopify_shop) == {(template.id, "editor_opened", ""): 5}


def test_the_woocommerce_surface_records_too_and_refuses_a_wrong_origin(
    client: FlaskClient, session: Session, storage: Storage, woo_shop: Shop
) -> None:
    woo_template = small_template(session, storage, woo_shop, "501")
    session.commit()
    body = batch(woo_template, "editor_opened", "added_to_cart")
    caller = woo_caller(client)

    response = caller.post("/events", json=body)
    elsewhere = caller.post("/events", json=body, headers={"Origin": "https://evil.test"})

    assert response.status_code == 202
    assert elsewhere.status_code == 403
    assert counters(session, woo_shop) == {
        (woo_template.id, "editor_opened", ""): 1,
        (woo_template.id, "added_to_cart", ""): 1,
    }


def test_an_unsigned_proxy_call_records_nothing(
    client: FlaskClient, session: Session, shopify_shop: Shop, template: Template
) -> None:
    response = client.post(
        f"/proxy/events?shop={shopify_shop.domain}", json=batch(template, "editor_opened")
    )

    assert response.status_code == 401
    assert counters(session, shopify_shop) == {}
