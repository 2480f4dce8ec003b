"""Input a client can send that used to answer 500: each is now a clear 4xx and changes nothing.

Some of these only failed on PostgreSQL (32-bit integer ids, no NUL in text): run this file with
DATABASE_URL/REDIS_URL too (see tests/conftest.py).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import BillingEvent, Design, Template, WebhookEvent
from app.woocommerce.auth import MAX_KEY_POST_BYTES
from tests.integration.accounts.conftest import Browser, make_member, make_user
from tests.support.fuzz import (
    WOO_KEY,
    WOO_ORIGIN,
    World,
    build_world,
    deep,
    shopify_webhook,
    stripe_webhook,
    woo_webhook,
)
from tests.support.shopify import session_token

TOO_BIG_IDS = [2**31, 2**40, 2**63, 10**30]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def bearer(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(world.shop.domain)}"}


def woo_headers() -> dict[str, str]:
    return {"X-Luneo-Key": WOO_KEY, "Origin": WOO_ORIGIN}


def error_code(response: Any) -> str:
    body = response.get_json()
    assert isinstance(body, dict), response.data[:200]
    return str(body["error"]["code"])


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


# ------------------------------------------------------------------------ ids past 2**31
@pytest.mark.parametrize("product_id", TOO_BIG_IDS)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_admin_template_of_an_id_past_the_database_range_is_404(
    client: FlaskClient, world: World, product_id: int, method: str
) -> None:
    url = f"/api/admin/products/{product_id}/template"
    response = client.open(url, method=method, json={}, headers=bearer(world))
    assert response.status_code == 404
    assert response.is_json


@pytest.mark.parametrize(
    "url",
    [
        "/api/admin/ai/templates/{id}",
        "/api/admin/production-jobs/{id}/retry",
        "/api/admin/fulfilment/pushes/{id}/retry",
        "/partner-api/v1/jobs/{id}",
    ],
)
def test_other_integer_routes_refuse_ids_past_the_database_range(
    client: FlaskClient, world: World, url: str
) -> None:
    method = "GET" if url.startswith("/partner-api") else ("PUT" if "ai/" in url else "POST")
    response = client.open(
        url.format(id=2**40), method=method, json={"ai_enabled": True}, headers=bearer(world)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("template_id", [2**31, 2**40, 2**62, "abc", "99999999999", -1, 1.5, []])
@pytest.mark.parametrize("surface", ["proxy", "woo"])
def test_storefront_template_id_that_is_no_id_is_a_4xx_and_saves_nothing(
    client: FlaskClient, session: Session, world: World, template_id: Any, surface: str
) -> None:
    body = {"template_id": template_id, "document": {"version": 1, "areas": {}}}
    if surface == "proxy":
        url, headers = f"/proxy/designs?{world.proxy_query()}", {}
    else:
        url, headers = "/storefront/v1/designs", woo_headers()
    before = count(session, Design)
    for path in ("designs", "previews"):
        response = client.post(url.replace("designs", path), json=body, headers=headers)
        assert response.status_code in (400, 404), response.data[:300]
        assert error_code(response) in ("invalid_template_id", "template_not_found")
    assert count(session, Design) == before


@pytest.mark.parametrize("template_id", [2**31, 2**40, "9" * 5000, "\u00b9", "abc", None])
def test_storefront_ai_generation_with_a_template_id_that_is_no_id_is_400(
    client: FlaskClient, world: World, template_id: Any
) -> None:
    body = {"template_id": template_id, "area": "front", "prompt": "a cat"}
    response = client.post("/storefront/v1/ai/generations", json=body, headers=woo_headers())
    assert response.status_code == 400
    assert response.is_json


@pytest.mark.parametrize("template_id", [2**31, 2**40, "abc", [], {"a": 1}, 1.5])
def test_admin_ai_bulk_with_a_template_id_that_is_no_id_is_a_4xx(
    client: FlaskClient, session: Session, world: World, template_id: Any
) -> None:
    body = {"template_id": template_id, "area": "front", "prompts": ["a cat"]}
    response = client.post("/api/admin/ai/bulk", json=body, headers=bearer(world))
    assert response.status_code in (400, 404)
    assert response.is_json


def test_admin_ai_bulk_with_a_prompts_list_of_objects_is_not_a_500(
    client: FlaskClient, world: World
) -> None:
    body = {"template_id": world.template_id, "prompts": [{"a": "\x00"}]}
    response = client.post("/api/admin/ai/bulk", json=body, headers=bearer(world))
    assert response.status_code < 500


@pytest.mark.parametrize("size", [10**25, "1e30", 1e300])
def test_an_editor_size_too_large_for_a_decimal_is_400_naming_the_field(
    client: FlaskClient, world: World, size: Any
) -> None:
    area = {"key": "front", "name": "Front", "width_mm": size, "height_mm": 90, "dpi": 300}
    url = f"/api/admin/products/{world.product_id}/template"
    response = client.put(url, json={"name": "Mug", "print_areas": [area]}, headers=bearer(world))
    assert response.status_code == 400
    assert "print_areas[0].width_mm" in response.get_json()["error"]["fields"]


def test_switching_to_a_shop_id_past_the_database_range_is_404(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    user = make_user(session, "owner@example.com")
    make_member(session, user, world.shop)
    session.commit()
    browser = Browser(client, app.extensions["luneo.mailer"])
    assert browser.sign_in("owner@example.com").status_code == 302
    for shop_id in (str(2**31), str(2**40), "9" * 5000, "abc"):
        response = browser.post_form("/account/shop", {"shop_id": shop_id}, "/account/stores")
        assert response.status_code == 404


def test_the_dev_sign_in_with_a_shop_id_past_the_database_range_is_400(
    client: FlaskClient, world: World
) -> None:
    token = _form_csrf(client, "/dev/")
    response = client.post("/dev/sign-in", data={"csrf_token": token, "shop_id": str(2**40)})
    assert response.status_code == 400


# ----------------------------------------------------------------------------- NUL bytes
@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "page=1&q=x%00", "%00=1"])
def test_a_nul_byte_in_the_query_string_is_400(
    client: FlaskClient, world: World, query: str
) -> None:
    client.post("/dev/sign-in", data={"shop_id": world.shop.id})  # no CSRF: just a session
    response = client.get(f"/admin/orders?{query}", headers=bearer(world))
    assert response.status_code == 400
    api = client.get(f"/api/admin/shop?{query}", headers=bearer(world))
    assert api.status_code == 400
    assert error_code(api) == "bad_request"


@pytest.mark.parametrize(
    "path",
    ["/storefront/v1/designs/d_%00", "/storefront/v1/ai/generations/g%00", "/files/a%00b"],
)
def test_a_nul_byte_in_the_path_is_400(client: FlaskClient, world: World, path: str) -> None:
    response = client.get(path, headers=woo_headers())
    assert response.status_code == 400


def _form_csrf(client: FlaskClient, page: str) -> str:
    html = client.get(page).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("page", "fields"),
    [
        ("/account/sign-in", {"email": "a\x00@example.com", "password": "x" * 12}),
        ("/account/sign-up", {"email": "b\x00@example.com", "password": "x" * 16}),
        ("/account/reset", {"email": "c\x00@example.com"}),
        ("/partners/login", {"email": "d\x00@example.com", "password": "x" * 12}),
        ("/partners/reset", {"email": "e\x00@example.com"}),
    ],
)
def test_a_nul_byte_in_a_form_field_is_400(
    client: FlaskClient, world: World, page: str, fields: dict[str, str]
) -> None:
    data = {**fields, "csrf_token": _form_csrf(client, page)}
    response = client.post(page, data=data)
    assert response.status_code == 400


def test_a_nul_byte_in_a_multipart_field_is_400_but_file_bytes_may_hold_nul(
    client: FlaskClient, world: World
) -> None:
    data = {"name\x00": "x", "file": (io.BytesIO(b"\x89PNG\x00\x00"), "a.png")}
    response = client.post("/storefront/v1/uploads", data=data, headers=woo_headers())
    assert response.status_code == 400
    plain = {"file": (io.BytesIO(b"\x00\x00not an image"), "a.png")}
    response = client.post("/storefront/v1/uploads", data=plain, headers=woo_headers())
    assert response.status_code in (400, 415, 422)


def test_a_multipart_part_whose_name_cannot_be_read_is_not_a_500(
    client: FlaskClient, world: World
) -> None:
    """A CR in a part's name: werkzeug names it None (found by fuzzing the storefront's OpenAPI
    document, tests/integration/storefront/test_storefront_openapi.py)."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="a\r"\r\n\r\nv\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\r\n--b--\r\n'
    )
    response = client.post(
        "/storefront/v1/uploads",
        data=body,
        content_type="multipart/form-data; boundary=b",
        headers=woo_headers(),
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "document",
    [
        {"version": 1, "areas": {"front": {"layers": [{"type": "text", "text": "a\x00b"}]}}},
        {"version": 1, "areas": {"fr\x00nt": {"layers": []}}},
    ],
)
def test_a_nul_in_a_storefront_json_string_is_400_and_saves_nothing(
    client: FlaskClient, session: Session, world: World, document: dict[str, Any]
) -> None:
    before = count(session, Design)
    body = {"template_id": world.template_id, "document": document}
    response = client.post("/storefront/v1/designs", json=body, headers=woo_headers())
    assert response.status_code == 400
    assert count(session, Design) == before


