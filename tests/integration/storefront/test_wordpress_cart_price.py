"""The WordPress plugin charges the personalization surcharge server-side: its real PHP, run by
php-cli (``tests/php/harness.php``) against a live Luneo over HTTP.

Here Luneo is a small WSGI app answering ``GET /storefront/v1/designs/<id>`` in SPEC18's shape
behind the WooCommerce surface's guard (key + Origin); ``test_wordpress_cart_price_live.py``
runs the same plugin against the real Luneo app.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from tests.e2e.storefront_shim import (
    WooRefused,
    WooStorefront,
    serve,
    woo_line_price,
)
from tests.support.wordpress import (
    CART,
    CHECKOUT,
    ITEM_DATA,
    TOTALS,
    WordPress,
    add_to_cart,
    php_or_skip,
    product_page,
    product_price,
    store_api_add_item,
)

pytestmark = pytest.mark.slow

STORE = "https://woo.shop.test"
KEY = "lpk_" + "p" * 32
DESIGN = "d_" + "A" * 20
OTHER = "d_" + "B" * 20
MUG = "123"
TEMPLATE = 7
PRICE = {
    "currency": "EUR",
    "total": "4.50",
    "lines": [
        {"label": "Personalization", "amount": "4.00", "kind": "template"},
        {"label": "Name (5 characters)", "amount": "0.50", "kind": "characters"},
    ],
}


@dataclass
class FakeLuneo:
    """Luneo's WooCommerce surface for designs: the store's key from the store's origin only."""

    designs: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, int] = field(default_factory=lambda: {MUG: TEMPLATE})
    requests: list[dict[str, str]] = field(default_factory=list)
    down: bool = False
    # POST /order-edits: the lines Luneo answers for (order_id, order_key)
    orders: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        self.requests.append({"path": request.path, **request.headers})
        response = self._answer(request)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if self.down:
            return _json({"error": "unavailable"}, 503)
        if request.headers.get("X-Luneo-Key") != KEY:
            return _json({"error": "invalid_key"}, 401)
        if request.headers.get("Origin") != STORE:
            return _json({"error": "origin_not_allowed"}, 403)
        path = request.path.removeprefix("/storefront/v1")
        if path.startswith("/products/") and path.endswith("/template"):
            template = self.templates.get(path.split("/")[2])
            if template is None:
                return _json({"error": "not_customizable"}, 404)
            return _json({"id": template, "name": "Mug", "print_areas": [], "fields": []}, 200)
        if path == "/order-edits" and request.method == "POST":
            asked = json.loads(request.get_data() or b"{}")
            lines = self.orders.get((asked.get("order_id"), asked.get("order_key")))
            if lines is None:
                return _json({"error": {"code": "order_not_found"}}, 404)
            return _json({"lines": lines}, 200)
        design_id = path.removeprefix("/designs/")
        if design_id not in self.designs:
            return _json({"error": "design_not_found"}, 404)
        return _json(self.designs[design_id], 200)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")


def design_answer(design_id: str, price: Any = PRICE, **extra: Any) -> dict[str, Any]:
    """GET /designs/<id> as SPEC18 §4 has it (document null: no signed-in WooCommerce shopper)."""
    return {
        "design_id": design_id,
        "template_id": TEMPLATE,
        "document": None,
        "preview_url": f"https://luneo.test/storefront/designs/{design_id}/preview.png?v=1&sig=x",
        "status": "saved",
        "summary": "Wrap — “Anna”",
        "price": price,
        "properties": {"Name": "Anna", "Frame": "Gold"},
        **extra,
    }


@pytest.fixture(scope="module")
def php() -> str:
    return php_or_skip()


@pytest.fixture
def luneo() -> FakeLuneo:
    return FakeLuneo(designs={DESIGN: design_answer(DESIGN)})


@pytest.fixture
def luneo_url(luneo: FakeLuneo) -> Iterator[str]:
    yield from serve(luneo)


@pytest.fixture
def store(php: str, luneo_url: str) -> WordPress:
    return WordPress(php, luneo_url, KEY, STORE, products={MUG: {"name": "Mug", "price": "18.00"}})


