"""Key POSTs are accepted only with keys the store itself confirms, and never take a store over.

Each test performs an attack on ``POST /woocommerce/callback`` (or the genuine flow next to one)
against fake WooCommerce stores, and checks that nothing was created, changed, queued or
remembered for the return page when the POST is refused.
"""

from __future__ import annotations

import io
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Membership, Role, Shop, User
from app.queue import get_queue
from app.woocommerce import pending
from app.woocommerce.connect import start_connection
from tests.integration.accounts.conftest import make_member, make_user
from tests.integration.woocommerce.conftest import authorize_url, public_dns, woo_shop
from tests.support.fake_woocommerce import FakeWooStore, php_json

VICTIM = "https://victim.example"


def _start(app: Flask, redis: Redis, store_url: str, account: User | None = None) -> str:
    with app.app_context():
        return start_connection(
            store_url,
            config=app.config,
            redis=redis,
            resolve=public_dns,
            account_id=account.id if account else None,
        )


def _token(authorize: str) -> str:
    return parse_qs(urlsplit(authorize).query)["user_id"][0]


def _post(client: FlaskClient, token: str, key: str = "ck_x", secret: str = "cs_x") -> Any:  # noqa: S107
    body = {
        "key_id": 1,
        "user_id": token,
        "consumer_key": key,
        "consumer_secret": secret,
        "key_permissions": "read_write",
    }
    return client.post(
        "/woocommerce/callback",
        data=php_json(body),
        headers={"Content-Type": "application/json;charset=UTF-8"},
    )


def _counts(session: Session) -> tuple[int, int]:
    shops = session.scalar(select(func.count()).select_from(Shop)) or 0
    members = session.scalar(select(func.count()).select_from(Membership)) or 0
    return int(shops), int(members)


def _state(shop: Shop | None) -> Any:
    if shop is None:
        return None
    return (shop.api_key, shop.access_token, shop.extra.get("store_url"), shop.is_installed)


@pytest.fixture
def victim(rest_mock: responses.RequestsMock) -> FakeWooStore:
    fake = FakeWooStore(url=VICTIM)
    fake.install(rest_mock)
    return fake


@pytest.fixture
def attacker(session: Session) -> User:
    user = make_user(session, "attacker@evil.test")
    session.commit()
    return user