def test_a_nul_in_the_admin_template_json_is_400_and_changes_nothing(
    client: FlaskClient, session: Session, world: World
) -> None:
    url = f"/api/admin/products/{world.product_id}/template"
    response = client.put(url, json={"name": "Mug\x00"}, headers=bearer(world))
    assert response.status_code == 400
    session.expire_all()
    template = session.get(Template, world.template_id)
    assert template is not None
    assert "\x00" not in template.name


# ----------------------------------------------------------------------- nested JSON
NESTED = [deep(100_000), b'{"a":' * 50_000 + b"1" + b"}" * 50_000, deep(1_000)]


@pytest.mark.parametrize("body", NESTED, ids=["list-100k", "object-50k", "list-1k"])
def test_deeply_nested_json_is_400_everywhere(
    client: FlaskClient, world: World, body: bytes
) -> None:
    sends = [
        ("/woocommerce/callback", {}),
        (f"/api/admin/products/{world.product_id}/template", bearer(world)),
        ("/storefront/v1/designs", woo_headers()),
        ("/storefront/v1/previews", woo_headers()),
        (f"/proxy/designs?{world.proxy_query()}", {}),
        ("/api/admin/ai/bulk", bearer(world)),
    ]
    for url, headers in sends:
        method = "PUT" if url.startswith("/api/admin/products") else "POST"
        response = client.open(
            url, method=method, data=body, headers={**headers, "Content-Type": "application/json"}
        )
        # WooCommerce's key POST is a few hundred bytes: past 8 KiB it is refused unread
        too_large = url == "/woocommerce/callback" and len(body) > MAX_KEY_POST_BYTES
        expected = 413 if too_large else 400
        assert response.status_code == expected, (url, response.status_code, response.data[:200])