def mug(**fields: str) -> dict[str, str]:
    return {"add-to-cart": MUG, "quantity": "2", **fields}


def test_the_line_costs_the_product_price_plus_luneos_surcharge(
    store: WordPress, luneo: FakeLuneo
) -> None:
    answer = store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)

    added, totals = answer.steps
    assert added["added"]
    [line] = totals["lines"]
    assert (line["price"], line["quantity"], line["line_total"]) == ("22.50", 2, "45.00")
    assert line["luneo"]["price"] == PRICE
    assert line["luneo"]["properties"] == {"Name": "Anna", "Frame": "Gold"}
    assert answer.errors() == []
    # Asked server to server, once each, as the store (its key, its origin).
    assert [r["path"] for r in luneo.requests] == [
        f"/storefront/v1/designs/{DESIGN}",
        f"/storefront/v1/products/{MUG}/template",
    ]
    assert {(r["X-Luneo-Key"], r["Origin"]) for r in luneo.requests} == {(KEY, STORE)}


def test_a_store_api_add_item_with_the_sdks_body_is_priced_by_luneo(
    store: WordPress, luneo: FakeLuneo
) -> None:
    """A headless storefront's cart (Luneo's JavaScript SDK, ``wooAddItemBody``): the design id in
    the Store API's JSON body is confirmed with Luneo and priced like the form's."""
    body = {"id": int(MUG), "quantity": 2, "luneo_design": DESIGN, "luneo_price": "0.01"}

    answer = store.request(store_api_add_item(body), TOTALS)

    added, totals = answer.steps
    assert added["status"] == 201
    assert added["added"]
    [line] = totals["lines"]
    assert (line["price"], line["quantity"], line["line_total"]) == ("22.50", 2, "45.00")
    assert line["luneo"]["design_id"] == DESIGN
    assert answer.errors() == []


def test_a_store_api_add_item_with_an_unknown_or_malformed_design_is_refused(
    store: WordPress,
) -> None:
    """The Store API answers a plain exception as a 500 (woocommerce_rest_unknown_server_error):
    the refusal is its RouteException, a 400 with Luneo's code and the shopper's message."""
    for design in (OTHER, "not a design", 42):
        body = {"id": int(MUG), "quantity": 1, "luneo_design": design}

        answer = store.request(store_api_add_item(body), TOTALS)

        added, totals = answer.steps
        assert (added["status"], added["code"], added["added"]) == (
            400,
            "luneo_design_refused",
            False,
        ), design
        assert added["message"], design
        assert totals["lines"] == []
        assert answer.errors() == []  # an API answer, not a notice left for the next page


def test_a_store_api_add_item_while_luneo_is_down_is_refused_not_a_server_error(
    store: WordPress, luneo: FakeLuneo
) -> None:
    luneo.down = True
    body = {"id": int(MUG), "quantity": 1, "luneo_design": DESIGN}

    added, totals = store.request(store_api_add_item(body), TOTALS).steps

    assert (added["status"], added["code"]) == (400, "luneo_design_refused")
    assert totals["lines"] == []


def test_a_store_api_add_item_without_a_design_is_a_plain_line(store: WordPress) -> None:
    added, totals = store.request(store_api_add_item({"id": int(MUG), "quantity": 1}), TOTALS).steps

    assert added["status"] == 201
    [line] = totals["lines"]
    assert line["luneo"] is None


def test_forged_price_fields_in_the_post_are_ignored(store: WordPress) -> None:
    forged = mug(
        luneo_design=DESIGN,
        luneo_price="0.01",
        luneo_surcharge="0",
        luneo_currency="USD",
        luneo_properties='{"Name": "Bob"}',
    )
    forged["luneo[price][total]"] = "0"

    _, totals = store.request(add_to_cart(forged), TOTALS).steps

    [line] = totals["lines"]
    assert line["price"] == "22.50"
    assert line["luneo"]["price"] == PRICE
    assert line["luneo"]["properties"] == {"Name": "Anna", "Frame": "Gold"}


