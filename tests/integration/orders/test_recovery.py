"""The shopper's recovery link: the page, its storefront surface, attaching the design, and the
attacks on it (forged, expired or misdirected tokens, someone else's or another product's design,
a second attach, a request that is not JSON)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.accounts.mailer import ConsoleMailer
from app.design import FontRegistry, FontsNotInstalled
from app.models import (
    Design,
    DesignStatus,
    OrderItem,
    Personalization,
    ProductionJob,
    ProductionStatus,
)
from app.queue import get_queue
from app.signing import Mark, Purpose, issue, lasting_signature
from app.sync.recovery import LINK_TTL
from standins.shopify import upstream_line, upstream_order
from tests.factories import make_design, make_product, make_shop, make_template
from tests.integration.storefront.conftest import signed_query

from .conftest import DOCUMENT, Mugs, now_stamp


@pytest.fixture(scope="session", autouse=True)
def _fonts() -> None:
    try:
        FontRegistry.load()
    except FontsNotInstalled as exc:
        pytest.fail(f"{exc}\nPreviews render real fonts: run scripts/install-fonts first.")


def edit_token(mugs: Mugs, design: Design) -> str:
    return lasting_signature(mugs.app.config["SECRET_KEY"], Mark.DESIGN_EDIT, design.public_id)


def missing_line(mugs: Mugs, outbox: ConsoleMailer, number: int = 1) -> tuple[OrderItem, str]:
    """An order whose mug line has no design, synced; the link the shopper was mailed."""
    mugs.store.add_orders(
        upstream_order(number, [upstream_line(number * 10, mugs.mug)], updated_at=now_stamp())
    )
    (item,) = mugs.sync(number).items
    assert item.personalization is Personalization.MISSING
    # the e-mail links to the page on the store (app proxy); Luneo serves it at the same path too
    store = re.escape(f"https://{mugs.shop.domain}/apps/luneo")
    (path,) = re.findall(f"{store}(/recover/\\S+)", outbox.outbox[-1].text)
    return item, path


def attach(client: FlaskClient, path: str, design: Design, token: str) -> TestResponse:
    return client.post(f"{path}/attach", json={"design_id": design.public_id, "edit_token": token})


def test_the_page_opens_the_editor_on_the_recovery_surface(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _item, path = missing_line(mugs, outbox)

    page = client.get(path)

    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    (raw,) = re.findall(
        r"<script type=\"application/json\" data-luneo-config>(.*?)</script>", page.text
    )
    config = json.loads(raw)
    # the product page's draft key (cart.js: luneo:draft:<platform>:<productId>)
    assert (config["platform"], config["productId"]) == ("shopify", "1")
    assert config["apiBase"] == path
    assert config["attachUrl"] == f"{path}/attach"
    assert config["cart"] == {"adapter": "recovery"}
    assert config["editorUrl"] == "/storefront/widget/luneo-editor.js"
    assert "/storefront/widget/luneo-recovery.js" in page.text
    assert "/storefront/widget/luneo-loader.js" in page.text


def test_a_design_saved_through_the_surface_is_attached_once_and_produced(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = missing_line(mugs, outbox)
    template = client.get(f"{path}/products/1/template")
    assert template.status_code == 200
    saved = client.post(
        f"{path}/designs", json={"template_id": template.json["id"], "document": DOCUMENT}
    )
    assert saved.status_code == 201, saved.json
    assert saved.json["ready"] is True

    answer = client.post(
        f"{path}/attach",
        json={"design_id": saved.json["design_id"], "edit_token": saved.json["edit_token"]},
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "recovered"
    mugs.session.expire_all()
    item = mugs.session.get(OrderItem, item.id)
    assert item is not None
    assert item.personalization is Personalization.RECOVERED
    design = mugs.session.get(Design, item.design_id)
    assert design is not None
    assert design.public_id == saved.json["design_id"]
    assert design.status is DesignStatus.ORDERED
    (job,) = mugs.scope.all(ProductionJob)
    assert (job.order_item_id, job.status) == (item.id, ProductionStatus.QUEUED)
    assert get_queue("render", mugs.redis).job_ids == [f"render-{job.id}"]
    assert item.expected_surcharge is not None
    assert item.surcharge is None  # added after checkout: nothing was charged for it

    # a second attach, or the page again: the line no longer waits
    again = client.post(
        f"{path}/attach",
        json={"design_id": saved.json["design_id"], "edit_token": saved.json["edit_token"]},
    )
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_added"
    page = client.get(path)
    assert page.status_code == 409
    assert "added to this order already" in page.text
    assert "data-luneo-config" not in page.text

    # the order is updated upstream (the line still has no property): RECOVERED stays, no mail
    mugs.store.orders["gid://shopify/Order/1"]["updatedAt"] = now_stamp()
    (synced,) = mugs.sync(1).items
    assert synced.personalization is Personalization.RECOVERED
    assert synced.design_id == design.id
    # no second recovery mail (the line now may get the link to change its design instead)
    assert len([m for m in outbox.outbox if m.subject.startswith("Add your design")]) == 1
    assert mugs.scope.count(ProductionJob) == 1


def test_forged_expired_and_misdirected_tokens_are_refused(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = missing_line(mugs, outbox)
    secret = mugs.app.config["SECRET_KEY"]
    theirs = make_shop(mugs.session, domain="elsewhere.myshopify.com")
    mugs.session.commit()
    claims = {"shop": item.shop_id, "item": item.id}
    expired = issue(
        secret, Purpose.RECOVER_DESIGN, claims, ttl=LINK_TTL, now=time.time() - LINK_TTL - 5
    )
    other_shop = issue(secret, Purpose.RECOVER_DESIGN, {"shop": theirs.id, "item": item.id}, ttl=60)
    other_purpose = issue(secret, Purpose.FILE_DOWNLOAD, claims, ttl=60)
    wrong_key = issue("another-secret-" + "y" * 32, Purpose.RECOVER_DESIGN, claims, ttl=60)
    junk_claims = issue(secret, Purpose.RECOVER_DESIGN, {"shop": True, "item": "1"}, ttl=60)
    forged = path.rsplit("/", 1)[1][:-2] + "xx"

    cases = {
        forged: 404,
        expired.token: 410,
        other_shop.token: 404,
        other_purpose.token: 404,
        wrong_key.token: 404,
        junk_claims.token: 404,
    }
    for token, status in cases.items():
        page = client.get(f"/recover/{token}")
        api = client.get(f"/recover/{token}/products/1/template")
        post = client.post(f"/recover/{token}/attach", json={"design_id": "d_x", "edit_token": "x"})
        assert (page.status_code, api.status_code, post.status_code) == (status, status, status)
        assert "data-luneo-config" not in page.text
        assert api.json["error"]["code"] in ("link_invalid", "link_expired")


def test_only_the_makers_saved_design_of_that_product_can_be_attached(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _item, path = missing_line(mugs, outbox)
    mine = mugs.design()
    cup = mugs.design(mugs.cup_template)
    draft = mugs.design(status=DesignStatus.DRAFT)
    ordered = mugs.design(status=DesignStatus.ORDERED)
    customers = mugs.design(customer_ref="8001")
    theirs = make_shop(mugs.session, domain="theirs.myshopify.com")
    foreign = make_design(
        mugs.session,
        make_template(mugs.session, make_product(mugs.session, theirs)),
        document=DOCUMENT,
        status=DesignStatus.SAVED,
    )
    mugs.session.commit()

    assert attach(client, path, mine, "").status_code == 404
    assert attach(client, path, mine, edit_token(mugs, cup)).status_code == 404
    assert attach(client, path, customers, edit_token(mugs, customers)).status_code == 404
    assert attach(client, path, foreign, edit_token(mugs, foreign)).status_code == 404
    wrong_product = attach(client, path, cup, edit_token(mugs, cup))
    assert (wrong_product.status_code, wrong_product.json["error"]["code"]) == (
        422,
        "wrong_product",
    )
    assert attach(client, path, draft, edit_token(mugs, draft)).status_code == 422
    assert attach(client, path, ordered, edit_token(mugs, ordered)).status_code == 409
    not_json = client.post(
        f"{path}/attach",
        data=json.dumps({"design_id": mine.public_id, "edit_token": edit_token(mugs, mine)}),
        content_type="text/plain",
    )
    assert not_json.status_code == 415
    assert mugs.scope.count(ProductionJob) == 0

    assert attach(client, path, mine, edit_token(mugs, mine)).status_code == 200
    mugs.session.refresh(cup)
    assert cup.status is DesignStatus.SAVED


def test_a_cancelled_or_fulfilled_order_closes_the_link(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _first, cancelled_path = missing_line(mugs, outbox, 1)
    _second, fulfilled_path = missing_line(mugs, outbox, 2)
    mugs.store.orders["gid://shopify/Order/1"].update(
        cancelledAt=now_stamp(), updatedAt=now_stamp()
    )
    mugs.store.orders["gid://shopify/Order/2"].update(
        displayFulfillmentStatus="FULFILLED", updatedAt=now_stamp()
    )
    mugs.sync(1)
    mugs.sync(2)

    for path in (cancelled_path, fulfilled_path):
        page = client.get(path)
        assert page.status_code == 410
        assert client.get(f"{path}/products/1/template").json["error"]["code"] == "order_closed"


def proxied(client: FlaskClient, mugs: Mugs, path: str, customer: str = "", **kwargs: Any) -> Any:
    """A request the store's app proxy forwards (``/apps/luneo/...`` → ``/proxy/...``), signed."""
    query = signed_query(mugs.shop.domain, customer=customer)
    method = kwargs.pop("method", "GET")
    return client.open(f"/proxy{path}?{query}", method=method, **kwargs)


