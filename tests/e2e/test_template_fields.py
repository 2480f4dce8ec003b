"""In a real browser: a merchant builds template fields, sees the shopper's view live, and shares.

Through the page only (the demo shop's mug): a text field, a photo frame, a choice whose option
shows a second text field, surcharges; the live preview changes when the sample text changes;
save, reload, all of it is back. Then copy to another product, export, and import that file
back. The page stays usable on a phone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.demo import MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import Product, Template
from tests.e2e.test_template_editor import _offline_cdn
from tests.support.demo import plain_canvas


def _seed(app: Flask) -> int:
    """The demo shop, its mug's template without fields (they are built here)."""
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        plain_canvas(session.scalars(select(Template).where(Template.product_id == mug.id)).one())
        session.commit()
        return mug.id


def _template(app: Flask, product_id: int) -> Template | None:
    with app.app_context(), get_db().session() as session:
        template = session.scalars(
            select(Template).where(Template.product_id == product_id)
        ).one_or_none()
        if template is not None:
            session.expunge(template)
        return template


def _product_id(app: Flask, title: str) -> int:
    with app.app_context(), get_db().session() as session:
        return session.scalars(select(Product.id).where(Product.title == title)).one()


def _open(page: Page, live_server: str, product_id: int) -> list[str]:
    """Signed in with the development sign-in, on the product's editor; collects page errors."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("https://cdn.shopify.com/**", _offline_cdn)
    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")
    page.goto(f"{live_server}/admin/products/{product_id}/template")
    return errors


def _card(page: Page, number: int) -> Locator:
    return page.locator("[data-field-card]").nth(number - 1)


def _picture_hash(page: Page) -> Any:
    """A digest of the shopper's view as shown (the blob the page painted)."""
    return page.evaluate(
        """async () => {
          const img = document.querySelector('[data-shopper-image]');
          const bytes = await (await fetch(img.src)).arrayBuffer();
          const digest = await crypto.subtle.digest('SHA-256', bytes);
          return Array.from(new Uint8Array(digest)).join(',');
        }"""
    )


def _wait_for_fresh_picture(page: Page, before: str | None) -> str:
    image = page.locator("[data-shopper-image]")
    expect(page.locator("[data-shopper-status]")).to_have_text(
        "Preview up to date (not saved yet: Save template keeps it).", timeout=15_000
    )
    expect(image).to_be_visible()
    if before is not None:
        expect(image).not_to_have_attribute("data-version", before, timeout=15_000)
    return image.get_attribute("data-version") or ""


def _build(page: Page) -> None:
    """Text, photo frame, a choice and a text shown for one of its options, with prices."""
    page.get_by_label("What shoppers get").select_option("both")
    page.get_by_label("Personalisation surcharge (USD)").fill("5.00")

    page.get_by_role("button", name="Add text").click()
    name = _card(page, 1)
    name.get_by_label("Key").fill("name")
    name.get_by_label("Label shoppers read").fill("Name")
    name.get_by_label("Default text").fill("ANNA")
    name.get_by_label("Most characters").fill("12")
    name.get_by_label("Price when filled (USD)").fill("2.00")
    name.get_by_label("Per character (USD)").fill("0.10")

    page.get_by_role("button", name="Add photo frame").click()
    photo = _card(page, 2)
    photo.get_by_label("Key").fill("photo")
    photo.get_by_label("Frame shape").select_option("ellipse")
    photo.get_by_label("Width (mm)").fill("40")

    page.get_by_role("button", name="Add choice").click()
    style = _card(page, 3)
    style.get_by_label("Key").fill("style")
    style.get_by_label("Label shoppers read").fill("Style")
    style.get_by_role("button", name="Add option").click()
    first, second = style.locator("[data-option]").nth(0), style.locator("[data-option]").nth(1)
    first.get_by_label("Value").fill("plain")
    first.get_by_label("Label", exact=True).fill("Plain")
    second.get_by_label("Value").fill("dated")
    second.get_by_label("Label", exact=True).fill("With a date")
    second.get_by_label("Price (USD)").fill("3.00")
    second.get_by_label("Selects the product variant").select_option(label="15 oz")

    page.get_by_role("button", name="Add text").click()
    date = _card(page, 4)
    date.get_by_label("Key").fill("date")
    date.get_by_label("Label shoppers read").fill("Date")
    date.get_by_label("Show this field").select_option("style")
    date.get_by_role("checkbox", name="With a date").check()