def test_totalling_twice_in_a_request_and_again_later_never_adds_it_twice(
    store: WordPress, luneo: FakeLuneo
) -> None:
    first = store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS, TOTALS, TOTALS)
    later = store.request(TOTALS, TOTALS)

    assert [t["lines"][0]["price"] for t in first.steps[1:]] == ["22.50"] * 3
    assert first.steps[3]["did_run"] == 3
    assert [t["lines"][0]["price"] for t in later.steps] == ["22.50", "22.50"]
    # The price rides in the session: Luneo is asked at the add to cart only.
    assert len(luneo.requests) == 2


def test_the_line_is_priced_before_any_totals_for_the_cart_and_mini_cart(
    store: WordPress,
) -> None:
    """The item prices the cart and the mini-cart show are read before the cart is totalled:
    the line is priced as it is added, and as the cart is loaded from the session."""
    added = store.request(add_to_cart(mug(luneo_design=DESIGN)), CART)
    later = store.request(CART, TOTALS)

    assert added.steps[1]["lines"][0]["price"] == "22.50"
    assert [later.steps[0]["lines"][0]["price"], later.steps[1]["lines"][0]["price"]] == [
        "22.50",
        "22.50",
    ]


def test_the_base_price_is_the_products_current_one(store: WordPress) -> None:
    """A sale or the merchant's edit applies to carts already holding the product: each
    request prices the line from the product as the store has it then."""
    store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)

    during = store.request(TOTALS, product_price(MUG, "15.00"), TOTALS)
    after = store.request(TOTALS)

    # Within one request a priced line stays as priced (the did_action guard).
    assert [during.steps[0]["lines"][0]["price"], during.steps[2]["lines"][0]["price"]] == [
        "22.50",
        "22.50",
    ]
    assert after.steps[0]["lines"][0]["price"] == "19.50"


def test_the_session_holds_the_price_and_an_edited_session_value_is_checked(
    store: WordPress,
) -> None:
    """The cart lives in WooCommerce's server-side session: the browser sends the design id
    only. Should the stored price ever be unusable (a session written by an older plugin, a
    corrupted row), Luneo is asked again rather than the line charged at the base price."""
    store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)
    [key] = store.session
    store.session[key]["luneo"]["price"] = {"currency": "EUR", "total": "-1"}

    answer = store.request(TOTALS)

    assert answer.steps[0]["lines"][0]["price"] == "22.50"
    assert store.session[key]["luneo"]["price"] == PRICE


def test_a_line_whose_price_cannot_be_confirmed_again_leaves_the_cart(
    store: WordPress, luneo: FakeLuneo
) -> None:
    store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)
    [key] = store.session
    del store.session[key]["luneo"]["price"]
    luneo.down = True

    answer = store.request(TOTALS)

    assert answer.steps[0]["lines"] == []
    [notice] = answer.errors()
    assert "“Mug” was removed from your cart" in notice
    assert "saved in this browser" in notice


def test_a_line_asked_again_is_held_to_its_product_too(store: WordPress, luneo: FakeLuneo) -> None:
    luneo.designs[OTHER] = design_answer(OTHER, template_id=8)
    store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)
    [key] = store.session
    del store.session[key]["luneo"]["price"]
    store.session[key]["luneo"]["design_id"] = OTHER

    answer = store.request(TOTALS)

    assert answer.steps[0]["lines"] == []
    assert len(answer.errors()) == 1


def test_luneo_down_refuses_the_add_to_cart(store: WordPress, luneo: FakeLuneo) -> None:
    luneo.down = True

    answer = store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)

    assert answer.steps[0] == {"validated": False, "added": False}
    assert answer.steps[1]["lines"] == []
    [notice] = answer.errors()
    assert "could not be confirmed just now" in notice
    assert "saved in this browser" in notice


def test_luneo_unreachable_refuses_the_add_to_cart(php: str) -> None:
    closed = next(serve(FakeLuneo()))  # started, then shut: nothing listens on that port
    store = WordPress(php, closed, KEY, STORE, products={MUG: {"name": "Mug", "price": "18"}})

    answer = store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)

    assert answer.steps[0]["added"] is False
    assert answer.steps[1]["lines"] == []
    assert len(answer.errors()) == 1


