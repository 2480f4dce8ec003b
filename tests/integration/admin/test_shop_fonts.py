"""A merchant's own fonts (issue #21): the upload and its checks, the template editor's list and
save, deleting, the widget's font files, and each trust boundary attacked."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.design.fonts import BUILD_DIR
from app.models import (
    FileKind,
    MerchantFont,
    Product,
    ProductionJob,
    ProductionStatus,
    Shop,
    StoredFile,
    Template,
)
from app.product_templates.shop_fonts import CACHE_DIR
from tests.factories import make_design, make_order, make_template
from tests.integration.admin.test_template_api import payload
from tests.integration.ai.conftest import signed_query

LOBSTER = BUILD_DIR / "lobster" / "lobster-latin-400-normal.ttf"
FONTS = "/api/admin/fonts"


def multipart(
    fields: dict[str, str], data: bytes | None, name: str = "brand.ttf"
) -> tuple[bytes, str]:
    """The form encoded here (the test client leaves big spooled bodies unclosed)."""
    boundary = "luneo-font-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    if data is not None:
        parts.append(
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(
    client: FlaskClient,
    headers: dict[str, str],
    data: bytes | None,
    family: str = "Brand Script",
    licence: bool = True,
) -> Any:
    fields = {"family": family, **({"licence": "1"} if licence else {})}
    body, content_type = multipart(fields, data)
    return client.post(FONTS, data=body, headers=headers, content_type=content_type)


def restricted() -> bytes:
    font = TTFont(str(LOBSTER))
    font["OS/2"].fsType = 0x0002
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_files(session: Session) -> int:
    stmt = select(func.count()).select_from(StoredFile).where(StoredFile.kind == FileKind.FONT)
    return int(session.scalar(stmt) or 0)


# ---------------------------------------------------------------- upload


def test_the_owner_uploads_a_font_with_the_licence_confirmed(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop
) -> None:
    answer = upload(cookie_client, csrf, LOBSTER.read_bytes())

    assert answer.status_code == 201, answer.json
    assert answer.json["family"] == "Brand Script"
    assert answer.json["licence_confirmed_by"] == f"{shop.domain} (development sign-in)"
    row = session.scalars(select(MerchantFont)).one()
    assert (row.shop_id, row.source_format, row.weight) == (shop.id, "ttf", 400)
    assert row.licence_confirmed_at is not None
    assert font_files(session) == 2  # the print TTF and the web WOFF2
    page = cookie_client.get("/admin/assets")
    assert page.status_code == 200
    assert "Brand Script" in page.text
    assert 'data-confirm="Delete the font Brand Script?' in page.text


@pytest.mark.parametrize(
    ("data", "family", "licence", "status", "field", "words"),
    [
        (b"", "Brand", True, 400, "file", "empty"),
        (b"<html>not a font</html>", "Brand", True, 400, "file", "not a TTF"),
        ("truncated", "Brand", True, 400, "file", "damaged|could not be read"),
        ("restricted", "Brand", True, 400, "file", "restricted licence"),
        (b"\x00\x01\x00\x00" + b"\x00" * (10 * 1024 * 1024), "Brand", True, 413, "file", "10 MB"),
        ("lobster", "Brand", False, 400, "licence", "licence allows embedding"),
        ("lobster", "", True, 400, "family", "Lobster is the name of one of Luneo's fonts"),
        ("lobster", "Inter", True, 400, "family", "one of Luneo's fonts"),
        ("lobster", "<script>", True, 400, "family", "letters, digits"),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "fsType-restricted",
        "huge",
        "no-licence",
        "curated-own-name",
        "curated-name",
        "markup-name",
    ],
)
def test_what_cannot_be_a_font_is_refused_clearly_and_nothing_is_stored(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    data: Any,
    family: str,
    licence: bool,
    status: int,
    field: str,
    words: str,
) -> None:
    whole = LOBSTER.read_bytes()
    sent = {"truncated": whole[: len(whole) // 3], "restricted": restricted(), "lobster": whole}
    body = sent.get(data, data) if isinstance(data, str) else data

    answer = upload(cookie_client, csrf, body, family=family, licence=licence)

    assert answer.status_code == status, answer.json
    assert field in answer.json["error"]["fields"]
    assert pytest.importorskip("re").search(words, answer.json["error"]["message"])
    assert font_files(session) == 0
    assert session.scalar(select(func.count()).select_from(MerchantFont)) == 0


def test_an_upload_without_a_file_or_the_csrf_token_is_refused(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session
) -> None:
    no_file = upload(cookie_client, csrf, None)
    no_token = upload(cookie_client, {}, LOBSTER.read_bytes())

    assert no_file.status_code == 400
    assert no_token.status_code == 403
    assert no_token.json["error"]["code"] == "csrf_failed"
    assert font_files(session) == 0


def test_the_same_name_twice_is_refused(cookie_client: FlaskClient, csrf: dict[str, str]) -> None:
    assert upload(cookie_client, csrf, LOBSTER.read_bytes()).status_code == 201
    again = upload(cookie_client, csrf, LOBSTER.read_bytes(), family="brand script")

    assert again.status_code == 400
    assert "already have a font named" in again.json["error"]["message"]


# ---------------------------------------------------------------- templates


def _save_fonts(
    client: FlaskClient, headers: dict[str, str], product: Product, fonts: list[str]
) -> Any:
    document = payload(fonts=fonts)
    return client.put(f"/api/admin/products/{product.id}/template", json=document, headers=headers)


def test_the_editor_offers_the_shops_font_and_a_template_saves_it(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    make_template(session, product, fonts=["Inter"])
    session.commit()
    upload(cookie_client, csrf, LOBSTER.read_bytes())

    editor = cookie_client.get(f"/admin/products/{product.id}/template")
    saved = _save_fonts(cookie_client, csrf, product, ["Inter", "Brand Script"])

    assert 'value="Brand Script" data-font' in editor.text
    assert saved.status_code == 200, saved.json
    session.expire_all()
    assert session.scalars(select(Template)).one().fonts == ["Inter", "Brand Script"]


def test_another_shops_font_cannot_be_saved_in_a_template(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    other_shop: Shop,
    other_product: Product,
) -> None:
    upload(cookie_client, csrf, LOBSTER.read_bytes())  # "Brand Script" is the first shop's
    make_template(session, other_product, fonts=["Inter"])
    session.commit()
    from tests.support.shopify import session_token

    theirs = {"Authorization": f"Bearer {session_token(other_shop.domain)}"}
    answer = _save_fonts(client, theirs, other_product, ["Inter", "Brand Script"])

    assert answer.status_code == 400
    assert answer.json["error"]["fields"]["fonts[1]"] == "Not one of Luneo's fonts or yours."


def test_a_font_a_template_offers_is_not_deleted_until_it_is_removed_there(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    font_id = upload(cookie_client, csrf, LOBSTER.read_bytes()).json["id"]
    make_template(session, product, name="Tote bag", fonts=["Inter", "Brand Script"])
    session.commit()

    refused = cookie_client.delete(f"{FONTS}/{font_id}", headers=csrf)
    _save_fonts(cookie_client, csrf, product, ["Inter"])
    deleted = cookie_client.delete(f"{FONTS}/{font_id}", headers=csrf)

    assert refused.status_code == 409
    assert "Tote bag" in refused.json["error"]["message"]
    assert deleted.status_code == 200
    assert font_files(session) == 0
    assert session.scalar(select(func.count()).select_from(MerchantFont)) == 0


def test_a_font_an_order_still_to_make_draws_is_kept_until_the_order_is_made(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    """Nothing ever lost: the template no longer offers the font, but a design ordered before
    still names it and its files may be made again (a change, a retry)."""
    font_id = upload(cookie_client, csrf, LOBSTER.read_bytes()).json["id"]
    template = make_template(session, product, fonts=["Inter"])
    text = {"type": "text", "text": "Ada", "font": "Brand Script", "size_mm": 8}
    design = make_design(
        session, template, document={"version": 1, "areas": {"front": {"layers": [text]}}}
    )
    order = make_order(session, session.get_one(Shop, template.shop_id), design)
    job = ProductionJob(shop_id=order.shop_id, order_item_id=order.items[0].id, design_id=design.id)
    session.add(job)
    session.commit()

    refused = cookie_client.delete(f"{FONTS}/{font_id}", headers=csrf)

    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "font_in_use"
    assert order.name in refused.json["error"]["message"]
    assert font_files(session) == 2  # the print TTF and the web WOFF2 are still there
    job.status = ProductionStatus.SHIPPED  # made: the font may go
    session.commit()
    assert cookie_client.delete(f"{FONTS}/{font_id}", headers=csrf).status_code == 200
    assert font_files(session) == 0


def test_another_shops_font_id_is_not_found(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    other_shop: Shop,
) -> None:
    font_id = upload(cookie_client, csrf, LOBSTER.read_bytes()).json["id"]
    from tests.support.shopify import session_token

    theirs = {"Authorization": f"Bearer {session_token(other_shop.domain)}"}
    answer = client.delete(f"{FONTS}/{font_id}", headers=theirs)
    listed = client.get(FONTS, headers=theirs)

    assert answer.status_code == 404
    assert listed.json == {"fonts": []}
    assert font_files(session) == 2


# ---------------------------------------------------------------- the widget and the print


def test_the_widget_gets_the_shops_font_and_only_that_shops_widget(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    shop: Shop,
    product: Product,
    other_shop: Shop,
    other_product: Product,
) -> None:
    upload(cookie_client, csrf, LOBSTER.read_bytes())
    product.external_id = "gid://shopify/Product/7001"
    other_product.external_id = "gid://shopify/Product/7002"
    make_template(session, product, fonts=["Inter", "Brand Script"])
    make_template(session, other_product, fonts=["Inter", "Brand Script"])  # forged in the DB
    session.commit()

    mine = client.get(f"/proxy/products/7001/template?{signed_query(shop.domain)}").json
    theirs = client.get(f"/proxy/products/7002/template?{signed_query(other_shop.domain)}").json
    link = urlsplit(mine["font_files"]["Brand Script"])
    with client.get(f"{link.path}?{link.query}") as served:
        served_bytes, served_status = served.data, served.status_code
        cors = served.headers["Access-Control-Allow-Origin"]
    other_key = link.path.replace(f"/shops/{shop.id}/", f"/shops/{other_shop.id}/")
    with client.get(f"{other_key}?{link.query}") as forged:
        forged_status = forged.status_code

    assert "Inter" in mine["font_files"]
    assert "Brand Script" not in theirs["font_files"]
    assert served_status == 200
    assert served_bytes[:4] == b"wOF2"
    assert cors == "*"
    assert forged_status in (403, 404)


def test_a_print_job_embeds_the_shops_font(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    import pikepdf

    from app.design import RenderInputs, parse_design, print_pdf
    from app.extensions import get_storage
    from app.models import ShopScope
    from app.product_templates.render_spec import print_spec

    upload(cookie_client, csrf, LOBSTER.read_bytes())
    template = make_template(session, product, fonts=["Brand Script"])
    session.commit()
    with cookie_client.application.app_context():
        scope = ShopScope(session, product.shop_id)
        spec = print_spec(scope, get_storage(), template)
    document = {
        "version": 1,
        "areas": {
            "front": {
                "layers": [
                    {
                        "type": "text",
                        "text": "Hello",
                        "font": "Brand Script",
                        "size_mm": 10,
                        "x_mm": 5,
                        "y_mm": 5,
                    }
                ]
            }
        },
    }
    inputs = RenderInputs(lambda ref: b"").for_template(spec)

    pdf = pikepdf.open(io.BytesIO(print_pdf(parse_design(document), spec, "front", inputs)))

    assert [f.family for f in spec.shop_fonts] == ["Brand Script"]
    assert Path(spec.shop_fonts[0].path).parent == CACHE_DIR
    page_fonts = pdf.pages[0].Resources.Font
    names = [str(page_fonts[k].BaseFont) for k in page_fonts.keys()]  # noqa: SIM118
    assert any("Lobster-Regular" in n for n in names), names


def test_a_shopper_writes_in_the_shops_font_and_a_letter_it_lacks_is_refused(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    shop: Shop,
    product: Product,
) -> None:
    upload(cookie_client, csrf, LOBSTER.read_bytes())  # Lobster's Latin file: no "ł"
    template = make_template(session, product, fonts=["Inter", "Brand Script"])
    session.commit()

    def save(text: str) -> Any:
        layer = {"type": "text", "text": text, "font": "Brand Script", "size_mm": 8}
        document = {"version": 1, "areas": {"front": {"layers": [{**layer, "x_mm": 5, "y_mm": 5}]}}}
        return client.post(
            f"/proxy/designs?{signed_query(shop.domain)}",
            json={"template_id": template.id, "document": document},
        )

    fine, lacking = save("Happy birthday"), save("Łukasz")

    assert fine.status_code == 201, fine.json
    assert lacking.status_code == 422
    assert lacking.json["error"]["errors"][0]["path"] == "areas.front.layers[0].text"


def test_a_text_field_draws_with_a_shop_font_the_template_offers(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    shop: Shop,
    product: Product,
) -> None:
    upload(cookie_client, csrf, LOBSTER.read_bytes())
    make_template(session, product)
    session.commit()
    box = {"x_mm": 10, "y_mm": 20, "width_mm": 150, "height_mm": 40}
    field = {"id": "name", "kind": "text", "label": "Name", "area": "front", "box": box}
    field = {**field, "font": "Brand Script", "max_chars": 20}
    url = f"/api/admin/products/{product.id}/template"

    not_listed = cookie_client.put(
        url, json=payload(fonts=["Inter"], fields=[field], editor_mode="form"), headers=csrf
    )
    listed = cookie_client.put(
        url,
        json=payload(fonts=["Inter", "Brand Script"], fields=[field], editor_mode="form"),
        headers=csrf,
    )
    product.external_id = "gid://shopify/Product/7003"
    session.commit()
    template = session.scalars(select(Template)).one()

    def save(name: str) -> Any:
        document = {"version": 1, "areas": {"front": {"layers": []}}, "fields": {"name": name}}
        return client.post(
            f"/proxy/designs?{signed_query(shop.domain)}",
            json={"template_id": template.id, "document": document},
        )

    widget = client.get(f"/proxy/products/7003/template?{signed_query(shop.domain)}").json
    fine, lacking = save("Anna"), save("Łukasz")

    assert not_listed.status_code == 400
    assert "fields[0].font" in not_listed.json["error"]["fields"]
    assert listed.status_code == 200, listed.json
    assert "Brand Script" in widget["font_files"]
    assert fine.status_code == 201, fine.json
    assert lacking.status_code == 422
    assert lacking.json["error"]["errors"][0]["path"] == "fields.name"


def test_the_editors_live_preview_draws_a_field_in_the_shops_font(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    from tests.integration.admin.test_template_preview import ask, editor_values, ink_box

    upload(cookie_client, csrf, LOBSTER.read_bytes())
    template = editor_values(fonts=["Inter", "Brand Script"])
    template["fields"][0]["font"] = "Brand Script"

    answer = ask(cookie_client, product, csrf, template=template)

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert ink_box(answer.data) is not None
