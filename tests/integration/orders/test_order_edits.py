"""Changing an ordered design after the order (app.sync.order_edits, app.storefront.order_edits):
the e-mail and its link, the page, the change itself (new files version, re-render, audit, the
partner told), the shop's edit window, the merchant's own link, and the attacks on each trust
boundary: forged, expired and misdirected tokens, another shop's design, a design made in another
browser, a change of price, a closed window, two changes racing and a change racing a claim."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.accounts.mailer import ConsoleMailer
from app.api_error import ApiError
from app.design import FontRegistry, FontsNotInstalled
from app.fulfilment import assignments, proofs
from app.fulfilment.audit import Actor
from app.models import (
    AssignmentStatus,
    AuditEvent,
    Design,
    DesignStatus,
    JobAssignment,
    Order,
    OrderItem,
    Partner,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofStatus,
    Template,
)
from app.queue import get_queue
from app.signing import Purpose, issue
from app.storefront.designs import edit_token
from app.sync import order_edits
from app.sync.order_edits import LINK_TTL, link_token, save_edit_window
from standins.shopify import upstream_line, upstream_order
from tests.factories import make_design, make_product, make_shop, make_template
from tests.integration.storefront.conftest import signed_query

from .conftest import DOCUMENT, Mugs, now_stamp

NEW_DOCUMENT = {
    "version": 1,
    "areas": {
        "front": {
            "layers": [
                {"type": "text", "text": "Ana", "font": "Inter", "size_mm": 6, "x_mm": 4, "y_mm": 4}
            ]
        }
    },
}


@pytest.fixture(scope="session", autouse=True)
def _fonts() -> None:
    try:
        FontRegistry.load()
    except FontsNotInstalled as exc:
        pytest.fail(f"{exc}\nPreviews render real fonts: run scripts/install-fonts first.")


def ordered_line(mugs: Mugs, outbox: ConsoleMailer, number: int = 1) -> tuple[OrderItem, str]:
    """An order whose mug line carries a paid design, synced; the path of the mailed link."""
    design = mugs.design()
    attributes = {"_luneo_design": design.public_id, "_luneo_price": mugs.price(design)}
    line = upstream_line(number * 10, mugs.mug, attributes=attributes)
    mugs.store.add_orders(upstream_order(number, [line], updated_at=now_stamp()))
    (item,) = mugs.sync(number).items
    store = re.escape(f"https://{mugs.shop.domain}/apps/luneo")
    mails = [m for m in outbox.outbox if m.subject.startswith("Change your design")]
    (path,) = re.findall(f"{store}(/order-design/\\S+)", mails[-1].text)
    return item, path


def save_new(client: FlaskClient, path: str, document: dict[str, Any] = NEW_DOCUMENT) -> Any:
    template = client.get(f"{path}/products/1/template")
    assert template.status_code == 200, template.json
    saved = client.post(
        f"{path}/designs", json={"template_id": template.json["id"], "document": document}
    )
    assert saved.status_code == 201, saved.json
    return saved.json


def replace(client: FlaskClient, path: str, saved: dict[str, Any]) -> Any:
    body = {"design_id": saved["design_id"], "edit_token": saved["edit_token"]}
    return client.post(f"{path}/replace", json=body)


def job_of(mugs: Mugs, item: OrderItem) -> ProductionJob:
    mugs.session.expire_all()
    job = mugs.scope.get_by(ProductionJob, order_item_id=item.id)
    assert job is not None
    return job


def assign(mugs: Mugs, job: ProductionJob) -> JobAssignment:
    """The job made and routed to a partner, which has not started on it."""
    partner = Partner(name="Print Co", email="print@co.test", kind="network")
    mugs.session.add(partner)
    mugs.session.flush()
    job.status = ProductionStatus.READY
    job.partner_id = partner.id
    assignment = JobAssignment(
        shop_id=mugs.shop.id, production_job_id=job.id, partner_id=partner.id
    )
    mugs.session.add(assignment)
    mugs.session.commit()
    return assignment


# ---------------------------------------------------------------- the e-mail and the page
def test_the_order_sync_mails_the_link_once_and_the_page_opens_the_ordered_design(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    mail = outbox.outbox[-1]
    assert mail.to == item.order.email
    assert "until we start making your item" in mail.text
    mugs.sync(1)  # a later sync of the same order mails nothing more
    assert len([m for m in outbox.outbox if m.subject.startswith("Change your design")]) == 1

    page = client.get(path)

    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    (raw,) = re.findall(
        r"<script type=\"application/json\" data-luneo-config>(.*?)</script>", page.text
    )
    config = json.loads(raw)
    design = mugs.session.get(Design, item.design_id)
    assert design is not None
    assert config["startDesign"] == {"template_id": design.template_id, "document": design.document}
    assert config["cart"] == {"adapter": "orderEdit"}
    assert config["attachUrl"] == f"{path}/replace"
    assert config["draftKey"] == f"luneo:order-edit:{mugs.shop.id}:{item.id}"
    assert "/storefront/widget/luneo-order-edit.js" in page.text

    context = client.get(f"{path}/context")
    assert context.status_code == 200
    assert context.json["open"] is True
    assert context.json["files_version"] == 1
    assert context.json["url"].startswith(f"https://{mugs.shop.domain}/apps/luneo/order-design/")


def test_the_mail_says_the_shops_window(mugs: Mugs) -> None:
    save_edit_window(mugs.shop, "hours", "6")
    item = OrderItem(shop_id=mugs.shop.id, external_id="x", title="Mug")
    item.id = 7
    order = Order(shop_id=mugs.shop.id, external_id="o", name="#1001", email="ada@example.test")
    with mugs.app.app_context():
        message = order_edits._message(mugs.app.config, mugs.shop, item, order)
    assert message.to == "ada@example.test"
    assert message.subject == "Change your design for order #1001"
    assert "for 6 hours after your order" in message.text
    assert f"https://{mugs.shop.domain}/apps/luneo/order-design/" in message.text


# ---------------------------------------------------------------- the change
def test_a_change_replaces_the_design_requeues_the_job_and_counts_a_version(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    ordered_id = item.design_id
    job = job_of(mugs, item)
    assign(mugs, job)
    saved = save_new(client, path)

    answer = replace(client, path, saved)

    assert answer.status_code == 200, answer.json
    assert answer.json["files_version"] == 2
    assert answer.json["old_price"] == answer.json["new_price"] == "4.00 EUR"
    job = job_of(mugs, item)
    item = mugs.session.get(OrderItem, item.id)
    assert item is not None
    new = mugs.session.get(Design, item.design_id)
    old = mugs.session.get(Design, ordered_id)
    assert new is not None
    assert old is not None
    assert new.public_id == saved["design_id"]
    assert (new.status, old.status) == (DesignStatus.ORDERED, DesignStatus.ORDERED)
    assert old.document == DOCUMENT  # the ordered design never changes
    assert (job.design_id, job.status, job.files_version) == (new.id, ProductionStatus.QUEUED, 2)
    assert f"render-{job.id}" in get_queue("render", mugs.redis).job_ids
    (event,) = mugs.session.scalars(select(AuditEvent).where(AuditEvent.action == "design.changed"))
    assert (event.actor_type, event.production_job_id) == ("customer", job.id)
    assert event.detail["from_design"] == old.public_id
    assert event.detail["to_design"] == new.public_id
    assert event.detail["files_version"] == 2
    # the same design a second time: nothing to change
    again = replace(client, path, saved)
    assert again.status_code == 409
    # the order updated upstream (its line still names the ordered design): the change stays
    mugs.store.orders["gid://shopify/Order/1"]["updatedAt"] = now_stamp()
    (synced,) = mugs.sync(1).items
    assert synced.design_id == new.id
    assert job_of(mugs, item).design_id == new.id


def test_a_design_made_in_another_browser_or_another_shop_is_not_found(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    saved = save_new(client, path)
    wrong_token = {"design_id": saved["design_id"], "edit_token": "0" * 32}
    no_token = {"design_id": saved["design_id"]}
    other = make_shop(mugs.session, domain="other.myshopify.com")
    product = make_product(mugs.session, other, external_id="gid://shopify/Product/1")
    foreign = make_design(
        mugs.session,
        make_template(mugs.session, product),
        document=DOCUMENT,
        status=DesignStatus.SAVED,
    )
    mugs.session.commit()
    with mugs.app.test_request_context():
        foreign_token = edit_token(foreign)
    forged = {"design_id": foreign.public_id, "edit_token": foreign_token}

    for body in (wrong_token, no_token, forged):
        answer = client.post(f"{path}/replace", json=body)
        assert answer.status_code == 404, body
        assert answer.json["error"]["code"] == "design_not_found"
    assert client.post(f"{path}/replace", data="design_id=d_x").status_code == 415
    assert client.post(f"{path}/replace", json={"design_id": 5}).status_code == 400
    assert job_of(mugs, item).files_version == 1


def test_another_products_design_is_refused(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _item, path = ordered_line(mugs, outbox)
    cup = client.get(f"{path}/products/2/template").json
    saved = client.post(
        f"{path}/designs", json={"template_id": cup["id"], "document": NEW_DOCUMENT}
    ).json
    answer = replace(client, path, saved)
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "wrong_product"


def test_a_change_of_price_is_refused_and_names_both_amounts(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    mugs.mug_template.surcharge = Decimal("9.00")  # the new design would cost more today
    mugs.session.commit()
    saved = save_new(client, path)

    answer = replace(client, path, saved)

    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "price_changed"
    assert "from 4.00 EUR to 9.00 EUR" in answer.json["error"]["message"]
    assert job_of(mugs, item).files_version == 1


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "x" * 5000,
    ],
)
def test_a_forged_token_opens_nothing(mugs: Mugs, client: FlaskClient, token: str) -> None:
    page = client.get(f"/order-design/{token}")
    assert page.status_code == 404
    assert "This link is not valid" in page.text
    assert client.post(f"/order-design/{token}/replace", json={}).status_code == 404
    assert client.get(f"/order-design/{token}/context").status_code == 404


def test_expired_misdirected_and_other_purpose_tokens_are_refused(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, _path = ordered_line(mugs, outbox)
    secret = mugs.app.config["SECRET_KEY"]
    old = link_token(secret, item, now=time.time() - LINK_TTL - 10)
    expired = client.get(f"/order-design/{old}")
    assert expired.status_code == 410
    assert "expired" in expired.text
    recovery = issue(
        secret, Purpose.RECOVER_DESIGN, {"shop": item.shop_id, "item": item.id}, ttl=600
    ).token
    assert client.get(f"/order-design/{recovery}").status_code == 404
    other_shop = issue(
        secret,
        Purpose.EDIT_ORDERED_DESIGN,
        {"shop": item.shop_id + 1, "item": item.id, "by": "shopper"},
        ttl=600,
    ).token
    assert client.get(f"/order-design/{other_shop}").status_code == 404
    # a claim the page does not know (an actor of its own choosing) is not signed by Luneo
    odd = issue(
        secret,
        Purpose.EDIT_ORDERED_DESIGN,
        {"shop": item.shop_id, "item": item.id, "by": "admin"},
        ttl=600,
    ).token
    assert client.get(f"/order-design/{odd}").status_code == 404
    # another shop's proxy cannot open this shop's link
    assert client.get(f"/proxy/order-design/{_path.rsplit('/', 1)[1]}").status_code in (
        401,
        403,
        404,
    )


# ---------------------------------------------------------------- on the store (app proxy)
def proxied(client: FlaskClient, mugs: Mugs, path: str, customer: str = "", **kwargs: Any) -> Any:
    query = signed_query(mugs.shop.domain, customer=customer)
    method = kwargs.pop("method", "GET")
    return client.open(f"/proxy{path}?{query}", method=method, **kwargs)


def test_on_the_store_the_page_and_the_change_come_through_the_app_proxy(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)

    page = proxied(client, mugs, path)

    assert page.status_code == 200
    (raw,) = re.findall(
        r"<script type=\"application/json\" data-luneo-config>(.*?)</script>", page.text
    )
    config = json.loads(raw)
    assert config["apiBase"] == "/apps/luneo"
    assert config["attachUrl"] == f"/apps/luneo{path}/replace"
    assert 'src="https://luneo.test/storefront/widget/luneo-order-edit.js"' in page.text
    # a design the signed-in customer saved through the proxy is proven by Shopify's signature
    template = proxied(client, mugs, "/products/1/template", customer="77").json
    saved = proxied(
        client,
        mugs,
        "/designs",
        customer="77",
        method="POST",
        json={"template_id": template["id"], "document": NEW_DOCUMENT},
    ).json
    assert saved["edit_token"] is None
    body = {"design_id": saved["design_id"]}
    other = proxied(client, mugs, f"{path}/replace", customer="78", method="POST", json=body)
    assert other.status_code == 404  # another customer's
    mine = proxied(client, mugs, f"{path}/replace", customer="77", method="POST", json=body)
    assert mine.status_code == 200, mine.json
    assert job_of(mugs, item).files_version == 2


def test_another_stores_proxy_opens_nothing(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _item, path = ordered_line(mugs, outbox)
    other = make_shop(mugs.session, domain="next-door.myshopify.com")
    mugs.session.commit()
    query = signed_query(other.domain)
    assert client.get(f"/proxy{path}?{query}").status_code == 404
    assert (
        client.post(f"/proxy{path}/replace?{query}", json={"design_id": "d_x"}).status_code == 404
    )
    assert client.get(f"/proxy{path}").status_code == 401


# ---------------------------------------------------------------- the window
def test_once_the_partner_claims_the_job_the_page_and_the_change_say_so(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    job = job_of(mugs, item)
    assignment = assign(mugs, job)
    saved = save_new(client, path)
    assignments.claim(mugs.session, assignment.partner_id, assignment.id, owner="press-1")
    mugs.session.commit()

    page = client.get(path)
    assert page.status_code == 200
    assert "The print shop has started on your item" in page.text
    assert "data-luneo-config" not in page.text
    answer = replace(client, path, saved)
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "edit_window_closed"
    assert client.get(f"{path}/context").json["open"] is False


def test_printing_and_cancelled_close_the_window(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    job = job_of(mugs, item)
    assignment = assign(mugs, job)
    assignment.status = AssignmentStatus.PRINTING
    mugs.session.commit()
    assert "already being made" in client.get(path).text
    assignment.status = AssignmentStatus.NEW
    item.order.cancelled_at = datetime.now(UTC)
    mugs.session.commit()
    assert "This order was cancelled." in client.get(path).text


def test_the_hours_window_and_off(mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient) -> None:
    item, path = ordered_line(mugs, outbox)
    saved = save_new(client, path)
    save_edit_window(mugs.shop, "hours", 2)
    item.order.placed_at = datetime.now(UTC) - timedelta(hours=3)
    mugs.session.commit()
    answer = replace(client, path, saved)
    assert answer.status_code == 409
    assert "for 2 hours after the order" in answer.json["error"]["message"]
    item.order.placed_at = datetime.now(UTC) - timedelta(hours=1)
    save_edit_window(mugs.shop, "off", None)
    mugs.session.commit()
    assert "does not take changes" in client.get(path).text
    save_edit_window(mugs.shop, "hours", 2)
    mugs.session.commit()
    assert replace(client, path, saved).status_code == 200


def test_settings_refuse_what_they_do_not_know(mugs: Mugs) -> None:
    for mode, hours in (("always", 1), ("hours", "0"), ("hours", "x"), ("hours", 10**9)):
        with pytest.raises(ApiError):
            save_edit_window(mugs.shop, mode, hours)
    assert order_edits.edit_window(mugs.shop).mode == "claim"


# ---------------------------------------------------------------- races
# (tests/integration/orders/test_order_edit_races.py runs them at the same instant on PostgreSQL)
def test_a_change_that_read_an_older_version_loses(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    first, second = save_new(client, path), save_new(client, path)
    token = path.rsplit("/", 1)[1]
    secret = mugs.app.config["SECRET_KEY"]
    actor = Actor("customer", None, "ada")
    with mugs.app.test_request_context():
        late = order_edits.open_line(mugs.session, secret, token)  # reads version 1
        assert replace(client, path, first).status_code == 200  # another request wins
        with pytest.raises(ApiError) as refused:
            order_edits.replace(late, secret, second, actor)
    assert refused.value.code == "edit_conflict"
    assert job_of(mugs, item).files_version == 2


def test_a_claim_racing_a_change_one_wins(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = ordered_line(mugs, outbox)
    assignment = assign(mugs, job_of(mugs, item))
    saved = save_new(client, path)
    token = path.rsplit("/", 1)[1]
    secret = mugs.app.config["SECRET_KEY"]
    with mugs.app.test_request_context():
        line = order_edits.open_line(mugs.session, secret, token)  # the window was open
        assert line.closed is None
        assignments.claim(mugs.session, assignment.partner_id, assignment.id, owner="press-1")
        mugs.session.commit()  # the partner was faster
        with pytest.raises(ApiError) as refused:
            order_edits.replace(line, secret, saved, Actor("customer", None, "ada"))
        mugs.session.rollback()
    assert refused.value.code == "edit_window_closed"
    assert job_of(mugs, item).files_version == 1


# ---------------------------------------------------------------- the merchant
def test_the_merchant_changes_after_the_window_and_any_price(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, _path = ordered_line(mugs, outbox)
    assignment = assign(mugs, job_of(mugs, item))
    assignments.claim(mugs.session, assignment.partner_id, assignment.id, owner="press-1")
    mugs.mug_template.surcharge = Decimal("9.00")
    mugs.session.commit()
    path = "/order-design/" + link_token(mugs.app.config["SECRET_KEY"], item, by="merchant")

    page = client.get(path)
    assert page.status_code == 200
    assert "data-order-edit-merchant" in page.text
    assert "after their time to change it ended" in page.text
    saved = save_new(client, path)
    answer = replace(client, path, saved)

    assert answer.status_code == 200, answer.json
    assert (answer.json["old_price"], answer.json["new_price"]) == ("4.00 EUR", "9.00 EUR")
    (event,) = mugs.session.scalars(select(AuditEvent).where(AuditEvent.action == "design.changed"))
    assert (event.actor_type, event.detail["by"]) == ("merchant", "merchant")
    # printing closes it for the merchant too
    mugs.session.expire_all()
    row = mugs.session.get(JobAssignment, assignment.id)
    assert row is not None
    row.status = AssignmentStatus.PRINTING
    mugs.session.commit()
    assert "already being made" in client.get(path).text


# ---------------------------------------------------------------- with proof approval
def test_a_change_after_asking_for_changes_sends_the_proof_again_once_the_files_are_ready(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    """The shopper asked for changes on the proof, then changed the design themselves: the
    proof is pending again (no link of the earlier round approves the new files) and, with
    Luneo sending proofs, goes out again when the re-rendered files are ready."""
    item, path = ordered_line(mugs, outbox)
    job = job_of(mugs, item)
    template = mugs.session.get(Template, mugs.design().template_id)
    assert template is not None
    template.proof_required = True
    proof = Proof(
        shop_id=mugs.shop.id,
        production_job_id=job.id,
        status=ProofStatus.CHANGES_REQUESTED,
        round=1,
        comment="Ana, not Ada, please.",
    )
    mugs.session.add(proof)
    mugs.session.commit()

    answer = replace(client, path, save_new(client, path))

    assert answer.status_code == 200, answer.json
    mugs.session.expire_all()
    proof = mugs.session.get(Proof, proof.id)
    assert proof is not None
    assert (proof.status, proof.sent_at, proof.decided_at) == (ProofStatus.PENDING, None, None)
    job = job_of(mugs, item)
    assert job.status is ProductionStatus.QUEUED
    assert proofs.awaiting_approval(mugs.session, job.id)  # routing keeps waiting
    queued = get_queue("default", mugs.redis)
    assert f"proof-mail-{proof.id}" not in queued.job_ids  # no proof of files not made yet
    # the files are made again: the proof of the new design is queued to be sent
    job.status = ProductionStatus.READY
    with mugs.app.app_context():
        proofs.open_for(mugs.session, job)
        mugs.session.commit()
    assert f"proof-mail-{proof.id}" in queued.job_ids
