"""A partner's webhook URL is refused when it is saved if Luneo must not call it (issue #15,
item 10); the delivery job still checks the connected socket (DNS can change in between)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy.orm import Session

from app.models import AuditEvent, Partner
from connectors.http import BlockedDestination
from jobs.fulfilment import deliver_partner_webhook

from .conftest import World, csrf_of, portal_login

PUBLIC = "23.227.38.65"
NAMES = {
    "hooks.print-a.example": [PUBLIC],
    "internal.print-a.example": ["10.0.0.7"],
    "mixed.print-a.example": [PUBLIC, "169.254.169.254"],
    "nat64.print-a.example": ["64:ff9b::a9fe:a9fe"],
}


@pytest.fixture
def dns(app: Flask) -> Iterator[list[str]]:
    """Pretend DNS for the partners' host names; records every name looked up."""
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return NAMES.get(host, [])

    app.extensions["luneo.resolve_host"] = resolve
    yield looked_up
    app.extensions.pop("luneo.resolve_host", None)


def _save(client: FlaskClient, url: str) -> tuple[int, str]:
    token = csrf_of(client, "/partners/keys")
    answer = client.post("/partners/webhook", data={"csrf_token": token, "webhook_url": url})
    return answer.status_code, answer.get_data(as_text=True)


def _stored(session: Session, partner_id: int) -> tuple[str | None, str | None]:
    session.expire_all()
    partner = session.get_one(Partner, partner_id)
    return partner.webhook_url, partner.webhook_secret


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/hook",
        "https://[::ffff:10.0.0.7]/hook",
        "https://[64:ff9b::a9fe:a9fe]/hook",
        "https://[2002:a9fe:a9fe::]/hook",
        "https://internal.print-a.example/hook",
        "https://mixed.print-a.example/hook",
        "https://nat64.print-a.example/hook",
        "https://nowhere.print-a.example/hook",
        "https://user:pw@hooks.print-a.example/hook",
        "ftp://hooks.print-a.example/hook",
        "https://hooks.print-a.example/" + "x" * 2001,
    ],
)
def test_a_webhook_url_luneo_must_not_call_is_refused_when_saved(
    client: FlaskClient, session: Session, world: World, redis: Redis, dns: list[str], url: str
) -> None:
    portal_login(client, world.a.user.email)

    status, page = _save(client, url)

    assert status == 422
    assert "cannot be used" in page or "too long" in page
    assert _stored(session, world.a.partner.id) == (None, None)
    assert session.query(AuditEvent).filter_by(action="webhook_updated").count() == 0


def test_a_public_webhook_url_is_saved_with_a_new_secret(
    client: FlaskClient, session: Session, world: World, redis: Redis, dns: list[str]
) -> None:
    portal_login(client, world.a.user.email)

    status, page = _save(client, "https://hooks.print-a.example/luneo")

    assert status == 200
    url, secret = _stored(session, world.a.partner.id)
    assert url == "https://hooks.print-a.example/luneo"
    assert secret is not None
    assert secret in page
    assert dns == ["hooks.print-a.example"]


class _Receiver(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        _Receiver.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal_receiver() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.hits = []
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_the_delivery_still_refuses_an_address_that_is_not_public(
    app: Flask, session: Session, world: World, internal_receiver: int
) -> None:
    # Stored before this check existed, or a name whose DNS changed since it was saved: the
    # client's socket check refuses the connection and nothing reaches the address.
    partner = session.get_one(Partner, world.a.partner.id)
    partner.webhook_url = f"http://127.0.0.1:{internal_receiver}/hook"
    partner.webhook_secret = "whsec_x"
    session.commit()
    app.config["ENV"] = "production"  # no allowance for a developer's loopback receiver

    with app.app_context(), pytest.raises(BlockedDestination):
        deliver_partner_webhook(world.jobs_a[0].id)

    assert _Receiver.hits == []