def test_a_price_in_another_currency_is_refused(store: WordPress, luneo: FakeLuneo) -> None:
    luneo.designs[OTHER] = design_answer(OTHER, {**PRICE, "currency": "USD"})

    answer = store.request(add_to_cart(mug(luneo_design=OTHER)), TOTALS)

    assert answer.steps[0]["added"] is False
    assert answer.steps[1]["lines"] == []
    assert answer.errors() == [
        "This personalization is priced in USD but this store sells in EUR, so it cannot be"
        " added to the cart. Please contact the store."
    ]


def test_a_store_switching_currency_drops_the_line_rather_than_charge_it(
    store: WordPress,
) -> None:
    store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)
    store.currency = "USD"

    answer = store.request(TOTALS)

    assert answer.steps[0]["lines"] == []
    assert len(answer.errors()) == 1


UNUSABLE_PRICES = [
    None,
    {"currency": "EUR"},
    {"currency": "EUR", "total": 4.5},
    {"currency": "EUR", "total": "-4.00"},
    {"currency": "eur", "total": "4.00"},
    {"currency": "EUR", "total": "4.00<script>"},
    "4.00",
]
UNUSABLE_IDS = ["none", "no-total", "float", "negative", "lowercase", "markup", "string"]


@pytest.mark.parametrize("price", UNUSABLE_PRICES, ids=UNUSABLE_IDS)
def test_an_unusable_price_answer_is_refused(
    store: WordPress, luneo: FakeLuneo, price: Any
) -> None:
    luneo.designs[OTHER] = design_answer(OTHER, price)

    answer = store.request(add_to_cart(mug(luneo_design=OTHER)), TOTALS)

    assert answer.steps[0]["added"] is False
    assert answer.steps[1]["lines"] == []
    assert len(answer.errors()) == 1


def test_an_unknown_or_malformed_design_is_refused(store: WordPress) -> None:
    answer = store.request(
        add_to_cart(mug(luneo_design=OTHER)), add_to_cart(mug(luneo_design="d_x")), TOTALS
    )

    assert [s["added"] for s in answer.steps[:2]] == [False, False]
    assert answer.steps[2]["lines"] == []
    assert (
        answer.errors()
        == [
            "Your personalization could not be confirmed. Please open the editor and add it to the"
            " cart again."
        ]
        * 2
    )


def test_a_design_made_for_another_product_is_refused(store: WordPress, luneo: FakeLuneo) -> None:
    """A cheap product's design posted with a dear one: its price is not that product's."""
    luneo.designs[OTHER] = design_answer(OTHER, {**PRICE, "total": "0.00"}, template_id=8)
    luneo.templates["200"] = 8
    store.products["200"] = {"name": "Keyring", "price": "5.00"}

    answer = store.request(
        add_to_cart(mug(luneo_design=OTHER)),
        add_to_cart({"add-to-cart": "200", "luneo_design": OTHER}),
        TOTALS,
    )

    assert answer.steps[0]["added"] is False
    assert answer.steps[1]["added"]  # on its own product it is that product's line
    assert [line["product_id"] for line in answer.steps[2]["lines"]] == [200]
    assert answer.errors() == [
        "This personalization was made for another product. Please open the editor on this"
        " product and add it to the cart again."
    ]


def test_a_product_no_longer_customizable_refuses_its_designs(
    store: WordPress, luneo: FakeLuneo
) -> None:
    del luneo.templates[MUG]

    answer = store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)

    assert answer.steps[1]["lines"] == []
    assert answer.errors() == ["This product cannot be personalized any more."]


