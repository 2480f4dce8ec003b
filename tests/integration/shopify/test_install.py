"""Installing Luneo from Shopify, both documented flows, end to end through the app.

Shopify's side is faked at the HTTP transport with ``responses``: requests are signed here the
way Shopify documents it (query HMAC, HS256 session tokens), and every POST to
``/admin/oauth/access_token`` is checked field by field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app import signing
from app.models import Platform, Shop
from app.queue import get_queue
from app.shopify import install, oauth_state
from tests.conftest import SHOPIFY_API_KEY, SHOPIFY_API_SECRET
from tests.factories import make_shop

SHOP = "example.myshopify.com"
SCOPES = "read_products,read_orders,write_merchant_managed_fulfillment_orders"
# What Shopify grants for those: read scopes implied by a write scope may be left out.
GRANTED = "read_products,read_orders,write_merchant_managed_fulfillment_orders"
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"
ACCESS_TOKEN = "shpat_" + "a1" * 16
REFRESH_TOKEN = "shprt_" + "b2" * 16
HOST = base64.b64encode(b"admin.shopify.com/store/example").decode().rstrip("=")
APP_IN_ADMIN = f"https://admin.shopify.com/store/example/apps/{SHOPIFY_API_KEY}"


# ---------------------------------------------------------------- Shopify, as documented


def shopify_hmac(params: dict[str, str], secret: str = SHOPIFY_API_SECRET) -> str:
    """Shopify's query HMAC: sorted ``key=value`` pairs without ``hmac``, joined by ``&``."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_query(secret: str = SHOPIFY_API_SECRET, **params: str) -> str:
    params.setdefault("timestamp", str(int(time.time())))
    return urlencode({**params, "hmac": shopify_hmac(params, secret)})


def session_token(shop: str = SHOP, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": SHOPIFY_API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now - 1,
        "iat": now - 1,
        "jti": secrets.token_hex(8),
        "sid": secrets.token_hex(16),
        **overrides,
    }
    return jwt.encode(claims, SHOPIFY_API_SECRET, algorithm="HS256")


def embedded_query(shop: str = SHOP, id_token: str | None = None, **extra: str) -> str:
    """The query of Shopify loading application_url inside the admin (managed installation)."""
    params = {
        "embedded": "1",
        "host": HOST,
        "id_token": id_token or session_token(shop),
        "locale": "en",
        "session": secrets.token_hex(16),
        "shop": shop,
        **extra,
    }
    return signed_query(**params)


