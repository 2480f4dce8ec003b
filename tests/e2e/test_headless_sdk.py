"""In a real browser: the JavaScript SDK (``sdk/js``) against a live Luneo from another origin.

The example storefront (``/dev/headless/``, what ``make run`` shows) is opened at
``http://localhost:<port>`` and talks to Luneo at ``http://127.0.0.1:<port>``: it lists the demo
shop's templates, saves a design, gets its preview and shows the cart line data, and mounts the
editor, whose "Add to cart" hands the line to the storefront. A page on an origin the key does not
list is refused by the browser itself (no CORS answer)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.demo import seed_demo_shop
from app.extensions import get_db, get_storage
from tests.support.axe import describe, violations

MUG = "Personalized Ceramic Mug"


@pytest.fixture
def example_url(live_app: Flask, live_server: str) -> str:
    with live_app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        session.commit()
    return live_server.replace("http://127.0.0.1:", "http://localhost:", 1) + "/dev/headless/"


def _cart_lines(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(page.locator("[data-cart-shopify]").inner_text())
    return data


def test_the_example_lists_templates_saves_a_design_and_shows_its_cart_line(
    page: Page, example_url: str, live_server: str
) -> None:
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url))
    page.goto(example_url)

    expect(page.locator("[data-status]")).to_contain_text("customizable products")
    page.get_by_role("button", name=MUG).click()
    expect(page.get_by_role("heading", name=MUG)).to_be_visible()
    page.get_by_role("button", name="Save a sample design").click()

    expect(page.locator("[data-summary]")).to_contain_text("d_")
    preview = page.locator("[data-preview]")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth") > 0
    line = _cart_lines(page)["lines"][0]
    attributes = {a["key"]: a["value"] for a in line["attributes"]}
    assert line["merchandiseId"].startswith("gid://shopify/ProductVariant/")
    assert attributes["_luneo_design"].startswith("d_")
    assert attributes["_luneo_price"]
    woo = json.loads(page.locator("[data-cart-woo]").inner_text())
    assert woo["luneo_design"] == attributes["_luneo_design"]
    api = f"{live_server}/storefront/headless/v1/"
    assert any(url.startswith(api + "templates") for url in calls)
    assert any(url == api + "previews" for url in calls)  # cross-origin: Luneo at 127.0.0.1


def test_the_mounted_editor_hands_its_cart_line_to_the_storefront(
    page: Page, example_url: str
) -> None:
    page.goto(example_url)
    page.get_by_role("button", name=MUG).click()
    page.get_by_role("button", name="Personalize with Luneo").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-busy", "false")

    page.get_by_role("textbox", name=re.compile("^Name")).fill("Ada")
    page.get_by_role("button", name="Add to cart").click()

    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    line = _cart_lines(page)["lines"][0]
    attributes = {a["key"]: a["value"] for a in line["attributes"]}
    assert attributes["_luneo_design"].startswith("d_")
    assert attributes["_luneo_price"]
    assert "Ada" in json.dumps(attributes)


def test_an_origin_the_key_does_not_list_is_refused(
    page: Page, example_url: str, live_server: str
) -> None:
    page.goto(example_url)
    expect(page.locator("[data-status]")).to_contain_text("customizable products")
    settings = json.loads(page.evaluate("fetch('config.json').then(r => r.text())"))
    # Luneo's own health page stands for a site that is not listed: 127.0.0.1 is not localhost.
    other = settings["luneoUrl"].replace("127.0.0.1", "localhost")
    page.goto(f"{live_server}/healthz")

    outcome = page.evaluate(
        """async ([sdkUrl, luneoUrl, key]) => {
            const sdk = await import(sdkUrl);
            const client = sdk.createClient({luneoUrl, key});
            try { await client.templates(); return "answered"; }
            catch (err) { return err.name + ": " + err.message; }
        }""",
        [example_url + "luneo-sdk.js", other, settings["key"]],
    )

    assert outcome.startswith("TypeError"), outcome  # the browser blocked the answer


def test_an_owner_creates_the_key_and_lists_a_site_in_the_admin(
    browser: Browser, example_url: str, live_server: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")

    page.get_by_role("link", name="Headless").first.click()
    page.get_by_role("button", name="Create a headless key").click()
    key = page.locator("[data-headless-key]")
    expect(key).to_contain_text("lhk_")
    sites = page.get_by_role("textbox", name=re.compile("One web address per line"))
    sites.fill("http://shop.example.com")
    page.get_by_role("button", name="Save sites").click()
    expect(page.locator("[data-error-for=origins]")).to_contain_text("https://")
    sites.fill("https://shop.example.com/\nhttp://localhost:3000")
    page.get_by_role("button", name="Save sites").click()

    expect(sites).to_have_value("https://shop.example.com\nhttp://localhost:3000")
    found = violations(page, "document")
    assert not found, describe(found)
    context.close()