# ----------------------------------------------------------------- forged key POSTs
def test_made_up_keys_for_someone_elses_store_create_nothing(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    victim: FakeWooStore,
    attacker: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = _token(_start(app, redis, VICTIM, attacker))

    with caplog.at_level(logging.WARNING, logger="app.woocommerce.auth"):
        answer = _post(client, token)

    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "keys_not_confirmed"
    assert _counts(session) == (0, 0)
    assert get_queue("sync", redis).job_ids == []
    assert [(m, p) for m, p, _, _ in victim.log] == [("GET", "system_status")]  # 401 there
    (refusal,) = [r for r in caplog.records if r.getMessage() == "woocommerce key post refused"]
    assert (getattr(refusal, "code", None), getattr(refusal, "store", None)) == (
        "keys_not_confirmed",
        "victim.example",
    )
    back = client.get(f"/woocommerce/return?success=1&user_id={token}")
    assert "The connection did not finish" in back.text


def test_made_up_keys_do_not_replace_a_connected_stores_keys_or_url(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    attacker: User,
) -> None:
    before = _state(woo_shop(session))
    for url in ("https://shop.test", "https://shop.test/evil/path"):
        token = _token(_start(app, redis, url, attacker))

        answer = _post(client, token, "ck_junk", "cs_junk")

        assert (answer.status_code, answer.json["error"]["code"]) == (403, "keys_not_confirmed")
    assert _state(woo_shop(session)) == before
    assert _counts(session) == (1, 0)
    assert get_queue("sync", redis).job_ids == []


def test_valid_keys_of_the_attackers_own_store_do_not_connect_another_url(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    rest_mock: responses.RequestsMock,
    victim: FakeWooStore,
    attacker: User,
) -> None:
    own = FakeWooStore(url="https://attacker.test")
    own.install(rest_mock)
    key, secret = own.issue_keys()
    token = _token(_start(app, redis, VICTIM, attacker))

    answer = _post(client, token, key, secret)

    assert (answer.status_code, answer.json["error"]["code"]) == (403, "keys_not_confirmed")
    assert _counts(session) == (0, 0)
    assert own.log == []  # the keys are tried on the token's store only


def test_a_store_that_names_another_address_as_its_own_is_refused(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    rest_mock: responses.RequestsMock,
    attacker: User,
) -> None:
    """A front (proxy) for the victim's store: its keys work, but it is not the store it says."""
    front = FakeWooStore(url="https://front.test", home_url=VICTIM)
    front.install(rest_mock)
    key, secret = front.issue_keys()
    token = _token(_start(app, redis, "https://front.test", attacker))

    answer = _post(client, token, key, secret)

    assert (answer.status_code, answer.json["error"]["code"]) == (403, "keys_not_confirmed")
    assert "victim.example" in answer.json["error"]["message"]
    assert _counts(session) == (0, 0)


def test_read_only_keys_posted_as_read_write_are_refused(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    key, secret = store.issue_keys("read")
    token = _token(authorize_url(app, redis))

    answer = _post(client, token, key, secret)

    assert (answer.status_code, answer.json["error"]["code"]) == (403, "keys_not_confirmed")
    assert "read_write" in answer.json["error"]["message"]
    assert _counts(session) == (0, 0)
    assert store.webhooks == {}  # the write check changed nothing


def test_a_forged_post_does_not_use_up_the_token_of_the_genuine_delivery(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    authorize = authorize_url(app, redis)
    forged = _post(client, _token(authorize))
    assert forged.status_code == 403

    store.approve(client, authorize)  # raises unless the callback answered 200

    shop = woo_shop(session)
    assert shop is not None
    ((key, _),) = store.keys.items()
    assert shop.api_key == key


def test_key_posts_per_token_are_bounded(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    token = _token(authorize_url(app, redis))
    for _ in range(pending.ATTEMPTS.limit):
        assert _post(client, token).status_code == 403
    calls = len(store.log)

    answer = _post(client, token)

    assert answer.status_code == 429
    assert len(store.log) == calls  # no call to the store past the budget
    assert _counts(session) == (0, 0)


def test_key_posts_per_store_and_account_are_bounded_whatever_the_number_of_tokens(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    attacker: User,
) -> None:
    for _ in range(pending.STORE_ATTEMPTS.limit):
        token = _token(_start(app, redis, "https://shop.test", attacker))
        assert _post(client, token).status_code == 403
    calls = len(store.log)

    answer = _post(client, _token(_start(app, redis, "https://shop.test", attacker)))

    assert answer.status_code == 429
    assert len(store.log) == calls
    owner = make_user(session, "owner@shop.test")
    session.commit()
    store.approve(client, _start(app, redis, "https://shop.test", owner))  # not blocked
    assert woo_shop(session) is not None


# ------------------------------------------------- genuine keys, a store of another team
@pytest.fixture
def team_store(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> Shop:
    """shop.test connected by its owner's account."""
    owner = make_user(session, "owner@shop.test")
    session.commit()
    store.approve(client, _start(app, redis, "https://shop.test", owner))
    shop = woo_shop(session)
    assert shop is not None
    return shop


def test_genuine_keys_from_a_strangers_connection_leave_a_teams_store_alone(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    team_store: Shop,
    attacker: User,
) -> None:
    before = _state(woo_shop(session))
    queued = get_queue("sync", redis).job_ids
    authorize = _start(app, redis, "https://shop.test", attacker)

    back = store.approve(client, authorize)  # WooCommerce got its 200: no error shown

    assert _state(woo_shop(session)) == before
    members = session.scalars(select(Membership.user_id).where(Membership.shop_id == team_store.id))
    assert attacker.id not in list(members)
    assert get_queue("sync", redis).job_ids == queued
    page = client.get(back.replace("https://luneo.test", ""))
    assert "data-refused" in page.text
    assert team_store.storefront_key not in page.text


@pytest.mark.parametrize("role", [Role.OWNER, None])
def test_owners_and_the_operator_can_reconnect_their_store(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    team_store: Shop,
    role: Role | None,
) -> None:
    account = None
    if role is not None:
        account = make_user(session, f"{role.value}.member@shop.test")
        make_member(session, account, team_store, role)
        session.commit()
    old = team_store.api_key

    store.approve(client, _start(app, redis, "https://shop.test", account))

    shop = woo_shop(session)
    assert shop is not None
    assert shop.api_key not in (None, old)


def test_staff_cannot_replace_their_stores_keys(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    team_store: Shop,
) -> None:
    account = make_user(session, "staff.member@shop.test")
    make_member(session, account, team_store, Role.STAFF)
    session.commit()
    old = team_store.api_key

    # approve() raises unless the callback answered exactly 200 (WooCommerce deletes the key)
    returned = store.approve(client, _start(app, redis, "https://shop.test", account))

    assert "success=1" in returned
    session.refresh(team_store)
    assert team_store.api_key == old


# --------------------------------------------------------------- bodies that are not keys
@pytest.mark.parametrize(
    ("_case", "body", "status"),
    [
        ("nested arrays", b"[" * 4000 + b"]" * 4000, 400),
        ("nested objects", b'{"a":' * 1200 + b"1" + b"}" * 1200, 400),
        ("nested user_id", b'{"user_id":' + b"[" * 3000 + b"]" * 3000 + b"}", 400),
        ("too large", b'{"user_id": "' + b"x" * 20000 + b'"}', 413),
    ],
)
def test_nested_or_oversized_bodies_get_a_4xx(
    client: FlaskClient, session: Session, _case: str, body: bytes, status: int
) -> None:
    answer = client.post("/woocommerce/callback", data=body, content_type="application/json")

    assert answer.status_code == status
    assert answer.json["error"]["code"] in ("invalid_json", "too_large")
    assert _counts(session) == (0, 0)


def test_a_chunked_oversized_body_gets_413(client: FlaskClient) -> None:
    body = io.BytesIO(b'{"user_id": "' + b"x" * 100_000 + b'"}')

    answer = client.post(
        "/woocommerce/callback",
        input_stream=body,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn sets for chunked
    )

    assert answer.status_code == 413