def token_response(**overrides: Any) -> dict[str, Any]:
    """An expiring offline token as Shopify grants it (``expiring=1``)."""
    body: dict[str, Any] = {
        "access_token": ACCESS_TOKEN,
        "scope": GRANTED,
        "expires_in": 3600,
        "refresh_token": REFRESH_TOKEN,
        "refresh_token_expires_in": 7776000,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(autouse=True)
def _scopes(settings: dict[str, Any]) -> None:
    settings["SCOPES"] = SCOPES


@pytest.fixture
def shopify() -> Iterator[responses.RequestsMock]:
    """Shopify's HTTP side; any request not registered fails like a network error."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def posted(mock: responses.RequestsMock, index: int = 0) -> dict[str, Any]:
    request = mock.calls[index].request
    assert request.headers["Content-Type"] == "application/json"
    body = request.body
    assert body is not None
    loaded: dict[str, Any] = json.loads(body)
    return loaded


def shopify_shop(session: Session, domain: str = SHOP) -> Shop | None:
    session.expire_all()
    stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == domain)
    return session.scalars(stmt).one_or_none()


def sync_jobs(redis: Redis) -> list[Job]:
    queue = get_queue("sync", redis)
    return [job for job in (Job.fetch(i, connection=redis) for i in queue.job_ids) if job]


def authorize_params(response: TestResponse, shop: str = SHOP) -> dict[str, list[str]]:
    parts = urlsplit(response.headers["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://{shop}/admin/oauth/authorize"
    )
    return parse_qs(parts.query)


def start_oauth(client: FlaskClient, shop: str = SHOP) -> str:
    """An install link; returns the state Luneo put in its authorize redirect."""
    response = client.get("/?" + signed_query(shop=shop))
    assert response.status_code == 302
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    return authorize_params(response, shop)["state"][0]


def callback_query(
    state: str, shop: str = SHOP, code: str = "0907a61c0c8d55e99db179b68161bc00"
) -> str:
    return signed_query(code=code, host=HOST, shop=shop, state=state)


# ---------------------------------------------------------------- the embedded load


def test_first_embedded_load_exchanges_the_session_token_and_installs(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())
    id_token = session_token()
    query = embedded_query(id_token=id_token)

    landing = client.get("/?" + query)
    response = client.get(landing.headers["Location"])

    assert landing.status_code == 302
    assert landing.headers["Location"] == "/app?" + query
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/?" + query
    assert len(shopify.calls) == 1
    assert posted(shopify) == {
        "client_id": SHOPIFY_API_KEY,
        "client_secret": SHOPIFY_API_SECRET,
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": id_token,
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
        "expiring": "1",
    }
    shop = shopify_shop(session)
    assert shop is not None
    assert shop.access_token == ACCESS_TOKEN
    assert shop.refresh_token == REFRESH_TOKEN
    assert shop.scopes == GRANTED
    assert shop.is_installed
    assert not shop.needs_reauth
    assert shop.token_expires_at is not None
    expected_expiry = datetime.now(UTC) + timedelta(seconds=3600)
    assert abs(shop.token_expires_at - expected_expiry) < timedelta(seconds=30)
    [job] = sync_jobs(redis)
    assert (job.id, job.func_name, job.args) == (
        f"sync-initial-{shop.id}",
        "jobs.sync.initial_sync",
        (shop.id,),
    )


def test_tokens_are_encrypted_at_rest(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())

    client.get("/app?" + embedded_query())

    row = session.execute(
        text("SELECT access_token, refresh_token FROM shops WHERE domain = :d"), {"d": SHOP}
    ).one()
    assert row.access_token
    assert ACCESS_TOKEN not in row.access_token
    assert row.refresh_token
    assert REFRESH_TOKEN not in row.refresh_token


def test_later_loads_use_the_stored_token(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())

    first = client.get("/app?" + embedded_query())
    second = client.get("/app?" + embedded_query())

    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].startswith("/admin/?")
    assert len(shopify.calls) == 1
    assert len(sync_jobs(redis)) == 1


def test_expired_token_is_exchanged_again_without_a_new_sync(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    make_shop(
        session,
        domain=SHOP,
        scopes=GRANTED,
        access_token="shpat_" + "0" * 32,
        token_expires_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    session.commit()
    shopify.post(TOKEN_URL, json=token_response())

    response = client.get("/app?" + embedded_query())

    assert response.status_code == 302
    assert len(shopify.calls) == 1
    shop = shopify_shop(session)
    assert shop is not None
    assert shop.access_token == ACCESS_TOKEN
    assert sync_jobs(redis) == []


def test_embedded_load_after_a_bounce_needs_no_hmac(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    # The admin's session-token bounce reloads with a fresh id_token but no query HMAC.
    shopify.post(TOKEN_URL, json=token_response())
    query = urlencode({"embedded": "1", "host": HOST, "id_token": session_token(), "shop": SHOP})

    response = client.get("/app?" + query)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/?" + query
    assert len(shopify.calls) == 1


def test_scope_change_asks_for_reauthorization_out_of_the_iframe(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    make_shop(session, domain=SHOP, scopes="read_products")
    session.commit()
    shopify.post(TOKEN_URL, json=token_response(scope="read_products"))

    response = client.get("/app?" + embedded_query())

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<meta name="shopify-api-key" content="{SHOPIFY_API_KEY}">' in page
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in page
    assert 'open("https://example.myshopify.com/admin/oauth/authorize?' in page
    assert '"_top")' in page
    assert 'target="_top"' in page  # the plain link if scripts do not run
    assert "scope=read_products%2Cread_orders%2Cwrite_merchant_managed_fulfillment_orders" in page
    shop = shopify_shop(session)
    assert shop is not None
    assert shop.access_token == ACCESS_TOKEN
    assert sync_jobs(redis) == []  # not a new install


@pytest.mark.parametrize(
    ("_case", "make_query", "status"),
    [
        ("hmac forged", lambda: embedded_query()[:-4] + "0000", 401),
        (
            "hmac with another secret",
            lambda: signed_query("x" * 40, embedded="1", id_token=session_token(), shop=SHOP),
            401,
        ),
        ("session token expired", lambda: embedded_query(id_token=session_token(exp=0)), 401),
        (
            "session token for another shop",
            lambda: embedded_query(id_token=session_token("other.myshopify.com")),
            401,
        ),
        (
            "session token for another app",
            lambda: embedded_query(id_token=session_token(aud="another-app")),
            401,
        ),
        ("not a myshopify shop", lambda: embedded_query(shop="shop.test"), 400),
    ],
)
def test_bad_embedded_loads_change_nothing(
    _case: str,
    make_query: Any,
    status: int,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shopify: responses.RequestsMock,
) -> None:
    response = client.get("/app?" + make_query())

    assert response.status_code == status
    assert "text/html" in response.content_type
    assert len(shopify.calls) == 0
    assert session.scalars(select(Shop)).all() == []
    assert sync_jobs(redis) == []


@pytest.mark.parametrize(
    ("_case", "reply"),
    [
        ("server error", {"status": 503, "json": {"error": "unavailable"}}),
        ("session token refused", {"status": 400, "json": {"error": "invalid_subject_token"}}),
        ("no access_token", {"status": 200, "json": {"scope": GRANTED}}),
        ("not JSON", {"status": 200, "body": "<html>maintenance</html>"}),
        ("network down", {"body": ConnectionError("connection refused")}),
    ],
)
def test_shopify_failing_the_exchange_is_a_502_with_a_retry_link(
    _case: str,
    reply: dict[str, Any],
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shopify: responses.RequestsMock,
) -> None:
    shopify.post(TOKEN_URL, **reply)

    response = client.get("/app?" + embedded_query())

    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert f'href="https://{SHOP}/admin/apps/{SHOPIFY_API_KEY}" target="_top"' in page
    assert session.scalars(select(Shop)).all() == []
    assert sync_jobs(redis) == []


def test_failure_answers_json_to_api_callers(
    client: FlaskClient, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, status=500)

    response = client.get("/app?" + embedded_query(), headers={"Accept": "application/json"})

    assert response.status_code == 502
    assert response.json is not None
    assert response.json["error"]["code"] == "shopify_unavailable"


def test_shop_origin_setting_sends_every_call_to_the_simulation(
    settings: dict[str, Any], request: pytest.FixtureRequest, shopify: responses.RequestsMock
) -> None:
    settings["SHOPIFY_SHOP_ORIGIN"] = "http://127.0.0.1:8765/shops/{shop}"
    client: FlaskClient = request.getfixturevalue("client")
    request.getfixturevalue("redis")
    shopify.post(
        f"http://127.0.0.1:8765/shops/{SHOP}/admin/oauth/access_token", json=token_response()
    )

    exchanged = client.get("/app?" + embedded_query())
    other = "fresh.myshopify.com"
    install = client.get("/app?" + signed_query(shop=other))

    assert exchanged.status_code == 302
    assert len(shopify.calls) == 1
    assert install.headers["Location"].startswith(
        f"http://127.0.0.1:8765/shops/{other}/admin/oauth/authorize?"
    )


# ---------------------------------------------------------------- the authorization-code grant


def test_install_link_redirects_to_shopify_grant_screen(
    client: FlaskClient, redis: Redis, shopify: responses.RequestsMock
) -> None:
    query = signed_query(shop=SHOP)

    landing = client.get("/?" + query)
    response = client.get(landing.headers["Location"])

    assert landing.headers["Location"] == "/app?" + query
    assert response.status_code == 302
    params = authorize_params(response)
    assert set(params) == {"client_id", "scope", "redirect_uri", "state"}  # offline: no per-user
    assert params["client_id"] == [SHOPIFY_API_KEY]
    assert params["scope"] == [SCOPES]
    assert params["redirect_uri"] == ["https://luneo.test/auth/callback"]
    assert len(params["state"][0]) >= 43
    assert len(shopify.calls) == 0


def test_install_link_inside_the_admin_leaves_the_iframe(client: FlaskClient, redis: Redis) -> None:
    response = client.get("/app?" + signed_query(embedded="1", host=HOST, shop=SHOP))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "https://cdn.shopify.com/shopifycloud/app-bridge.js" in page
    assert 'open("https://example.myshopify.com/admin/oauth/authorize?client_id=' in page


def test_callback_stores_the_token_and_opens_luneo_in_the_admin(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())
    state = start_oauth(client)

    response = client.get("/auth/callback?" + callback_query(state))

    assert response.status_code == 302
    assert response.headers["Location"] == APP_IN_ADMIN
    assert len(shopify.calls) == 1
    assert posted(shopify) == {
        "client_id": SHOPIFY_API_KEY,
        "client_secret": SHOPIFY_API_SECRET,
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "expiring": "1",
    }
    shop = shopify_shop(session)
    assert shop is not None
    assert shop.is_installed
    assert (shop.access_token, shop.scopes) == (ACCESS_TOKEN, GRANTED)
    assert [job.id for job in sync_jobs(redis)] == [f"sync-initial-{shop.id}"]


def test_callback_without_host_lands_in_the_shop_admin(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())
    state = start_oauth(client)
    query = signed_query(code="abc", shop=SHOP, state=state)

    response = client.get("/auth/callback?" + query)

    assert response.headers["Location"] == f"https://{SHOP}/admin/apps/{SHOPIFY_API_KEY}"


def test_replayed_callback_is_refused(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())
    state = start_oauth(client)
    query = callback_query(state)

    first = client.get("/auth/callback?" + query)
    replay = client.get("/auth/callback?" + query)

    assert first.status_code == 302
    assert replay.status_code == 403
    assert len(shopify.calls) == 1
    assert len(sync_jobs(redis)) == 1


@pytest.mark.parametrize(
    ("_case", "state"),
    [
        ("made up", lambda real: secrets.token_urlsafe(32) + ".c2lnbmF0dXJl"),
        ("signature stripped", lambda real: real.split(".")[0]),
        ("missing", lambda real: ""),
    ],
)
def test_callback_with_an_unknown_state_is_refused(
    _case: str,
    state: Any,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shopify: responses.RequestsMock,
) -> None:
    real = start_oauth(client)

    response = client.get("/auth/callback?" + callback_query(state(real)))

    assert response.status_code == 403
    assert len(shopify.calls) == 0
    assert session.scalars(select(Shop)).all() == []


def test_a_state_older_than_its_life_is_refused_even_while_redis_keeps_it(
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shopify: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = start_oauth(client)
    later = time.time() + oauth_state.STATE_TTL + 1
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))  # signing's clock

    response = client.get("/auth/callback?" + callback_query(state))

    assert response.status_code == 403
    assert len(shopify.calls) == 0
    assert session.scalars(select(Shop)).all() == []


def test_a_state_shaped_token_made_for_another_purpose_is_refused(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    """Even with a live nonce: only a state token is a state."""
    shopify.post(TOKEN_URL, json=token_response())
    real = start_oauth(client)
    nonce = signing.verify(
        app.config["SECRET_KEY"], signing.Purpose.SHOPIFY_OAUTH_STATE, real
    ).claims[0]
    other = signing.Purpose.FILE_DOWNLOAD
    forged = signing.issue(app.config["SECRET_KEY"], other, [nonce, SHOP], ttl=600).token

    response = client.get("/auth/callback?" + callback_query(forged))

    assert response.status_code == 403
    assert len(shopify.calls) == 0
    assert client.get("/auth/callback?" + callback_query(real)).status_code == 302


def test_state_issued_for_another_shop_is_refused(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    state = start_oauth(client, "victim.myshopify.com")

    response = client.get("/auth/callback?" + callback_query(state, shop=SHOP))

    assert response.status_code == 403
    assert len(shopify.calls) == 0


def test_callback_with_a_bad_hmac_stores_nothing_and_keeps_the_state(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())
    state = start_oauth(client)
    forged = signed_query("x" * 40, code="evil", host=HOST, shop=SHOP, state=state)

    refused = client.get("/auth/callback?" + forged)
    genuine = client.get("/auth/callback?" + callback_query(state))

    assert refused.status_code == 401
    assert genuine.status_code == 302  # the forgery did not burn the merchant's state
    assert len(shopify.calls) == 1
    assert posted(shopify)["code"] == "0907a61c0c8d55e99db179b68161bc00"


@pytest.mark.parametrize(
    ("_case", "query", "status"),
    [
        ("no hmac", lambda: urlencode({"shop": SHOP, "timestamp": str(int(time.time()))}), 401),
        ("not a myshopify shop", lambda: signed_query(shop="evil.test"), 400),
        ("shop with a path", lambda: signed_query(shop="evil.test/x.myshopify.com"), 400),
        ("no shop", lambda: signed_query(), 400),
    ],
)
def test_bad_install_links_are_refused(
    _case: str,
    query: Any,
    status: int,
    client: FlaskClient,
    redis: Redis,
    shopify: responses.RequestsMock,
) -> None:
    response = client.get("/app?" + query())

    assert response.status_code == status
    assert "Location" not in response.headers
    assert len(shopify.calls) == 0


def test_callback_missing_code_is_a_400(client: FlaskClient, redis: Redis) -> None:
    state = start_oauth(client)

    response = client.get("/auth/callback?" + signed_query(shop=SHOP, state=state))

    assert response.status_code == 400


def test_grant_without_the_needed_scopes_asks_again_then_stops(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response(scope="read_products"))
    state = start_oauth(client)

    again = client.get("/auth/callback?" + callback_query(state))
    second_state = authorize_params(again)["state"][0]
    stop = client.get("/auth/callback?" + callback_query(second_state))

    assert again.status_code == 302
    assert second_state != state
    assert stop.status_code == 403
    assert "read_orders" in stop.get_data(as_text=True)
    assert len(shopify.calls) == 2


def test_write_scope_covers_its_read_scope(
    settings: dict[str, Any], request: pytest.FixtureRequest, shopify: responses.RequestsMock
) -> None:
    settings["SCOPES"] = "read_products,read_orders,write_orders"
    client: FlaskClient = request.getfixturevalue("client")
    request.getfixturevalue("redis")
    shopify.post(TOKEN_URL, json=token_response(scope="read_products,write_orders"))
    state = start_oauth(client)

    response = client.get("/auth/callback?" + callback_query(state))

    assert response.headers["Location"] == APP_IN_ADMIN


def test_shopify_refusing_the_code_is_a_502_and_stores_nothing(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, status=400, json={"error": "invalid_request"})
    state = start_oauth(client)

    response = client.get("/auth/callback?" + callback_query(state))

    assert response.status_code == 502
    assert "Try again" in response.get_data(as_text=True)
    assert session.scalars(select(Shop)).all() == []
    assert sync_jobs(redis) == []


def test_reinstall_after_uninstall(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    before = datetime.now(UTC) - timedelta(days=30)
    old = make_shop(
        session,
        domain=SHOP,
        access_token=None,
        scopes=GRANTED,
        installed_at=before,
        uninstalled_at=before + timedelta(days=1),
    )
    session.commit()
    shopify.post(TOKEN_URL, json=token_response())
    state = start_oauth(client)

    response = client.get("/auth/callback?" + callback_query(state))

    assert response.status_code == 302
    shop = shopify_shop(session)
    assert shop is not None
    assert shop.id == old.id
    assert shop.uninstalled_at is None
    assert shop.installed_at is not None
    assert shop.installed_at > before + timedelta(days=2)
    assert shop.access_token == ACCESS_TOKEN
    assert [job.id for job in sync_jobs(redis)] == [f"sync-initial-{old.id}"]


def test_install_link_for_an_installed_shop_goes_straight_to_the_admin(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    make_shop(session, domain=SHOP, scopes=GRANTED)
    session.commit()

    response = client.get("/app?" + signed_query(host=HOST, shop=SHOP))

    assert response.headers["Location"] == APP_IN_ADMIN
    assert len(shopify.calls) == 0


def test_home_page_without_shop_is_unchanged(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "Luneo" in response.get_data(as_text=True)


# ---------------------------------------------------------------- secrets stay out of logs


def test_tokens_and_secrets_never_reach_the_logs(
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shopify: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # caplog's handler has no redacting filter: this checks what the code logs, not the mask.
    shopify.post(TOKEN_URL, json=token_response())
    id_token = session_token()
    code = "c0de" + secrets.token_hex(12)

    with caplog.at_level(logging.DEBUG):
        client.get("/app?" + embedded_query(id_token=id_token))
        state = start_oauth(client, "second.myshopify.com")
        shopify.post("https://second.myshopify.com/admin/oauth/access_token", json=token_response())
        client.get(
            "/auth/callback?" + callback_query(state, shop="second.myshopify.com", code=code)
        )

    assert len(shopify.calls) == 2
    logged = caplog.text + " ".join(repr(vars(record)) for record in caplog.records)
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, SHOPIFY_API_SECRET, id_token, code, state):
        assert secret not in logged
    assert "shopify token stored" in caplog.text


def test_callback_host_outside_shopify_is_not_followed(
    client: FlaskClient, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shopify.post(TOKEN_URL, json=token_response())
    state = start_oauth(client)
    evil_host = base64.b64encode(b"evil.test/store/example").decode()
    query = signed_query(code="abc", host=evil_host, shop=SHOP, state=state)

    response = client.get("/auth/callback?" + query)

    assert response.headers["Location"] == f"https://{SHOP}/admin/apps/{SHOPIFY_API_KEY}"


def test_concurrent_install_of_the_same_shop_waits_then_gives_up(
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shopify: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(install, "LOCK_WAIT", 0.2)
    held = redis.lock(f"luneo:shopify:install:{SHOP}", timeout=30)
    assert held.acquire(blocking=False)

    response = client.get("/app?" + embedded_query())

    held.release()
    assert response.status_code == 503
    assert len(shopify.calls) == 0
    assert session.scalars(select(Shop)).all() == []


def test_refresh_renews_an_expiring_token(
    app: Flask, session: Session, redis: Redis, shopify: responses.RequestsMock
) -> None:
    shop = make_shop(
        session,
        domain=SHOP,
        scopes=GRANTED,
        refresh_token="shprt_" + "9" * 32,
        token_expires_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    shopify.post(TOKEN_URL, json=token_response())

    install.refresh_offline_token(session, app.config, shop)

    assert posted(shopify) == {
        "client_id": SHOPIFY_API_KEY,
        "client_secret": SHOPIFY_API_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": "shprt_" + "9" * 32,
    }
    assert (shop.access_token, shop.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    assert shop.token_expires_at is not None
    assert shop.token_expires_at > datetime.now(UTC) + timedelta(minutes=55)
