"""Whose design is it: a design id is no secret (cart, order, preview link), so knowing one must
not let anyone change a design, claim it, or read the photos it places.

An anonymous design answers to its ``edit_token`` (given to the save that made it), a signed-in
customer's design to that customer; on both storefront surfaces.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Design, DesignStatus, Shop, StoredFile, Template
from app.storage import Storage
from tests.factories import make_design, make_shop

from .conftest import Caller, document, proxy_caller, small_template, text, woo_caller


@pytest.fixture
def woo_template(session: Session, storage: Storage, woo_shop: Shop) -> Template:
    made = small_template(session, storage, woo_shop, "501")
    session.commit()
    return made


def _save(caller: Caller, template: Template, words: str, **extra: Any) -> Any:
    body = {"template_id": template.id, "document": document(text(words)), **extra}
    return caller.post("/designs", json=body)


def _token(app: Flask, design: Design) -> str:
    from app.storefront.designs import edit_token

    with app.app_context():
        return edit_token(design)


def _row(session: Session, public_id: str) -> Design:
    session.expire_all()
    return session.scalars(select(Design).where(Design.public_id == public_id)).one()


def _files(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StoredFile)) or 0


def _state(session: Session, public_id: str) -> tuple[Any, ...]:
    row = _row(session, public_id)
    return row.document, row.customer_ref, row.preview_file_id, row.status, _files(session)


def test_a_signed_in_customer_cannot_save_over_an_anonymous_design_by_its_id(
    client: FlaskClient, shopify_shop: Shop, template: Template, session: Session
) -> None:
    victim = _save(proxy_caller(client, shopify_shop), template, "For Mum").json
    before = _state(session, victim["design_id"])
    attacker = proxy_caller(client, shopify_shop, customer="777")

    taken = _save(attacker, template, "pwned", design_id=victim["design_id"])
    guessed = _save(attacker, template, "pwned", design_id=victim["design_id"], edit_token="0" * 32)

    for refused in (taken, guessed):
        assert refused.status_code == 404, refused.get_data(as_text=True)
        assert refused.json["error"]["code"] == "design_not_found"
    assert _state(session, victim["design_id"]) == before  # not changed, not claimed
    assert before[1] is None


def test_an_anonymous_shopper_cannot_save_over_another_anonymous_design_on_woocommerce(
    client: FlaskClient, woo_shop: Shop, woo_template: Template, session: Session
) -> None:
    victim = _save(woo_caller(client), woo_template, "Zoé").json
    before = _state(session, victim["design_id"])

    no_token = _save(woo_caller(client), woo_template, "pwned", design_id=victim["design_id"])
    wrong = _save(
        woo_caller(client), woo_template, "pwned", design_id=victim["design_id"], edit_token="x"
    )
    odd = _save(
        woo_caller(client), woo_template, "pwned", design_id=victim["design_id"], edit_token="é"
    )

    assert [r.status_code for r in (no_token, wrong, odd)] == [404, 404, 404]
    assert {r.json["error"]["code"] for r in (no_token, wrong, odd)} == {"design_not_found"}
    assert no_token.headers["Access-Control-Allow-Origin"] == "https://woo.shop.test"
    assert _state(session, victim["design_id"]) == before


@pytest.mark.parametrize("surface", ["proxy", "woo"])
def test_the_maker_updates_an_anonymous_design_with_its_token(
    surface: str,
    client: FlaskClient,
    shopify_shop: Shop,
    woo_shop: Shop,
    template: Template,
    woo_template: Template,
    session: Session,
) -> None:
    caller, product = (
        (proxy_caller(client, shopify_shop), template)
        if surface == "proxy"
        else (woo_caller(client), woo_template)
    )
    first = _save(caller, product, "Ada").json
    assert isinstance(first["edit_token"], str)
    assert len(first["edit_token"]) == 32

    second = _save(
        caller, product, "Grace", design_id=first["design_id"], edit_token=first["edit_token"]
    )

    assert second.status_code == 201, second.get_data(as_text=True)
    assert second.json["design_id"] == first["design_id"]
    assert second.json["edit_token"] == first["edit_token"]
    assert _row(session, first["design_id"]).document["areas"]["front"]["layers"][0]["text"] == (
        "Grace"
    )


def test_a_customers_design_is_changed_only_by_that_customer(
    client: FlaskClient, shopify_shop: Shop, template: Template, session: Session
) -> None:
    mine = _save(proxy_caller(client, shopify_shop, customer="5551"), template, "Ada").json
    assert mine["edit_token"] is None  # the signed customer id is the proof
    before = _state(session, mine["design_id"])

    other = _save(
        proxy_caller(client, shopify_shop, customer="9"),
        template,
        "pwned",
        design_id=mine["design_id"],
    )
    anonymous = _save(
        proxy_caller(client, shopify_shop), template, "pwned", design_id=mine["design_id"]
    )

    assert (other.status_code, anonymous.status_code) == (404, 404)
    assert _state(session, mine["design_id"]) == before
    again = _save(
        proxy_caller(client, shopify_shop, customer="5551"),
        template,
        "Grace",
        design_id=mine["design_id"],
    )
    assert again.status_code == 201
    assert _row(session, mine["design_id"]).customer_ref == "5551"


def test_a_shopper_who_signs_in_keeps_their_own_anonymous_design_with_its_token(
    client: FlaskClient, shopify_shop: Shop, template: Template, session: Session
) -> None:
    made = _save(proxy_caller(client, shopify_shop), template, "Ada").json

    signed_in = _save(
        proxy_caller(client, shopify_shop, customer="5551"),
        template,
        "Ada Lovelace",
        design_id=made["design_id"],
        edit_token=made["edit_token"],
    )

    assert signed_in.status_code == 201
    assert _row(session, made["design_id"]).customer_ref == "5551"
    assert signed_in.json["edit_token"] is None  # now the customer's: the token is spent
    stale = _save(
        proxy_caller(client, shopify_shop),
        template,
        "x",
        design_id=made["design_id"],
        edit_token=made["edit_token"],
    )
    assert stale.status_code == 404


def test_an_ordered_design_stays_locked_for_its_maker(
    app: Flask, proxy: Caller, template: Template, session: Session
) -> None:
    ordered = make_design(session, template, status=DesignStatus.ORDERED)
    session.commit()

    response = _save(
        proxy, template, "x", design_id=ordered.public_id, edit_token=_token(app, ordered)
    )

    assert (response.status_code, response.json["error"]["code"]) == (409, "design_locked")


def test_a_token_opens_no_design_of_another_store(
    app: Flask,
    client: FlaskClient,
    shopify_shop: Shop,
    template: Template,
    session: Session,
    storage: Storage,
) -> None:
    other_shop = make_shop(session, domain="other-store.myshopify.com")
    other_template = small_template(session, storage, other_shop, "gid://shopify/Product/43")
    theirs = make_design(session, other_template)
    session.commit()
    before = _state(session, theirs.public_id)

    response = _save(
        proxy_caller(client, shopify_shop),
        template,
        "x",
        design_id=theirs.public_id,
        edit_token=_token(app, theirs),
    )
    fetched = proxy_caller(client, shopify_shop).get(f"/designs/{theirs.public_id}")

    assert (response.status_code, fetched.status_code) == (404, 404)
    assert _state(session, theirs.public_id) == before


@pytest.mark.parametrize("surface", ["proxy", "woo"])
def test_reading_a_design_by_id_never_shows_its_document_to_another_shopper(
    surface: str,
    client: FlaskClient,
    shopify_shop: Shop,
    woo_shop: Shop,
    template: Template,
    woo_template: Template,
    session: Session,
    storage: Storage,
) -> None:
    """The document names the shopper's photos by storage key (the proof that places them)."""
    product = template if surface == "proxy" else woo_template
    caller = proxy_caller(client, shopify_shop) if surface == "proxy" else woo_caller(client)
    photo = _save_with_photo(caller, product)
    assert photo["document_key"] in str(_row(session, photo["design_id"]).document)

    fetched = caller.get(f"/designs/{photo['design_id']}")

    assert fetched.status_code == 200  # the summary the cart shows is still there
    assert fetched.json["summary"] == "Front — 1 photo"
    assert fetched.json["preview_url"]
    assert fetched.json["document"] is None
    assert photo["document_key"] not in fetched.get_data(as_text=True)


