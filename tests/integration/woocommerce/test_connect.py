"""Connecting a store through WooCommerce's auth endpoint, end to end, against the fake store."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models import Product, Shop, ShopScope, WebhookEvent
from app.queue import get_queue
from app.woocommerce.cli import register_woo_commands
from app.woocommerce.connect import start_connection
from app.woocommerce.store_url import InvalidStoreUrl
from connectors.woocommerce import WEBHOOK_TOPICS
from tests.integration.woocommerce.conftest import (
    authorize_url,
    run_jobs,
    woo_shop,
)
from tests.support.fake_woocommerce import AuthEndpointError, FakeWooStore, php_json


def shop_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Shop)) or 0)


# ------------------------------------------------------------------------ the happy path
def test_authorize_url_follows_the_documented_parameters(app: Flask, redis: Redis) -> None:
    url = authorize_url(app, redis, "HTTPS://Shop.TEST:443/")

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://shop.test/wc-auth/v1/authorize"
    )
    assert {k: v[0] for k, v in query.items() if k != "user_id"} == {
        "app_name": "Luneo",
        "scope": "read_write",
        "return_url": "https://luneo.test/woocommerce/return",
        "callback_url": "https://luneo.test/woocommerce/callback",
    }
    assert len(query["user_id"][0]) >= 43  # 256 random bits


def test_connect_stores_keys_encrypted_creates_webhooks_and_syncs_the_catalog(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    mug = store.add_simple("Mug")
    shirt = store.add_variable("Shirt")

    back = store.approve(client, authorize_url(app, redis))

    shop = woo_shop(session)
    assert shop is not None
    ((key, (secret, scope)),) = store.keys.items()
    assert (shop.api_key, shop.access_token, shop.scopes) == (key, secret, "read_write")
    raw = session.execute(
        text("SELECT api_key, access_token, webhook_secret FROM shops WHERE id = :id"),
        {"id": shop.id},
    ).one()
    assert key not in raw[0]
    assert secret not in raw[1]
    assert raw[2] != shop.webhook_secret
    assert shop.extra["store_url"] == "https://shop.test"
    assert get_queue("sync", redis).job_ids == [f"woo-connect-{shop.id}"]

    run_jobs(app, "default", "sync")

    hook_url = f"https://luneo.test/webhooks/woocommerce/{shop.extra['webhook_path']}"
    posted = [body for m, p, _, body in store.log if (m, p) == ("POST", "webhooks")]
    assert posted == [
        {
            "name": f"Luneo {topic}",
            "topic": topic,
            "delivery_url": hook_url,
            "secret": shop.webhook_secret,
            "status": "active",
        }
        for topic in WEBHOOK_TOPICS
    ]
    products = ShopScope(session, shop.id).all(Product, Product.external_id)
    assert [(p.external_id, p.title, len(p.variants)) for p in products] == [
        (str(mug["id"]), "Mug", 1),
        (str(shirt["id"]), "Shirt", 3),
    ]
    assert [v.options for v in products[1].variants] == [{"Size": s} for s in ("S", "M", "L")]
    assert {v.currency for p in products for v in p.variants} == {"EUR"}
    state = woo_shop(session).extra  # type: ignore[union-attr]
    assert state["sync"]["state"] == "succeeded"
    assert state["webhooks"]["created"] == list(WEBHOOK_TOPICS)

    page = client.get(back.replace("https://luneo.test", ""))
    assert page.status_code == 200
    assert "Your store is connected" in page.text
    assert "shop.test" in page.text


def test_creation_pings_are_answered_200_and_record_nothing(
    client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    assert len(store.pings) == 5
    for delivery_url, body in store.pings:
        answer = client.post(
            urlsplit(delivery_url).path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (answer.status_code, answer.json) == (200, {"status": "ping"})
    assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_reconnecting_updates_the_same_shop_and_keeps_its_webhook_secret(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
) -> None:
    secret, path, old_key = (
        connected.webhook_secret,
        connected.extra["webhook_path"],
        connected.api_key,
    )

    store.approve(client, authorize_url(app, redis))

    again = woo_shop(session)
    assert again is not None
    assert (again.id, again.webhook_secret, again.extra["webhook_path"]) == (
        connected.id,
        secret,
        path,
    )
    assert again.api_key != old_key
    assert shop_count(session) == 1


# ---------------------------------------------------------------- refused key POSTs
def _post_keys(client: FlaskClient, payload: dict[str, Any]) -> Any:
    return client.post(
        "/woocommerce/callback",
        data=php_json(payload),
        headers={"Content-Type": "application/json;charset=UTF-8"},
    )


KEYS = {"key_id": 1, "consumer_key": "ck_" + "a" * 40, "consumer_secret": "cs_" + "b" * 40}


@pytest.mark.parametrize("_case", ["unknown", "replayed", "expired"])
def test_unknown_expired_or_replayed_user_ids_are_refused_and_store_nothing(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    _case: str,
) -> None:
    key, secret = store.issue_keys()  # genuine keys of the store: only the token is wrong
    body = php_json(
        {
            "key_id": 7,
            "user_id": "not-a-token-we-issued",
            "consumer_key": key,
            "consumer_secret": secret,
            "key_permissions": "read_write",
        }
    )
    if _case == "replayed":
        store.approve(client, authorize_url(app, redis))
        body = store.key_posts[-1]  # the genuine delivery, captured and sent again
    if _case == "expired":
        user_id = parse_qs(urlsplit(authorize_url(app, redis)).query)["user_id"][0]
        body = body.replace(b"not-a-token-we-issued", user_id.encode())
        for pending_key in redis.scan_iter("luneo:woo:pending:*"):
            redis.delete(pending_key)  # what the TTL does after 30 minutes
    before = woo_shop(session)
    saved = (before.api_key, before.extra["woocommerce"]) if before else None
    queued = get_queue("sync", redis).job_ids
    calls = len(store.log)

    answer = client.post(
        "/woocommerce/callback",
        data=body,
        headers={"Content-Type": "application/json;charset=UTF-8"},
    )

    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "unknown_connection"
    assert shop_count(session) == (1 if before else 0)
    assert get_queue("sync", redis).job_ids == queued
    after = woo_shop(session)
    assert ((after.api_key, after.extra["woocommerce"]) if after else None) == saved
    assert len(store.log) == calls  # an unknown token costs no call to any store


def test_read_only_keys_are_refused(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    with pytest.raises(AuthEndpointError, match="unable to send the consumer data"):
        store.approve(client, authorize_url(app, redis), scope="read")

    assert shop_count(session) == 0
    assert store.keys == {}  # WooCommerce deletes the key it could not deliver
    assert get_queue("sync", redis).job_ids == []


@pytest.mark.parametrize(
    ("_case", "body"),
    [
        ("not json", b"consumer_key=ck_x"),
        ("no user id", php_json({**KEYS, "key_permissions": "read_write"})),
        ("malformed key", php_json({**KEYS, "consumer_key": "x", "user_id": "t"})),
    ],
)
def test_malformed_key_posts_get_400(
    client: FlaskClient, session: Session, _case: str, body: bytes
) -> None:
    answer = client.post("/woocommerce/callback", data=body, content_type="application/json")

    assert answer.status_code == 400
    assert shop_count(session) == 0


def test_denied_connection_shows_what_woocommerce_said(
    app: Flask, client: FlaskClient, redis: Redis, store: FakeWooStore
) -> None:
    back = store.deny(authorize_url(app, redis))

    page = client.get(back.replace("https://luneo.test", ""))

    assert page.status_code == 200
    assert "The connection was cancelled" in page.text


# ------------------------------------------------------------------- store URL checks
@pytest.mark.parametrize(
    ("_case", "env", "url", "dns", "problem"),
    [
        ("http in production", "production", "http://shop.test", ["93.184.215.14"], "https://"),
        ("private address", "production", "https://intranet.test", ["10.0.0.5"], "not a public"),
        ("loopback literal", "production", "https://127.0.0.1:8443", [], "not a public"),
        ("metadata address", "testing", "https://169.254.169.254", [], "not a public"),
        (
            "mixed answers",
            "production",
            "https://shop.test",
            ["93.184.215.14", "192.168.1.2"],
            "not a public",
        ),
        ("unresolvable", "production", "https://nowhere.test", [], "could not be found"),
        ("credentials", "production", "https://me:pw@shop.test", ["93.184.215.14"], "credentials"),
        ("other scheme", "production", "ftp://shop.test", ["93.184.215.14"], "https://"),
    ],
)
def test_store_urls_that_are_not_public_https_are_refused(
    app: Flask, redis: Redis, _case: str, env: str, url: str, dns: list[str], problem: str
) -> None:
    config = {**app.config, "ENV": env}

    with pytest.raises(InvalidStoreUrl, match=problem):
        start_connection(url, config=config, redis=redis, resolve=lambda _h, _p: dns)
    assert list(redis.scan_iter("luneo:woo:pending:*")) == []


def test_a_loopback_store_over_http_is_fine_in_development(app: Flask, redis: Redis) -> None:
    config = {**app.config, "ENV": "development"}

    url = start_connection("http://127.0.0.1:8089/wp", config=config, redis=redis)

    assert url.startswith("http://127.0.0.1:8089/wp/wc-auth/v1/authorize?app_name=Luneo&")


# --------------------------------------------------------------------------------- cli
def test_cli_connect_prints_the_authorize_link(app: Flask) -> None:
    register_woo_commands(app.cli)

    result = app.test_cli_runner().invoke(args=["woo", "connect", "http://localhost:8089"])

    assert result.exit_code == 0, result.output
    assert "http://localhost:8089/wc-auth/v1/authorize?app_name=Luneo&scope=read_write" in (
        result.output
    )


def test_cli_disconnect_deletes_the_webhooks_and_drops_the_keys(
    app: Flask, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    register_woo_commands(app.cli)

    result = app.test_cli_runner().invoke(args=["woo", "disconnect", "shop.test"])

    assert result.exit_code == 0, result.output
    assert "shop.test disconnected; 5 webhooks deleted." in result.output
    assert store.webhooks == {}
    shop = woo_shop(session)
    assert shop is not None
    assert (shop.api_key, shop.access_token, shop.webhook_secret) == (None, None, None)
    assert not shop.is_installed