def test_a_replaced_template_is_asked_again_not_refused_from_the_cache(
    store: WordPress, luneo: FakeLuneo
) -> None:
    store.request(add_to_cart(mug(luneo_design=DESIGN)))
    assert store.transients == {f"luneo_template_{MUG}": str(TEMPLATE)}
    luneo.templates[MUG] = 9  # the merchant replaced the mug's template
    luneo.designs[OTHER] = design_answer(OTHER, template_id=9)

    answer = store.request(add_to_cart(mug(luneo_design=OTHER)), TOTALS)

    assert answer.errors() == []
    assert len(answer.steps[1]["lines"]) == 2
    assert store.transients == {f"luneo_template_{MUG}": "9"}


def test_the_product_page_check_spares_the_add_to_cart_a_call(
    store: WordPress, luneo: FakeLuneo
) -> None:
    assert store.request(product_page(MUG)).steps == [True]
    luneo.requests.clear()

    store.request(add_to_cart(mug(luneo_design=DESIGN)))

    assert [r["path"] for r in luneo.requests] == [f"/storefront/v1/designs/{DESIGN}"]


def test_a_product_without_a_design_keeps_its_price(store: WordPress, luneo: FakeLuneo) -> None:
    answer = store.request(add_to_cart(mug(luneo_price="0.01")), TOTALS, ITEM_DATA, CHECKOUT)

    [line] = answer.steps[1]["lines"]
    assert (line["price"], line["luneo"]) == ("18.00", None)
    assert answer.steps[2] == {line["key"]: []}
    assert answer.steps[3]["lines"] == {line["key"]: []}
    assert luneo.requests == []


def test_the_cart_shows_the_properties_and_the_surcharge(store: WordPress) -> None:
    answer = store.request(add_to_cart(mug(luneo_design=DESIGN)), ITEM_DATA)

    [shown] = answer.steps[1].values()
    assert shown == [
        {"key": "Name", "value": "Anna", "display": "Anna"},
        {"key": "Frame", "value": "Gold", "display": "Gold"},
        {
            "key": "Personalization",
            "value": "+€4.50",
            "display": '+<span class="woocommerce-Price-amount amount"><bdi><span'
            ' class="woocommerce-Price-currencySymbol">&euro;</span>4.50</bdi></span>',
        },
    ]


def test_a_design_without_properties_shows_its_summary_and_a_free_one_no_price(
    store: WordPress, luneo: FakeLuneo
) -> None:
    free = {"currency": "EUR", "total": "0.00", "lines": []}
    luneo.designs[OTHER] = design_answer(OTHER, free, properties={})

    answer = store.request(add_to_cart(mug(luneo_design=OTHER)), TOTALS, ITEM_DATA)

    assert answer.steps[1]["lines"][0]["price"] == "18.00"
    [shown] = answer.steps[2].values()
    assert shown == [{"key": "Personalization", "value": "Wrap — “Anna”"}]


def test_properties_are_plain_text_and_never_the_plugins_hidden_keys(
    store: WordPress, luneo: FakeLuneo
) -> None:
    properties = {
        "Name": "<img src=x onerror=alert(1)>Anna <b>B</b>",
        "_luneo_design": "d_forged_by_a_label000",
        "Note": "Tom & Jerry's",
        "Empty": "",
    }
    luneo.designs[OTHER] = design_answer(OTHER, properties=properties)

    answer = store.request(add_to_cart(mug(luneo_design=OTHER)), ITEM_DATA, CHECKOUT)

    [shown] = answer.steps[1].values()
    assert shown[:2] == [
        {"key": "Name", "value": "Anna B", "display": "Anna B"},
        {"key": "Note", "value": "Tom & Jerry's", "display": "Tom &amp; Jerry&#039;s"},
    ]
    [meta] = answer.steps[2]["lines"].values()
    assert {m["key"]: m["value"] for m in meta}["_luneo_design"] == OTHER


