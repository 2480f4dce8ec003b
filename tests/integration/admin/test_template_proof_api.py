"""Issue #21: a template's proof approval settings, saved by the editor's API (bad values refused
field by field), shown by it, and carried by export and import (template.v1.json)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Product, ProofAtDeadline, ProofSend, Shop, ShopScope, Template
from tests.factories import make_product

from .test_template_api import payload, url

PROOF = {"required": True, "send": "merchant", "deadline_hours": 72, "at_deadline": "produce"}


def _template(session: Session, product: Product) -> Template:
    session.expire_all()
    found = ShopScope(session, product.shop_id).get_by(Template, product_id=product.id)
    assert found is not None
    return found


@pytest.fixture
def saved(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> Template:
    cookie_client.post(url(product), headers=csrf)
    response = cookie_client.put(url(product), json=payload(proof=PROOF), headers=csrf)
    assert response.status_code == 200, response.json
    return _template(session, product)


def test_the_settings_are_saved_shown_kept_when_not_sent_and_null_turns_approval_off(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
) -> None:
    assert saved.proof_required is True
    assert (saved.proof_send, saved.proof_at_deadline) == (
        ProofSend.MERCHANT,
        ProofAtDeadline.PRODUCE,
    )
    assert saved.proof_deadline_hours == 72
    assert cookie_client.get(url(product)).json["template"]["proof"] == PROOF
    assert cookie_client.put(url(product), json=payload(), headers=csrf).status_code == 200
    assert _template(session, product).proof_required is True

    off = cookie_client.put(url(product), json=payload(proof=None), headers=csrf)
    assert off.status_code == 200
    assert _template(session, product).proof_required is False


@pytest.mark.parametrize(
    ("sent", "fields"),
    [
        ({**PROOF, "deadline_hours": 0}, {"proof.deadline_hours"}),
        ({**PROOF, "deadline_hours": 721}, {"proof.deadline_hours"}),
        ({**PROOF, "deadline_hours": "soon"}, {"proof.deadline_hours"}),
        ({**PROOF, "send": "pigeon", "at_deadline": "shrug"}, {"proof.send", "proof.at_deadline"}),
        ({**PROOF, "required": "yes"}, {"proof.required"}),
        ("on", {"proof"}),
    ],
)
def test_bad_settings_are_a_400_naming_each_field(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
    sent: Any,
    fields: set[str],
) -> None:
    response = cookie_client.put(url(product), json=payload(proof=sent), headers=csrf)

    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == fields
    assert _template(session, product).proof_deadline_hours == 72


def test_export_and_import_carry_the_settings(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
    shop: Shop,
) -> None:
    target = make_product(session, shop, title="Card")
    session.commit()
    document = cookie_client.get(f"{url(product)}/export").json
    assert document["proof"] == PROOF

    response = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)

    assert response.status_code == 201, response.get_data(as_text=True)
    imported = _template(session, target)
    assert (imported.proof_required, imported.proof_deadline_hours) == (True, 72)
    document["proof"] = {**PROOF, "deadline_hours": 9999}
    refused = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)
    assert refused.status_code == 400
    assert any(k.startswith("proof") for k in refused.json["error"]["fields"])


def test_a_cookie_session_without_csrf_cannot_change_them(
    cookie_client: FlaskClient, saved: Template, product: Product
) -> None:
    """The editor's write needs the CSRF token on a cookie session."""
    refused = cookie_client.put(url(product), json=payload(proof=PROOF))
    assert refused.status_code == 403