def _save_with_photo(caller: Caller, product: Template) -> dict[str, Any]:
    import io

    from .conftest import image, png

    sent = caller.post(
        "/uploads",
        data={"file": (io.BytesIO(png((400, 200), (0, 200, 0))), "me.png")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)
    layer = image(sent.json["src"])
    saved = caller.post(
        "/designs", json={"template_id": product.id, "document": document(layer)}
    ).json
    return {"design_id": saved["design_id"], "document_key": sent.json["src"]}


def test_a_signed_in_customer_reads_their_own_document(
    client: FlaskClient, shopify_shop: Shop, template: Template
) -> None:
    mine = proxy_caller(client, shopify_shop, customer="5551")
    saved = _save(mine, template, "Ada").json

    fetched = mine.get(f"/designs/{saved['design_id']}")

    assert fetched.json["document"]["areas"]["front"]["layers"][0]["text"] == "Ada"


def test_a_preview_signature_that_is_not_ascii_is_a_404(
    proxy: Caller, template: Template, client: FlaskClient
) -> None:
    saved = _save(proxy, template, "Ada").json
    path = saved["preview_url"].split("?")[0].split("localhost", 1)[-1]

    response = client.get(path, query_string={"v": "1", "sig": "é" * 32})

    assert response.status_code == 404


def test_a_preview_signature_and_an_edit_token_never_stand_in_for_each_other(
    proxy: Caller, template: Template, client: FlaskClient, session: Session
) -> None:
    """Both sign the same design id, each for its own purpose: neither opens the other's door."""
    saved = _save(proxy, template, "Ada").json
    link = urlsplit(saved["preview_url"])
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    before = _state(session, saved["design_id"])

    as_preview = client.get(link.path, query_string={**query, "sig": saved["edit_token"]})
    as_edit = _save(proxy, template, "pwned", design_id=saved["design_id"], edit_token=query["sig"])

    assert client.get(link.path, query_string=query).status_code == 200
    assert as_preview.status_code == 404
    assert as_edit.status_code == 404
    assert as_edit.json["error"]["code"] == "design_not_found"
    assert _state(session, saved["design_id"]) == before


def test_another_stores_photo_and_generation_are_not_found_through_this_store(
    client: FlaskClient, shopify_shop: Shop, template: Template, session: Session, storage: Storage
) -> None:
    """Their real storage key and generation id, sent through this store's proxy."""
    from app.models import FileKind, Generation, GenerationStatus

    from .conftest import image, png, put_file

    other_shop = make_shop(session, domain="elsewhere.myshopify.com")
    photo = put_file(session, storage, other_shop, png((300, 300)), FileKind.UPLOAD)
    made = Generation(
        shop_id=other_shop.id,
        area_key="front",
        prompt="a fox",
        cache_key="c" * 64,
        provider="local",
        status=GenerationStatus.SUCCEEDED,
        file_id=photo.id,
    )
    session.add(made)
    session.commit()
    proxy = proxy_caller(client, shopify_shop)
    before = _files(session)

    saved = proxy.post(
        "/designs", json={"template_id": template.id, "document": document(image(photo.key))}
    )
    previewed = proxy.post(
        "/previews",
        json={"template_id": template.id, "document": document(image(photo.key)), "area": "front"},
    )
    polled = proxy.get(f"/ai/generations/{made.public_id}")

    assert (saved.status_code, saved.json["error"]["code"]) == (422, "invalid_design")
    assert saved.json["error"]["errors"][0]["message"] == (
        "this picture was not found; please upload it again"
    )
    assert previewed.status_code == 422
    assert polled.status_code == 404
    assert photo.key not in polled.get_data(as_text=True)
    assert _files(session) == before
    assert session.scalar(select(func.count()).select_from(Design)) == 0
