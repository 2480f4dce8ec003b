"""Every widget endpoint behind the app proxy: served when Shopify signed it, refused otherwise."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Design, Shop, StoredFile, Template
from tests.factories import make_design

from .conftest import document, png, signed_query, text

WRONG_SECRET = "shpss_" + "0" * 32


def _requests(template: Template, design_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    body = {"template_id": template.id, "document": document(text("Ada"))}
    return [
        ("GET", "/products/42/template", {}),
        ("POST", "/uploads", {"data": {"file": (io.BytesIO(png((8, 8))), "a.png")}}),
        ("POST", "/designs", {"json": body}),
        ("GET", f"/designs/{design_id}", {}),
        ("POST", "/previews", {"json": {**body, "area": "front"}}),
    ]


ENDPOINTS = ["template", "upload", "save design", "get design", "preview"]


def _call(client: FlaskClient, query: str, template: Template, design_id: str, which: int) -> Any:
    method, path, kwargs = _requests(template, design_id)[which]
    return client.open(f"/proxy{path}?{query}", method=method, **kwargs)


@pytest.mark.parametrize("which", range(len(ENDPOINTS)), ids=ENDPOINTS)
def test_a_signed_call_is_served(
    which: int, client: FlaskClient, shopify_shop: Shop, template: Template, session: Session
) -> None:
    design = make_design(session, template)
    session.commit()

    response = _call(client, signed_query(shopify_shop.domain), template, design.public_id, which)

    assert response.status_code in (200, 201), response.get_data(as_text=True)


def _forged(domain: str, case: str) -> str:
    if case == "unsigned":
        return f"shop={domain}&path_prefix=/apps/luneo&timestamp=1"
    if case == "wrong secret":
        return signed_query(domain, secret=WRONG_SECRET)
    if case == "tampered shop":
        return signed_query(domain).replace(domain, "other-store.myshopify.com")
    if case == "tampered customer":
        return signed_query(domain).replace("logged_in_customer_id=", "logged_in_customer_id=7")
    return signed_query(domain, timestamp="1317327555")  # a day and more old


FORGERIES = ["unsigned", "wrong secret", "tampered shop", "tampered customer", "too old"]


@pytest.mark.parametrize("case", FORGERIES)
@pytest.mark.parametrize("which", range(len(ENDPOINTS)), ids=ENDPOINTS)
def test_a_forged_call_is_refused_and_changes_nothing(
    which: int,
    case: str,
    client: FlaskClient,
    shopify_shop: Shop,
    template: Template,
    session: Session,
) -> None:
    design = make_design(session, template)
    session.commit()
    before = _counts(session)

    response = _call(client, _forged(shopify_shop.domain, case), template, design.public_id, which)

    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_signature"
    assert _counts(session) == before


def _counts(session: Session) -> tuple[int, int]:
    designs = session.scalar(select(func.count()).select_from(Design)) or 0
    files = session.scalar(select(func.count()).select_from(StoredFile)) or 0
    return designs, files


def test_logged_in_customer_is_recorded_on_the_design(
    client: FlaskClient, shopify_shop: Shop, template: Template, session: Session
) -> None:
    body = {"template_id": template.id, "document": document(text("Ada"))}

    response = client.post(
        f"/proxy/designs?{signed_query(shopify_shop.domain, customer='5551')}", json=body
    )

    assert response.status_code == 201
    saved = session.scalars(select(Design).where(Design.public_id == response.json["design_id"]))
    assert saved.one().customer_ref == "5551"


def test_another_customers_design_is_not_shown(
    client: FlaskClient, shopify_shop: Shop, template: Template, session: Session
) -> None:
    design = make_design(session, template, customer_ref="5551")
    session.commit()

    mine = client.get(
        f"/proxy/designs/{design.public_id}?{signed_query(shopify_shop.domain, customer='5551')}"
    )
    theirs = client.get(
        f"/proxy/designs/{design.public_id}?{signed_query(shopify_shop.domain, customer='9')}"
    )

    assert mine.status_code == 200
    assert json.loads(mine.data)["document"] == design.document
    assert theirs.status_code == 404
    assert theirs.json["error"]["code"] == "design_not_found"
