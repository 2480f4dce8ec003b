"""Issue #23: a template's virtual try-on settings, saved by the editor's API (bad values refused
field by field, another shop's template out of reach), shown by it, carried by export and import
(template.v1.json); the trackers' files Luneo serves itself."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Product, Shop, ShopScope, Template
from app.product_templates.try_on import KINDS
from tests.factories import make_product, make_template

from .test_template_api import payload, url

GLASSES = {"kind": "glasses", "anchor": "eyes", "scale": 1.5, "offset_x": 0, "offset_y": 0.1}


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
    response = cookie_client.put(url(product), json=payload(try_on=GLASSES), headers=csrf)
    assert response.status_code == 200, response.json
    return _template(session, product)


def test_saved_shown_kept_when_not_sent_and_null_turns_it_off(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
) -> None:
    assert saved.try_on == GLASSES
    assert cookie_client.get(url(product)).json["template"]["try_on"] == GLASSES
    assert cookie_client.put(url(product), json=payload(), headers=csrf).status_code == 200
    assert _template(session, product).try_on == GLASSES

    off = cookie_client.put(url(product), json=payload(try_on=None), headers=csrf)
    assert off.status_code == 200
    assert _template(session, product).try_on is None


def test_a_kind_alone_takes_its_default_anchor_and_scale(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, saved: Template
) -> None:
    product_id = saved.product_id
    response = cookie_client.put(
        f"/api/admin/products/{product_id}/template",
        json=payload(try_on={"kind": "ring"}),
        headers=csrf,
    )
    assert response.status_code == 200, response.json
    assert response.json["template"]["try_on"] == {
        "kind": "ring",
        "anchor": "ring_finger",
        "scale": 0.3,
        "offset_x": 0.0,
        "offset_y": 0.0,
    }


@pytest.mark.parametrize(
    ("sent", "fields"),
    [
        ({**GLASSES, "kind": "tiara"}, {"try_on.kind"}),
        ({**GLASSES, "anchor": "wrist"}, {"try_on.anchor"}),
        ({**GLASSES, "scale": 0}, {"try_on.scale"}),
        ({**GLASSES, "scale": "huge"}, {"try_on.scale"}),
        ({**GLASSES, "scale": True}, {"try_on.scale"}),
        ({**GLASSES, "scale": "NaN"}, {"try_on.scale"}),
        ({**GLASSES, "offset_x": 3, "offset_y": -9}, {"try_on.offset_x", "try_on.offset_y"}),
        ({**GLASSES, "colour": "red"}, {"try_on"}),
        ("glasses", {"try_on"}),
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
    response = cookie_client.put(url(product), json=payload(try_on=sent), headers=csrf)

    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == fields
    assert _template(session, product).try_on == GLASSES


def test_the_editor_offers_every_kind_with_its_anchors(
    cookie_client: FlaskClient, saved: Template, product: Product
) -> None:
    page = cookie_client.get(f"/admin/products/{product.id}/template").get_data(as_text=True)
    for kind, (_, anchors) in KINDS.items():
        assert f'value="{kind}"' in page
        assert all(f'value="{anchor}" data-kind="{kind}"' in page for anchor in anchors)
    assert "tryon-sample.jpg" in page


def test_export_and_import_carry_the_settings(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
    shop: Shop,
) -> None:
    target = make_product(session, shop, title="Sunglasses")
    session.commit()
    document = cookie_client.get(f"{url(product)}/export").json
    assert document["try_on"] == GLASSES

    response = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert _template(session, target).try_on == GLASSES
    document["try_on"] = {**GLASSES, "scale": 50}
    refused = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)
    assert refused.status_code == 400
    assert any(k.startswith("try_on") for k in refused.json["error"]["fields"])


def test_another_shop_cannot_change_or_read_them(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    other_product: Product,
) -> None:
    theirs = make_template(session, other_product, name="Theirs")
    theirs.try_on = dict(GLASSES)
    session.commit()

    changed = cookie_client.put(
        url(other_product), json=payload(try_on={"kind": "hat"}), headers=csrf
    )
    off = cookie_client.put(url(other_product), json=payload(try_on=None), headers=csrf)

    assert (changed.status_code, off.status_code) == (404, 404)
    assert cookie_client.get(url(other_product)).status_code == 404
    assert _template(session, other_product).try_on == GLASSES


def test_a_cookie_session_without_csrf_cannot_change_them(
    cookie_client: FlaskClient, saved: Template, product: Product
) -> None:
    refused = cookie_client.put(url(product), json=payload(try_on=None))
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("face_mesh.js", "text/javascript"),
        ("face_mesh_solution_simd_wasm_bin.wasm", "application/wasm"),
        ("hand_landmark_lite.tflite", "application/octet-stream"),
    ],
)
def test_the_trackers_files_are_served_cross_origin(
    client: FlaskClient, name: str, mimetype: str
) -> None:
    with client.get(f"/storefront/tryon/{name}") as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert len(response.data) > 100


@pytest.mark.parametrize("name", ["..%2Fpackage.json", "face_mesh.d.ts", "README.md", "x.wasm"])
def test_nothing_else_is_served_from_the_trackers_folder(client: FlaskClient, name: str) -> None:
    assert client.get(f"/storefront/tryon/{name}").status_code == 404


def test_the_tracker_frame_alone_may_evaluate_strings_and_only_in_a_sandbox(
    client: FlaskClient,
) -> None:
    response = client.get("/storefront/tryon/frame.html")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = dict(
        part.strip().split(" ", 1) if " " in part.strip() else (part.strip(), "")
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy == {
        "default-src": "'none'",
        "script-src": "https://luneo.test 'unsafe-eval'",
        "connect-src": "https://luneo.test",
        "img-src": "blob: data:",
        "sandbox": "allow-scripts",  # an opaque origin: no cookies, storage or Luneo session
    }
    assert "X-Frame-Options" not in response.headers  # every store's page frames it
    script = 'src="https://luneo.test/storefront/widget/luneo-tryon-frame.js"'
    assert script in response.get_data(as_text=True)
    with client.get("/storefront/widget/luneo-tryon-frame.js") as frame_script:
        assert frame_script.status_code == 200
