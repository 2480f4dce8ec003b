"""The Shopify stand-in's merchant pages answer as Shopify does, and Luneo's checks accept them.

``luneo dev`` relies on them (tests/integration/test_dev_standin.py drives them end to end);
here each page is asked directly: what it refuses, what its redirect carries, and that Luneo's
own verification (ShopifyAPI's query HMAC, the session token decoder) accepts what it signs.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from app.shopify.signatures import decode_session_token, verify_query
from standins.shopify import FakeShopify, FakeStore
from standins.shopify_merchant import AppSide, session_token, signed

APP = AppSide(
    api_key="luneo-dev", api_secret="dev-secret-for-the-shopify-stand-in", app_url="http://app"
)
SHOP = "demo.myshopify.com"
ORIGIN = "http://127.0.0.1:4000"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def fake() -> FakeShopify:
    fake = FakeShopify(APP)
    fake.origin = ORIGIN
    fake.add_store(FakeStore(SHOP, "shpat_demo"))
    return fake


def _get(fake: FakeShopify, path: str, **query: str) -> tuple[int, str]:
    status, _, body = fake.answer("GET", f"/{SHOP}{path}?{urlencode(query)}", {}, b"")
    return status, body.decode()


def _post(fake: FakeShopify, path: str, form: dict[str, str]) -> tuple[int, str]:
    status, _, body = fake.answer("POST", f"/{SHOP}{path}", FORM, urlencode(form).encode())
    return status, body.decode()


def _query(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def test_the_query_hmac_is_the_one_luneo_verifies_even_with_reserved_characters() -> None:
    params = signed({"shop": SHOP, "state": "a&b%c=d", "timestamp": "9999999999"}, "s3cret")

    verify_query(params, "s3cret")  # raises on a mismatch


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [("someone-else", "http://app/auth/callback"), ("luneo-dev", "http://evil/auth/callback")],
)
def test_the_grant_screen_refuses_another_app_or_a_foreign_redirect(
    fake: FakeShopify, client_id: str, redirect_uri: str
) -> None:
    query = {"client_id": client_id, "scope": "read_orders", "redirect_uri": redirect_uri}

    assert _get(fake, "/admin/oauth/authorize", **query, state="s")[0] == 400
    assert _post(fake, "/admin/oauth/authorize", {**query, "decision": "approve"})[0] == 400


def test_approving_redirects_to_the_callback_with_a_signed_single_use_code(
    fake: FakeShopify,
) -> None:
    wanted = {"client_id": "luneo-dev", "scope": "read_orders,write_orders"}
    wanted["redirect_uri"] = "http://app/auth/callback"
    status, page = _get(fake, "/admin/oauth/authorize", **wanted, state="st4te")
    assert status == 200
    assert "write_orders" in page

    status, location = _post(
        fake, "/admin/oauth/authorize", {**wanted, "state": "st4te", "decision": "approve"}
    )

    assert status == 302
    assert location.startswith("http://app/auth/callback?")
    params = _query(location)
    verify_query(params, APP.api_secret)
    assert (params["shop"], params["state"]) == (SHOP, "st4te")
    body = {"client_id": "luneo-dev", "client_secret": APP.api_secret, "code": params["code"]}
    status, _, answer = fake.answer(
        "POST", f"/{SHOP}/admin/oauth/access_token", {}, urlencode(body).encode()
    )
    granted: dict[str, Any] = json.loads(answer)
    assert status == 200
    assert granted["scope"] == "read_orders,write_orders"
    assert granted["refresh_token"]
    again = fake.answer("POST", f"/{SHOP}/admin/oauth/access_token", {}, urlencode(body).encode())
    assert again[0] == 400  # a code works once


def test_declining_the_grant_issues_no_code(fake: FakeShopify) -> None:
    wanted = {"client_id": "luneo-dev", "scope": "read_orders"}
    wanted["redirect_uri"] = "http://app/auth/callback"

    status, page = _post(fake, "/admin/oauth/authorize", {**wanted, "decision": "decline"})

    assert status == 200
    assert "declined" in page
    assert fake.stores[SHOP].codes == {}


def test_the_token_endpoint_takes_only_the_apps_secret(fake: FakeShopify) -> None:
    code = fake.stores[SHOP].issue_code("read_orders")
    body = {"client_id": "luneo-dev", "client_secret": "guessed", "code": code}

    status, _, _ = fake.answer(
        "POST", f"/{SHOP}/admin/oauth/access_token", {}, urlencode(body).encode()
    )

    assert status == 401


@pytest.mark.parametrize(("decision", "status"), [("approve", "ACTIVE"), ("decline", "DECLINED")])
def test_the_charge_page_decides_and_returns_through_the_admin(
    fake: FakeShopify, decision: str, status: str
) -> None:
    billing = fake.stores[SHOP].billing
    created = billing._create(
        {
            "name": "Starter",
            "returnUrl": "https://admin.shopify.com/store/demo/apps/luneo-dev/admin/billing",
            "lineItems": [
                {
                    "plan": {
                        "appRecurringPricingDetails": {
                            "price": {"amount": 19, "currencyCode": "USD"},
                            "interval": "EVERY_30_DAYS",
                        }
                    }
                }
            ],
        }
    )
    url = urlsplit(created["confirmationUrl"])
    assert f"{url.scheme}://{url.netloc}" == ORIGIN
    number = url.path.split("/")[4]
    assert (
        "Approve" in _get(fake, f"/admin/charges/{number}/confirm_recurring_application_charge")[1]
    )

    answer, location = _post(fake, f"/admin/charges/{number}/confirm", {"decision": decision})

    assert answer == 302
    assert location == f"{ORIGIN}/{SHOP}/admin/apps/luneo-dev/admin/billing?charge_id={number}"
    assert billing.latest()["status"] == status


def test_the_admin_opens_the_app_with_a_session_token_and_a_signed_query(
    fake: FakeShopify,
) -> None:
    status, location = _get(fake, "/admin/apps/luneo-dev/admin/billing", charge_id="7")

    assert status == 302
    assert location.startswith("http://app/admin/billing?")
    params = _query(location)
    verify_query(params, APP.api_secret)
    assert (params["charge_id"], params["embedded"], params["shop"]) == ("7", "1", SHOP)
    claims = decode_session_token(params["id_token"], api_key="luneo-dev", secret=APP.api_secret)
    assert claims.shop == SHOP
    assert _get(fake, "/admin/apps/another-app")[0] == 404


def test_token_exchange_takes_a_session_token_signed_for_this_shop(fake: FakeShopify) -> None:
    def exchange(subject_token: str) -> int:
        body = {
            "client_id": "luneo-dev",
            "client_secret": APP.api_secret,
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": subject_token,
        }
        raw = urlencode(body).encode()
        return fake.answer("POST", f"/{SHOP}/admin/oauth/access_token", {}, raw)[0]

    assert exchange(session_token(APP, SHOP)) == 200
    assert exchange(session_token(APP, "other.myshopify.com")) == 400
    forged = AppSide(api_key="luneo-dev", api_secret="x" * 40, app_url="http://app")
    assert exchange(session_token(forged, SHOP)) == 400
