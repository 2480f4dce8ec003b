"""The order preview UI extension (extensions/order-preview) in Chromium, in a stand-in for the
host Shopify runs it in on the Thank you and Order status pages: the documented contract of API
2026-07 — a global ``shopify`` whose ``target`` is the order line as a signal (``value``,
``subscribe``; ``setSignals`` hands it Preact's ``Signal``), ``extension.target`` naming the
page's target, on the Order status page ``appMetafields`` (the metafields the extension's TOML
declares, as ``{target: {type, id}, metafield: {namespace, key, value, valueType, type}}``
entries), ``i18n.translate`` over the extension's locale file (``{{name}}`` replacements) and
``i18n.formatDate``, the module's default export called once, and what it renders into
``document.body`` shown under the line. Only Shopify's side is a stand-in; the bundle is the one
``npm run build`` makes from the sources Shopify CLI deploys."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

EXTENSION = Path(__file__).resolve().parents[2] / "extensions" / "order-preview"
BUNDLE = EXTENSION / "dist" / "order-preview.js"
PAGE = "https://shop.test/orders/status"
SCRIPT = "https://extensions.shop.test/order-preview.js"
PREVIEW = "https://luneo.test/designs/d_Q2hlZXJz/preview.png?v=7&sig=abc"
ORDER_STATUS = "customer-account.order-status.cart-line-item.render-after"
THANK_YOU = "purchase.thank-you.cart-line-item.render-after"
CHANGE = "https://mug-store.myshopify.com/apps/luneo/order-design/eyJzaG9wIjoxfQ.sig"

# The host: a line as Shopify gives it, as a signal once the extension has handed over Preact's
# Signal class (what @shopify/ui-extensions/preact does at import), and translations from the
# extension's own default locale.
HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>
<script>
  const strings = __STRINGS__;
  let line = { id: "gid://shopify/CartLine/1", quantity: 1, attributes: __ATTRIBUTES__ };
  const metafields = __METAFIELDS__;
  const listeners = new Set();
  const plain = {
    get value() { return line; },
    get current() { return line; },
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
  const constant = (value) => ({ value, current: value, subscribe() { return () => {}; } });
  window.shopify = {
    target: plain,
    extension: { target: __TARGET__ },
    setSignals(Signal) {
      window.shopify.target = new Signal(line);
      if (metafields !== null) window.shopify.appMetafields = new Signal(metafields);
    },
    i18n: {
      translate(key, replacements = {}) {
        if (!(key in strings)) throw new Error("no string " + key);
        return strings[key].replace(/{{([A-Za-z]+)}}/g, (_, name) => {
          if (!(name in replacements)) throw new Error("no replacement " + name);
          return String(replacements[name]);
        });
      },
      formatDate(date, options) {
        if (!(date instanceof Date)) throw new Error("formatDate takes a Date");
        return new Intl.DateTimeFormat("en", { ...options, timeZone: "UTC" }).format(date);
      },
    },
  };
  // appMetafields exists on the Order status page's targets only
  if (metafields !== null) window.shopify.appMetafields = constant(metafields);
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


def _open(
    page: Page,
    bundle: str,
    attributes: list[dict[str, str]],
    *,
    target: str = ORDER_STATUS,
    metafields: list[dict[str, Any]] | None = None,
) -> None:
    strings = (EXTENSION / "locales" / "en.default.json").read_text()
    if metafields is None and target == ORDER_STATUS:
        metafields = []
    html = (
        HOST.replace("__STRINGS__", strings)
        .replace("__ATTRIBUTES__", json.dumps(attributes))
        .replace("__METAFIELDS__", json.dumps(metafields))
        .replace("__TARGET__", json.dumps(target))
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


# ---------------------------------------------------------------- the link to change the design
def _links(
    lines: dict[str, Any], *, namespace: str = "$app", key: str = "design_links"
) -> list[dict[str, Any]]:
    """The order's ``design_links`` metafield as ``appMetafields`` gives it (written by
    app/sync/design_links.py; the type json arrives as a JSON string)."""
    return [
        {
            "target": {"type": "order", "id": "gid://shopify/Order/1"},
            "metafield": {
                "namespace": namespace,
                "key": key,
                "value": json.dumps({"v": 1, "lines": lines}),
                "valueType": "json_string",
                "type": "json",
            },
        }
    ]


def _change_links(page: Page) -> list[str | None]:
    links = page.locator("s-link", has_text="Change your design")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def test_the_order_status_page_shows_the_private_link_to_change_the_design(
    page: Page, bundle: str
) -> None:
    lines = {"d_Q2hlZXJz": {"url": CHANGE, "until": None, "line": "gid://shopify/LineItem/11"}}
    _open(page, bundle, _line(PREVIEW), metafields=_links(lines))

    assert _change_links(page) == [CHANGE]
    assert page.locator("s-image").count() == 1  # the picture stays
    text = page.locator("body").inner_text()
    assert "You can change it until we start making your item." in text
    assert "e-mail" not in text  # the Thank you page's note is not here


def test_a_window_that_closes_at_a_known_time_says_until_when(page: Page, bundle: str) -> None:
    lines = {"d_Q2hlZXJz": {"url": CHANGE, "until": "2026-07-03T10:00:00+00:00", "line": "x"}}
    _open(page, bundle, _line(None), metafields=_links(lines))

    assert _change_links(page) == [CHANGE]  # even before the preview is there
    assert "You can change it until Jul 3, 2026, 10:00" in page.locator("body").inner_text()


@pytest.mark.parametrize(
    ("attributes", "metafields"),
    [
        # another line's design: that line's link, not this one's
        (_line(PREVIEW), _links({"d_other": {"url": CHANGE, "until": None}})),
        # not https (nor a script URL)
        (_line(PREVIEW), _links({"d_Q2hlZXJz": {"url": "http://shop.test/apps/luneo/x"}})),
        (_line(PREVIEW), _links({"d_Q2hlZXJz": {"url": "javascript:alert(1)"}})),
        # another namespace or key than Luneo's own metafield
        (_line(PREVIEW), _links({"d_Q2hlZXJz": {"url": CHANGE}}, namespace="custom")),
        (_line(PREVIEW), _links({"d_Q2hlZXJz": {"url": CHANGE}}, key="print_files")),
        # not JSON, or not the shape
        (
            _line(PREVIEW),
            [
                {
                    "target": {"type": "order"},
                    "metafield": {
                        "namespace": "$app",
                        "key": "design_links",
                        "value": "{",
                        "valueType": "string",
                        "type": "json",
                    },
                }
            ],
        ),
        (_line(PREVIEW), _links({"d_Q2hlZXJz": "https://shop.test/x"})),
        # a line without a design never gets a link, whatever the metafield says
        (_line(PREVIEW, design=None), _links({"": {"url": CHANGE}})),
        # the order not synced yet: no metafield
        (_line(PREVIEW), []),
    ],
)
def test_no_change_link_for_anything_else(
    page: Page, bundle: str, attributes: list[dict[str, str]], metafields: list[Any]
) -> None:
    _open(page, bundle, attributes, metafields=metafields)

    assert _change_links(page) == []
    assert "change it" not in page.locator("body").inner_text()


def test_the_thank_you_page_says_the_link_comes_by_e_mail(page: Page, bundle: str) -> None:
    _open(page, bundle, _line(None), target=THANK_YOU)

    note = page.locator("s-text")
    assert note.inner_text() == (
        "You'll get an e-mail with a link to change your design until it is made."
    )
    assert _change_links(page) == []


def test_the_thank_you_page_has_no_note_for_a_line_without_a_design(
    page: Page, bundle: str
) -> None:
    _open(page, bundle, _line(PREVIEW, design=None), target=THANK_YOU)

    assert page.evaluate("document.body.querySelectorAll('s-stack, s-text, s-link').length") == 0


def test_the_extension_declares_the_design_links_metafield() -> None:
    config = tomllib.loads((EXTENSION / "shopify.extension.toml").read_text())
    (extension,) = config["extensions"]

    assert {"namespace": "$app", "key": "design_links"} in extension["metafields"]