@pytest.mark.parametrize(
    ("url", "sign"),
    [
        ("/webhooks/shopify", shopify_webhook("products/update")),
        ("/webhooks/woocommerce/whp_" + "f" * 24, woo_webhook("product.updated")),
        ("/webhooks/stripe", stripe_webhook),
    ],
)
@pytest.mark.parametrize("body", [deep(100_000), b'{"id": "\\u0000"}'], ids=["deep", "nul"])
def test_signed_webhooks_with_nested_or_nul_json_are_400_and_record_nothing(
    app: Flask,
    client: FlaskClient,
    session: Session,
    world: World,
    url: str,
    sign: Any,
    body: bytes,
) -> None:
    app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_fuzz_" + "f" * 16
    recorded = count(session, WebhookEvent), count(session, BillingEvent)
    headers, _ = sign(world, body, {})
    response = client.post(url, data=body, headers=headers)
    assert response.status_code == 400, response.data[:300]
    assert (count(session, WebhookEvent), count(session, BillingEvent)) == recorded


# --------------------------------------------------------------- chunked body over 1 MB
def chunked_environ(size: int) -> dict[str, Any]:
    """What gunicorn hands the app for ``Transfer-Encoding: chunked``: no CONTENT_LENGTH, a
    de-chunked stream and ``wsgi.input_terminated``."""
    body = b'{"template_id": 1, "document": {"version": 1, "areas": {}}, "pad": "'
    body += b"x" * size + b'"}'
    return {
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "HTTP_TRANSFER_ENCODING": "chunked",
    }


@pytest.mark.parametrize("path", ["designs", "previews"])
def test_a_22_mb_chunked_design_body_is_413_before_it_is_read(
    client: FlaskClient, session: Session, world: World, path: str
) -> None:
    before = count(session, Design)
    environ = chunked_environ(22 * 1024 * 1024)
    stream = environ["wsgi.input"]
    response = client.post(
        f"/storefront/v1/{path}",
        headers={**woo_headers(), "Content-Type": "application/json"},
        environ_overrides=environ,
    )
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert stream.tell() <= 1024 * 1024 + 1  # stopped at the limit, not read to the end
    assert count(session, Design) == before


def test_a_small_chunked_design_body_is_still_read(client: FlaskClient, world: World) -> None:
    document = {"version": 1, "areas": {"front": {"layers": []}}}
    body = json.dumps({"template_id": world.woo_template_id, "document": document})
    response = client.post(
        "/storefront/v1/designs",
        headers={**woo_headers(), "Content-Type": "application/json"},
        environ_overrides={
            "wsgi.input": io.BytesIO(body.encode()),
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )
    assert response.status_code in (200, 201), response.data[:300]
