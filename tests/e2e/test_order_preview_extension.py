"""The order preview UI extension (extensions/order-preview) in Chromium, in a stand-in for the
host Shopify runs it in on the Thank you and Order status pages: the documented contract of API
2026-07 — a global ``shopify`` whose ``target`` is the order line as a signal (``value``,
``subscribe``; ``setSignals`` hands it Preact's ``Signal``), ``i18n.translate`` over the
extension's locale file, the module's default export called once, and what it renders into
``document.body`` shown under the line. Only Shopify's side is a stand-in; the bundle is the one
``npm run build`` makes from the sources Shopify CLI deploys."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

EXTENSION = Path(__file__).resolve().parents[2] / "extensions" / "order-preview"
BUNDLE = EXTENSION / "dist" / "order-preview.js"
PAGE = "https://shop.test/orders/status"
SCRIPT = "https://extensions.shop.test/order-preview.js"
PREVIEW = "https://luneo.test/designs/d_Q2hlZXJz/preview.png?v=7&sig=abc"

# The host: a line as Shopify gives it, as a signal once the extension has handed over Preact's
# Signal class (what @shopify/ui-extensions/preact does at import), and translations from the
# extension's own default locale.
HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>
<script>
  const strings = __STRINGS__;
  let line = { id: "gid://shopify/CartLine/1", quantity: 1, attributes: __ATTRIBUTES__ };
  const listeners = new Set();
  const plain = {
    get value() { return line; },
    get current() { return line; },
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
  window.shopify = {
    target: plain,
    setSignals(Signal) { window.shopify.target = new Signal(line); },
    i18n: {
      translate(key) {
        if (!(key in strings)) throw new Error("no string " + key);
        return strings[key];
      },
    },
  };
  window.setLine = (attributes) => {
    line = { ...line, attributes };
    if (window.shopify.target !== plain) window.shopify.target.value = line;
    listeners.forEach((fn) => fn(line));
  };
</script>
<script type="module">
  import run from "__SCRIPT__";
  await run();
  window.rendered = true;
</script>
</body></html>"""


@pytest.fixture
def bundle() -> str:
    if not BUNDLE.is_file():
        pytest.fail("the extension is not built: run `make setup` (scripts/install-widget-tools)")
    return BUNDLE.read_text()


def _open(page: Page, bundle: str, attributes: list[dict[str, str]]) -> None:
    strings = (EXTENSION / "locales" / "en.default.json").read_text()
    html = (
        HOST.replace("__STRINGS__", strings)
        .replace("__ATTRIBUTES__", json.dumps(attributes))
        .replace("__SCRIPT__", SCRIPT)
    )

    def serve(route: Route) -> None:
        if route.request.url == SCRIPT:
            route.fulfill(body=bundle, content_type="text/javascript")
        elif route.request.url == PAGE:
            route.fulfill(body=html, content_type="text/html")
        else:
            route.abort()

    page.route("**/*", serve)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(PAGE)
    page.wait_for_function("window.rendered === true", timeout=10_000)
    assert errors == []


def _line(preview: str | None, design: str | None = "d_Q2hlZXJz") -> list[dict[str, str]]:
    attributes = [{"key": "Name", "value": "Anna"}]
    if design is not None:
        attributes.append({"key": "_luneo_design", "value": design})
    if preview is not None:
        attributes.append({"key": "_luneo_preview", "value": preview})
    return attributes


def test_a_designed_line_shows_its_design_large_with_a_link_to_enlarge(
    page: Page, bundle: str
) -> None:
    _open(page, bundle, _line(PREVIEW))

    image = page.locator("s-image")
    assert image.count() == 1
    assert image.get_attribute("src") == PREVIEW
    assert image.get_attribute("alt") == "Your personalised design"
    assert page.locator("s-box").get_attribute("maxinlinesize") == "240px"
    link = page.locator("s-link")
    assert link.get_attribute("href") == PREVIEW
    assert link.get_attribute("target") == "_blank"
    assert link.inner_text() == "View your design full size"


def test_the_picture_follows_the_line(page: Page, bundle: str) -> None:
    _open(page, bundle, _line(None))
    assert page.locator("s-image").count() == 0

    newer = PREVIEW.replace("v=7", "v=8")
    page.evaluate("(attributes) => window.setLine(attributes)", _line(newer))
    page.wait_for_selector("s-image", state="attached")
    assert page.locator("s-image").get_attribute("src") == newer


@pytest.mark.parametrize(
    "attributes",
    [
        _line(None),  # designed, but no preview yet
        _line(PREVIEW, design=None),  # a preview attribute without a design: not Luneo's line
        _line("http://luneo.test/designs/d_x/preview.png"),  # not https
        _line("javascript:alert(1)"),
        _line("not a url"),
        [],
    ],
)
def test_anything_else_shows_nothing(
    page: Page, bundle: str, attributes: list[dict[str, str]]
) -> None:
    _open(page, bundle, attributes)

    assert page.evaluate("document.body.querySelectorAll('s-image, s-link').length") == 0


def test_the_extension_targets_both_order_pages_and_every_locale_has_its_strings() -> None:
    config = tomllib.loads((EXTENSION / "shopify.extension.toml").read_text())
    (extension,) = config["extensions"]
    assert extension["type"] == "ui_extension"
    assert {t["target"] for t in extension["targeting"]} == {
        "purchase.thank-you.cart-line-item.render-after",
        "customer-account.order-status.cart-line-item.render-after",
    }
    assert config["api_version"] == "2026-07"
    default = json.loads((EXTENSION / "locales" / "en.default.json").read_text())
    for locale in (EXTENSION / "locales").glob("*.json"):
        assert json.loads(locale.read_text()).keys() == default.keys(), locale.name
    assert BUNDLE.stat().st_size < 64 * 1024  # Shopify's limit for a UI extension's script