def test_the_order_line_carries_the_design_surcharge_currency_and_properties(
    store: WordPress,
) -> None:
    store.request(add_to_cart(mug(luneo_design=DESIGN)), TOTALS)

    answer = store.request(TOTALS, CHECKOUT)

    checkout = answer.steps[1]
    [meta] = checkout["lines"].values()
    assert meta == [
        {"key": "_luneo_design", "value": DESIGN},
        {"key": "_luneo_preview", "value": design_answer(DESIGN)["preview_url"]},
        {"key": "_luneo_surcharge", "value": "4.50"},
        {"key": "_luneo_currency", "value": "EUR"},
        {"key": "Name", "value": "Anna"},
        {"key": "Frame", "value": "Gold"},
        {"key": "Personalization", "value": "Wrap — “Anna”"},
    ]
    # The admin's item meta list leaves out the preview link, the surcharge and its currency.
    assert {"_luneo_preview", "_luneo_surcharge", "_luneo_currency"} <= set(checkout["hidden"])
    assert "_luneo_design" not in checkout["hidden"]


def test_two_designs_make_two_lines_each_with_its_own_price(
    store: WordPress, luneo: FakeLuneo
) -> None:
    luneo.designs[OTHER] = design_answer(OTHER, {**PRICE, "total": "1.25"})

    answer = store.request(
        add_to_cart(mug(luneo_design=DESIGN)), add_to_cart(mug(luneo_design=OTHER)), TOTALS
    )

    assert sorted(line["price"] for line in answer.steps[2]["lines"]) == ["19.25", "22.50"]


def test_a_variation_is_priced_from_the_variation(store: WordPress) -> None:
    store.products["124"] = {"name": "Mug – Large", "price": "21.10"}

    answer = store.request(
        add_to_cart(mug(luneo_design=DESIGN, variation_id="124", quantity="1")), TOTALS
    )

    assert answer.steps[1]["lines"][0]["price"] == "25.60"


# ------------------------------------------------- the browser tests' store (storefront_shim)
@pytest.mark.parametrize(
    "price",
    [PRICE, {**PRICE, "total": "0"}, {**PRICE, "currency": "USD"}, *UNUSABLE_PRICES],
    ids=["priced", "free", "usd", *UNUSABLE_IDS],
)
def test_the_browser_tests_store_prices_a_line_as_the_plugin_does(
    store: WordPress, luneo: FakeLuneo, price: Any
) -> None:
    luneo.designs[OTHER] = design_answer(OTHER, price)

    answer = store.request(add_to_cart(mug(luneo_design=OTHER)), TOTALS)
    try:
        shim: tuple[Decimal | None, list[str]] = (
            woo_line_price(Decimal("18.00"), luneo.designs[OTHER], "EUR"),
            [],
        )
    except WooRefused as refused:
        shim = (None, [refused.message])

    lines = answer.steps[1]["lines"]
    assert (Decimal(lines[0]["price"]) if lines else None, answer.errors()) == shim


def test_the_browser_tests_store_asks_luneo_and_shows_the_priced_line(
    luneo: FakeLuneo, luneo_url: str
) -> None:
    woo = WooStorefront(luneo_url, KEY, MUG)
    browser = Client(woo)

    added = browser.post(
        "/product/mug/",
        base_url=STORE,
        data={"add-to-cart": MUG, "quantity": "2", "luneo_design": DESIGN, "luneo_price": "0"},
    )
    cart = browser.get("/cart/", base_url=STORE).get_data(as_text=True)

    assert "has been added to your cart" in added.get_data(as_text=True)
    assert woo.line_prices() == [Decimal("22.50")]
    assert '<td class="product-price">€22.50</td>' in cart
    assert '<td class="product-subtotal">€45.00</td>' in cart
    assert "Personalization:</dt><dd>+€4.50</dd>" in cart
    assert [r["path"] for r in luneo.requests] == [
        f"/storefront/v1/designs/{DESIGN}",
        f"/storefront/v1/products/{MUG}/template",
    ]
    assert {(r["X-Luneo-Key"], r["Origin"]) for r in luneo.requests} == {(KEY, STORE)}


def test_the_browser_tests_store_refuses_another_products_design(
    luneo: FakeLuneo, luneo_url: str
) -> None:
    woo = WooStorefront(luneo_url, KEY, MUG)
    luneo.designs[OTHER] = design_answer(OTHER, template_id=8)

    Client(woo).post(
        "/product/mug/", base_url=STORE, data={"add-to-cart": MUG, "luneo_design": OTHER}
    )

    assert woo.cart == []
    assert woo.notices == [
        "This personalization was made for another product. Please open the editor on this"
        " product and add it to the cart again."
    ]


