"""Two partners, three shops, ready production jobs with real stored files, and helpers."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer, Message
from app.accounts.passwords import hash_password
from app.fulfilment import keys, routing
from app.models import (
    FileKind,
    JobAssignment,
    Partner,
    PartnerRole,
    PartnerUser,
    Platform,
    ProductionFile,
    ProductionJob,
    ProductionStatus,
    RoutingRule,
    Shop,
    ShopPartner,
    StoredFile,
)
from app.storage import Storage, new_key
from tests.factories import make_design, make_order, make_product, make_shop, make_template

PASSWORD = "correct horse battery"


def png_bytes(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), color).save(out, "PNG")
    return out.getvalue()


@dataclass
class PartnerSetup:
    partner: Partner
    user: PartnerUser
    key: str


def make_partner(session: Session, name: str, email: str) -> PartnerSetup:
    partner = Partner(name=name, email=email, kind="network")
    session.add(partner)
    session.flush()
    user = PartnerUser(
        partner_id=partner.id,
        email=email,
        name=name,
        password_hash=hash_password(PASSWORD),
        role=PartnerRole.ADMIN,  # a partner's first person manages its team and keys
    )
    session.add(user)
    session.flush()
    _row, plaintext = keys.create_key(session, partner.id, "line 1", user.id)
    return PartnerSetup(partner, user, plaintext)


def route_to(session: Session, shop: Shop, partner: Partner, **criteria: Any) -> RoutingRule:
    session.add(ShopPartner(shop_id=shop.id, partner_id=partner.id))
    rule = RoutingRule(shop_id=shop.id, partner_id=partner.id, **criteria)
    session.add(rule)
    session.flush()
    return rule


def _stored(
    session: Session,
    storage: Storage,
    shop: Shop,
    kind: FileKind,
    data: bytes,
    content_type: str,
    name: str,
) -> StoredFile:
    ext = "pdf" if content_type == "application/pdf" else "png"
    key = new_key(shop.id, "production", ext)
    written = storage.put(key, data, content_type)
    row = StoredFile(
        shop_id=shop.id,
        key=key,
        kind=kind,
        content_type=content_type,
        size=written.size,
        sha256=written.sha256,
        original_name=name,
    )
    session.add(row)
    session.flush()
    return row


def ready_job(
    session: Session,
    storage: Storage,
    shop: Shop,
    *,
    country: str = "FR",
    order_external_id: str | None = None,
    line_external_id: str | None = None,
    quantity: int = 2,
) -> ProductionJob:
    """An order line whose print files (PNG, PDF) and preview are rendered and stored."""
    template = make_template(session, make_product(session, shop, title="Mug"))
    design = make_design(session, template)
    extra: dict[str, Any] = {
        "shipping_address": {
            "name": "Ada Lovelace",
            "address1": "1 Main St",
            "city": "Paris",
            "zip": "75001",
            "country_code": country,
            "phone": "+33 1 00 00 00 00",
        },
        "email": "ada@example.com",
    }
    if order_external_id:
        extra["external_id"] = order_external_id
    order = make_order(session, shop, design, **extra)
    item = order.items[0]
    item.quantity, item.sku, item.title = quantity, "MUG-11", "Personalized mug"
    if line_external_id:
        item.external_id = line_external_id
    item.product_id = template.product_id
    job = ProductionJob(
        shop_id=shop.id,
        order_item_id=item.id,
        design_id=design.id,
        status=ProductionStatus.READY,
        preflight={
            "errors": 0,
            "warnings": 1,
            "infos": 0,
            "findings": [
                {
                    "severity": "warning",
                    "area": "front",
                    "layer": 0,
                    "code": "low_dpi",
                    "message": "Photo prints at 180 DPI.",
                }
            ],
        },
    )
    session.add(job)
    session.flush()
    label = re.sub(r"[^0-9]", "", order.name)
    files = [
        (FileKind.PRINT_PNG, "png", png_bytes(), "image/png", f"order-{label}-front.png"),
        (
            FileKind.PRINT_PDF,
            "pdf",
            b"%PDF-1.4 print file",
            "application/pdf",
            f"order-{label}-front.pdf",
        ),
        (
            FileKind.PREVIEW,
            "preview",
            png_bytes((20, 90, 200)),
            "image/png",
            f"order-{label}-front-preview.png",
        ),
    ]
    for kind, fmt, data, ctype, name in files:
        stored = _stored(session, storage, shop, kind, data, ctype, name)
        session.add(
            ProductionFile(
                production_job_id=job.id, stored_file_id=stored.id, area_key="front", format=fmt
            )
        )
    session.flush()
    return job


def assign(session: Session, job: ProductionJob) -> JobAssignment:
    assignment = routing.route_job(session, job.id)
    assert assignment is not None
    return assignment


@dataclass
class World:
    a: PartnerSetup
    b: PartnerSetup
    shops: list[Shop]
    jobs_a: list[JobAssignment]
    jobs_b: list[JobAssignment]


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The API budget is off here (partner ids repeat across tests while Redis counts on);
    test_rate_limit.py turns it on with a fresh Redis."""
    return {**settings, "PARTNER_API_RATE_PER_MINUTE": 0}


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


@pytest.fixture
def world(session: Session, storage: Storage) -> World:
    """Partner A makes shop 1's jobs and shop 3's French ones; B makes shop 2's and the rest."""
    a = make_partner(session, "Print A", "a@print-a.test")
    b = make_partner(session, "Print B", "b@print-b.test")
    one = make_shop(session, name="Shop One", plan="pro")
    two = make_shop(
        session, name="Shop Two", platform=Platform.WOOCOMMERCE, domain="two.test", plan="pro"
    )
    three = make_shop(session, name="Shop Three", plan="pro")
    route_to(session, one, a.partner)
    route_to(session, two, b.partner)
    route_to(session, three, a.partner, priority=10, country_code="FR")
    session.add(ShopPartner(shop_id=three.id, partner_id=b.partner.id))
    session.add(RoutingRule(shop_id=three.id, partner_id=b.partner.id, priority=50))
    session.flush()
    jobs_a = [
        assign(session, ready_job(session, storage, one)),
        assign(session, ready_job(session, storage, three, country="FR")),
    ]
    jobs_b = [
        assign(session, ready_job(session, storage, two)),
        assign(session, ready_job(session, storage, three, country="DE")),
    ]
    session.commit()
    return World(a, b, [one, two, three], jobs_a, jobs_b)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def portal_login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/partners/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert token is not None
    return client.post(
        "/partners/login",
        data={"csrf_token": token.group(1).decode(), "email": email, "password": password},
    )


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


def link_in(message: Message) -> str:
    """The path of the one https://luneo.test link in an e-mail."""
    (url,) = re.findall(r"https://luneo\.test(/\S+)", message.text)
    return str(url)


def csrf_of(client: FlaskClient, path: str = "/partners/") -> str:
    page = client.get(path)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert token is not None
    return token.group(1).decode()