def test_build_fields_see_the_shopper_view_save_and_reload(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    errors = _open(page, live_server, product_id)
    expect(page.get_by_role("heading", name="Fields")).to_be_visible()

    _build(page)
    version = _wait_for_fresh_picture(page, None)
    shown = _picture_hash(page)

    # The shopper's view follows the sample text (drawn by the server's renderer).
    page.locator("[data-try]").get_by_label("Name").fill("ZOE")
    version = _wait_for_fresh_picture(page, version)
    assert _picture_hash(page) != shown
    # The date field appears in "Try it" only for the option that shows it.
    expect(page.locator("[data-try]").get_by_label("Date")).to_be_hidden()
    page.locator("[data-try]").get_by_label("Style").select_option("dated")
    expect(page.locator("[data-try]").get_by_label("Date")).to_be_visible()
    assert "Name “ZOE”" in (page.locator("[data-shopper-image]").get_attribute("alt") or "")

    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    # The editor reloads what the server kept; the samples typed so far stay.
    expect(page.locator("[data-try]").get_by_label("Name")).to_have_value("ZOE")

    template = _template(live_app, product_id)
    assert template is not None
    assert [f["id"] for f in template.fields] == ["name", "photo", "style", "date"]
    assert str(template.surcharge) == "5.00"
    assert template.fields[3]["visible_when"] == {"field": "style", "in": ["dated"]}

    page.reload()
    expect(page.locator("[data-field-card]")).to_have_count(4)
    expect(page.get_by_label("What shoppers get")).to_have_value("both")
    expect(page.get_by_label("Personalisation surcharge (USD)")).to_have_value("5.00")
    expect(_card(page, 1).get_by_label("Default text")).to_have_value("ANNA")
    expect(_card(page, 1).get_by_label("Per character (USD)")).to_have_value("0.10")
    expect(_card(page, 2).get_by_label("Frame shape")).to_have_value("ellipse")
    option = _card(page, 3).locator("[data-option]").nth(1)
    expect(option.get_by_label("Price (USD)")).to_have_value("3.00")
    expect(_card(page, 4).get_by_label("Show this field")).to_have_value("style")
    expect(_card(page, 4).get_by_role("checkbox", name="With a date")).to_be_checked()
    _wait_for_fresh_picture(page, None)
    assert errors == []


def test_fields_reorder_by_keyboard_and_by_drag(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    errors = _open(page, live_server, product_id)
    for kind in ("Add text", "Add photo frame", "Add choice"):
        page.get_by_role("button", name=kind).click()
    kinds = lambda: page.locator("[data-field-card]").evaluate_all(  # noqa: E731
        "nodes => nodes.map(n => n.dataset.kind)"
    )
    assert kinds() == ["text", "photo", "choice"]

    up = _card(page, 3).get_by_role("button", name="Move Field 3 · Choice: Style up")
    up.focus()
    page.keyboard.press("Enter")
    assert kinds() == ["text", "choice", "photo"]
    expect(page.locator("[data-fields-status]")).to_contain_text("position 2 of 3")

    _card(page, 3).locator("[data-drag-handle]").drag_to(
        _card(page, 1), target_position={"x": 20, "y": 5}
    )
    assert kinds() == ["photo", "text", "choice"]

    _card(page, 2).get_by_role("button", name="Remove Field 2 · Text: Name").click()
    assert kinds() == ["photo", "choice"]
    assert errors == []


def test_save_errors_land_next_to_the_field_input(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    _open(page, live_server, product_id)
    page.get_by_role("button", name="Add text").click()
    _card(page, 1).get_by_label("Width (mm)").fill("0")
    _card(page, 1).get_by_label("Key").fill("Bad Key!")

    page.get_by_role("button", name="Save template").click()

    expect(page.locator("[data-save-status]")).to_have_text("Not saved.")
    expect(page.locator("[data-error-for='fields[0].box.width_mm']")).not_to_be_empty()
    expect(page.locator("[data-error-for='fields[0].id']")).not_to_be_empty()
    expect(_card(page, 1).get_by_label("Key")).to_have_attribute("aria-invalid", "true")


def test_copy_export_and_import_round_trip(
    live_app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    product_id = _seed(live_app)
    _open(page, live_server, product_id)
    page.get_by_role("button", name="Add text").click()
    _card(page, 1).get_by_label("Key").fill("name")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")

    # Copy to the poster (no template yet), then open its editor from the message.
    page.get_by_label("Product", exact=True).select_option(label="Framed Art Poster")
    page.get_by_role("button", name="Copy template").click()
    expect(page.locator("[data-copy-message]")).to_contain_text("Copied to Framed Art Poster")
    poster = _template(live_app, _product_id(live_app, "Framed Art Poster"))
    assert poster is not None
    assert [f["id"] for f in poster.fields] == ["name"]

    # Export downloads the saved template as template.v1 JSON.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    exported = tmp_path / "template.json"
    download.value.save_as(exported)
    document = json.loads(exported.read_text())
    assert document["version"] == 1
    assert [f["id"] for f in document["fields"]] == ["name"]

    # Change the page's template, then import the file back: it replaces, after a confirmation.
    page.get_by_role("button", name="Add photo frame").click()
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    page.get_by_label("Template JSON file").set_input_files(str(exported))
    expect(page.locator("[data-import-question]")).to_contain_text("1 field")
    page.get_by_role("button", name="Replace template").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-field-card]")).to_have_count(1)
    template = _template(live_app, product_id)
    assert template is not None
    assert [f["id"] for f in template.fields] == ["name"]

    # A file that is not a template is refused in words, and nothing changes.
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"version": 1, "print_areas": "nope"}')
    page.get_by_label("Template JSON file").set_input_files(str(garbage))
    page.get_by_role("button", name="Replace template").click()
    expect(page.locator("[data-import-message]")).to_contain_text("Not imported")
    expect(page.locator("[data-import-errors] li").first).to_be_visible()


def test_the_fields_editor_fits_a_phone(
    live_app: Flask, live_server: str, browser: Browser
) -> None:
    product_id = _seed(live_app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors = _open(page, live_server, product_id)
    page.get_by_role("button", name="Add choice").click()
    page.get_by_role("button", name="Add text").click()
    _wait_for_fresh_picture(page, None)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(_card(page, 2).get_by_label("Default text")).to_be_visible()
    _card(page, 2).get_by_label("Default text").fill("HI")
    assert errors == []
    context.close()


def test_the_fields_editor_is_accessible(
    live_app: Flask, live_server: str, browser: Browser
) -> None:
    from tests.support.axe import describe, violations

    product_id = _seed(live_app)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    _open(page, live_server, product_id)
    for kind in ("Add text", "Add photo frame", "Add clipart choice", "Add choice", "Add text"):
        page.get_by_role("button", name=kind).click()
    option = _card(page, 4).locator("[data-option]").first
    option.get_by_role("checkbox", name="Sets the colour of fields").check()
    option.get_by_role("checkbox", name="Adds a picture").check()
    _wait_for_fresh_picture(page, None)  # both effects start complete: drawable at once
    _card(page, 5).get_by_label("Show this field").select_option(index=1)
    # A visibility rule without its options is not drawable yet: the view says why, in words.
    expect(page.locator("[data-shopper-status]")).to_contain_text("No preview", timeout=15_000)
    expect(page.locator("[data-shopper-status]")).to_contain_text("Field 5 · options")

    found = violations(page, "document")
    assert not found, describe(found)
    context.close()


def test_inside_shopify_the_shopper_view_uses_the_session_token(
    live_app: Flask, live_server: str, page: Page
) -> None:
    from urllib.parse import urlencode

    from app.demo import DEMO_DOMAIN
    from tests.support.shopify import session_token

    product_id = _seed(live_app)
    page.route("https://cdn.shopify.com/**", _offline_cdn)
    query = {"shop": DEMO_DOMAIN, "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw", "embedded": "1"}
    page.goto(
        f"{live_server}/admin/products/{product_id}/template?{urlencode(query)}"
        f"&id_token={session_token(DEMO_DOMAIN)}"
    )
    page.get_by_role("button", name="Add text").click()
    version = _wait_for_fresh_picture(page, None)
    page.locator("[data-try]").get_by_label("Name").fill("EMBEDDED")
    _wait_for_fresh_picture(page, version)

    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    assert download.value.suggested_filename.endswith(".json")
    assert page.context.cookies() == []


def test_a_slow_stale_preview_never_paints_over_a_newer_one(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    errors = _open(page, live_server, product_id)
    page.get_by_role("button", name="Add text").click()
    version = _wait_for_fresh_picture(page, None)
    # The answer for "SLOW" arrives 2 s late, after the answer for the newer "FAST".
    page.evaluate(
        """() => {
          const real = window.fetch;
          window.fetch = (url, init) => {
            const slow = init && typeof init.body === 'string' && init.body.includes('"SLOW"');
            const answer = real(url, Object.assign({}, init, {signal: undefined}));
            return slow ? new Promise(done => setTimeout(() => done(answer), 2000)) : answer;
          };
        }"""
    )
    name = page.locator("[data-try]").get_by_label("Name")
    name.fill("SLOW")
    page.wait_for_timeout(600)  # past the debounce: the SLOW question is asked
    name.fill("FAST")
    _wait_for_fresh_picture(page, version)
    image = page.locator("[data-shopper-image]")
    expect(image).to_have_attribute("alt", re.compile("FAST"))
    page.wait_for_timeout(2500)  # the SLOW answer has arrived by now, and was dropped
    expect(image).to_have_attribute("alt", re.compile("FAST"))
    assert errors == []


def test_renaming_a_side_moves_its_fields_along(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    errors = _open(page, live_server, product_id)
    page.get_by_role("button", name="Add text").click()
    expect(_card(page, 1).get_by_label("Side (print area)")).to_have_value("wrap")

    page.locator("[data-areas]").get_by_label("Key").fill("around")

    expect(_card(page, 1).get_by_label("Side (print area)")).to_have_value("around")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    template = _template(live_app, product_id)
    assert template is not None
    assert template.fields[0]["area"] == "around"
    assert errors == []