def test_the_browser_tests_store_refuses_when_luneo_is_down(
    luneo: FakeLuneo, luneo_url: str
) -> None:
    woo = WooStorefront(luneo_url, KEY, MUG)
    luneo.down = True

    page = Client(woo).post(
        "/product/mug/", base_url=STORE, data={"add-to-cart": MUG, "luneo_design": DESIGN}
    )

    assert woo.cart == []
    assert 'class="woocommerce-error" role="alert"' in page.get_data(as_text=True)
    assert woo.notices == [
        "Your personalization could not be confirmed just now, so it was not added to the cart."
        " Your design is saved in this browser: please try again in a moment."
    ]


def test_the_order_shows_the_preview_large_enough_to_read_and_opens_it_full_size(
    store: WordPress,
) -> None:
    """Under each personalised line of the thank-you page, My account and the e-mails."""
    url = "https://luneo.test/storefront/designs/d_0123456789abcdef/preview.png?sig=x&a=1"
    shown, plain, none = store.request(
        {"do": "order_item_preview", "meta": {"_luneo_preview": url}},
        {"do": "order_item_preview", "meta": {"_luneo_preview": url}, "plain_text": True},
        {"do": "order_item_preview", "meta": {}},
    ).steps

    escaped = url.replace("&", "&amp;")  # esc_url, as the stand-in escapes it
    assert f'<a href="{escaped}" target="_blank" rel="noopener"' in shown
    assert (
        f'<img src="{escaped}" alt="Your personalization" class="luneo-preview" width="200"'
        in shown
    )
    assert plain.strip() == f"Preview: {url}"
    assert none == ""


def test_the_order_pages_link_each_line_whose_design_may_still_change(
    store: WordPress, luneo: FakeLuneo
) -> None:
    """Under each personalised line of the thank-you and My account order pages: "Edit your
    design" while Luneo says it may still change, asked once per page with the order's own key
    (app.storefront.order_edits); never in e-mails, nowhere else."""
    preview = {"_luneo_preview": "https://luneo.test/storefront/designs/d_x/preview.png?sig=x"}
    link = "https://luneo.test/order-design/t7"
    luneo.orders[("41", "wc_order_k3y")] = [
        {"item": "7", "url": link, "open": True, "message": None},
        {"item": "8", "url": link + "8", "open": False, "message": "Already being made."},
    ]
    order = {"id": 41, "key": "wc_order_k3y"}
    items = {"7": preview, "8": preview, "9": {}}

    (shown,) = store.request(
        {"do": "order_page", "page": "order-received", "order": order, "items": items}
    ).steps

    assert f'<a href="{link}" rel="noopener noreferrer">Edit your design</a>' in shown["7"]
    assert "Edit your design" not in shown["8"]  # closed: the page says nothing more
    assert shown["9"] == ""  # not personalised
    asked = [r for r in luneo.requests if r["path"] == "/storefront/v1/order-edits"]
    assert len(asked) == 1  # once for the whole order
    assert (asked[0]["X-Luneo-Key"], asked[0]["Origin"]) == (KEY, STORE)

    (account,) = store.request(
        {"do": "order_page", "page": "view-order", "order": order, "items": items}
    ).steps
    assert "Edit your design" in account["7"]
    (elsewhere,) = store.request(
        {"do": "order_page", "page": "", "order": order, "items": items}
    ).steps
    assert "Edit your design" not in elsewhere["7"]
    wrong = {"id": 41, "key": "wc_order_guess"}
    (guessed,) = store.request(
        {"do": "order_page", "page": "order-received", "order": wrong, "items": items}
    ).steps
    assert "Edit your design" not in guessed["7"]
    luneo.down = True
    (down,) = store.request(
        {"do": "order_page", "page": "order-received", "order": order, "items": items}
    ).steps
    assert "Edit your design" not in down["7"]
    assert "luneo-order-preview" in down["7"]  # the preview still shows