def test_on_the_store_the_page_comes_through_the_app_proxy(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _item, path = missing_line(mugs, outbox)
    token = path.rsplit("/", 1)[1]

    page = proxied(client, mugs, path)

    assert page.status_code == 200
    (raw,) = re.findall(
        r"<script type=\"application/json\" data-luneo-config>(.*?)</script>", page.text
    )
    config = json.loads(raw)
    # the API is the store's own app proxy; the files come from Luneo, named absolutely
    assert config["apiBase"] == "/apps/luneo"
    assert config["attachUrl"] == f"/apps/luneo/recover/{token}/attach"
    assert config["editorUrl"] == "https://luneo.test/storefront/widget/luneo-editor.js"
    assert (config["platform"], config["productId"]) == ("shopify", "1")
    assert 'src="https://luneo.test/storefront/widget/luneo-recovery.js"' in page.text
    assert "default-src 'self' https://luneo.test;" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_through_the_proxy_the_token_opens_only_its_own_shop(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    _item, path = missing_line(mugs, outbox)
    other = make_shop(mugs.session, domain="next-door.myshopify.com")
    mugs.session.commit()
    query = signed_query(other.domain)

    page = client.get(f"/proxy{path}?{query}")
    post = client.post(f"/proxy{path}/attach?{query}", json={"design_id": "d_x"})
    unsigned = client.get(f"/proxy{path}")

    assert page.status_code == 404
    assert "data-luneo-config" not in page.text
    assert post.status_code == 404
    assert unsigned.status_code == 401


def test_a_signed_in_customers_design_is_attached_through_the_proxy_as_theirs(
    mugs: Mugs, outbox: ConsoleMailer, client: FlaskClient
) -> None:
    item, path = missing_line(mugs, outbox)
    theirs = mugs.design(customer_ref="8001")
    body = {"design_id": theirs.public_id}

    as_someone_else = proxied(client, mugs, f"{path}/attach", "9999", method="POST", json=body)
    anonymous = proxied(client, mugs, f"{path}/attach", method="POST", json=body)
    on_luneo = client.post(f"{path}/attach", json=body)  # no one vouches for a customer there
    assert (as_someone_else.status_code, anonymous.status_code, on_luneo.status_code) == (
        404,
        404,
        404,
    )

    # a cross-site form could post as the signed-in customer: only JSON is taken
    as_form = proxied(
        client,
        mugs,
        f"{path}/attach",
        "8001",
        method="POST",
        data=json.dumps(body),
        content_type="text/plain",
    )
    assert as_form.status_code == 415

    answer = proxied(client, mugs, f"{path}/attach", "8001", method="POST", json=body)

    assert answer.status_code == 200, answer.json
    mugs.session.expire_all()
    recovered = mugs.session.get(OrderItem, item.id)
    assert recovered is not None
    assert recovered.personalization is Personalization.RECOVERED
    assert recovered.design_id == theirs.id
