"""The built Cart Transform Wasm (extensions/surcharge) on carts shaped as Shopify gives them.

Every input is ``src/run.graphql`` resolved over the pinned function schema (``schema.graphql``)
on a cart, and every output is coerced into the schema's ``CartTransformRunResult``: what the
function reads and writes is what API 2026-07 defines. Tokens come from the app's own
``surcharge_token.sign``, so the Wasm's HMAC is checked byte for byte against Python's.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, Undefined, parse, validate
from graphql.utilities import coerce_input_value, validate_input_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.shopify.surcharge_token import shop_key, sign, verify
from standins import cart_transform_runner as runner
from standins.cart_transform_runner import CartLine, execute, shopify_input, unit_prices

REPO = Path(__file__).resolve().parents[3]
EXTENSION = REPO / "extensions" / "surcharge"
KEY = shop_key("app-secret", "mugs.myshopify.com")
PREFIX = "https://luneo.example.com/"
CONFIG = json.dumps({"v": 1, "key": KEY.hex(), "image_prefix": PREFIX})
PREVIEW = PREFIX + "designs/42/preview.png?signature=abc"


def _stale(wasm: Path) -> bool:
    if not wasm.exists():
        return True
    sources = [
        *EXTENSION.glob("src/*"),
        EXTENSION / "package-lock.json",
        EXTENSION / "asconfig.json",
    ]
    return any(source.stat().st_mtime > wasm.stat().st_mtime for source in sources)


@pytest.fixture(scope="session")
def wasm() -> Path:
    """The function as `npm run build` makes it (built here when missing or older than src/)."""
    built = EXTENSION / "dist" / "function.wasm"
    if _stale(built):
        path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
        if shutil.which("npm", path=path) is None:
            pytest.skip("node/npm is not installed (make setup puts it in .venv/bin)")
        runner.build()
    return built


def run(lines: list[CartLine], config: str | None = CONFIG, rate: str = "1.0") -> dict[str, Any]:
    result = execute(shopify_input(lines, config, rate))
    assert result.fuel < runner.INSTRUCTION_LIMIT
    errors: list[str] = []

    def on_error(error: GraphQLError, path: Any) -> None:
        errors.append(f"{path}: {error.message}")

    output_type = runner.function_schema().get_type("CartTransformRunResult")
    validate_input_value(result.output, output_type, on_error)
    assert errors == [], errors
    assert coerce_input_value(result.output, output_type) is not Undefined
    return result.output


def designed(
    line: int = 1,
    design: str = "42",
    amount: str = "4.50",
    *,
    unit_price: str = "19.99",
    quantity: int = 1,
    key: bytes = KEY,
    token: str | None = None,
    preview: str | None = PREVIEW,
) -> CartLine:
    attributes = {
        "_luneo_design": design,
        "_luneo_price": sign(key, design, Decimal(amount), "EUR") if token is None else token,
        "Name": "Ada",
    }
    if preview is not None:
        attributes["_luneo_preview"] = preview
    return CartLine(
        id=f"gid://shopify/CartLine/{line}",
        variant_id=f"gid://shopify/ProductVariant/{100 + line}",
        unit_price=unit_price,
        attributes=attributes,
        quantity=quantity,
    )


def plain(line: int, unit_price: str = "12.00") -> CartLine:
    return CartLine(
        f"gid://shopify/CartLine/{line}", f"gid://shopify/ProductVariant/{line}", unit_price
    )


# ------------------------------------------------------------------ the extension's contract


def test_the_extension_declares_the_pinned_target_export_and_build() -> None:
    toml = tomllib.loads((EXTENSION / "shopify.extension.toml").read_text())
    (extension,) = toml["extensions"]
    (targeting,) = extension["targeting"]

    assert toml["api_version"] == "2026-07"
    assert (extension["type"], extension["handle"]) == ("function", "surcharge")
    assert targeting == {
        "target": "cart.transform.run",
        "input_query": "src/run.graphql",
        "export": runner.EXPORT,
    }
    assert extension["build"]["path"] == "dist/function.wasm"
    assert (EXTENSION / "schema.graphql").read_text().startswith("# api_version: 2026-07\n")


def test_the_app_deploys_the_extension_with_the_widget() -> None:
    app = tomllib.loads((REPO / "shopify.app.toml").read_text())

    assert app["extension_directories"] == [
        "storefront_widget",
        "extensions/surcharge",
        "extensions/order-preview",
    ]
    assert "write_cart_transforms" in app["access_scopes"]["scopes"].split(",")
    for folder in app["extension_directories"]:
        assert (REPO / folder / "shopify.extension.toml").is_file()


def test_the_input_query_is_valid_for_the_pinned_function_api() -> None:
    schema = runner.function_schema()
    document = parse((EXTENSION / "src" / "run.graphql").read_text())

    assert validate(schema, document) == []
    assert schema.mutation_type is not None
    run_field = schema.mutation_type.fields["cartTransformRun"]
    assert str(run_field.args["result"].type) == "CartTransformRunResult!"


def test_the_module_is_a_wasi_command_with_the_declared_export(wasm: Path) -> None:
    import wasmtime

    module = wasmtime.Module.from_file(wasmtime.Engine(), str(wasm))
    exports = {export.name: export.type for export in module.exports}
    imports = {item.module for item in module.imports}

    assert isinstance(exports[runner.EXPORT], wasmtime.FuncType)
    assert exports[runner.EXPORT].params == []
    assert exports[runner.EXPORT].results == []
    assert imports == {"wasi_snapshot_preview1"}
    assert wasm.stat().st_size < 256 * 1024  # Shopify's limit on a function's Wasm


# ------------------------------------------------------------------ behaviour


def test_a_signed_line_is_expanded_into_itself_at_base_plus_surcharge(wasm: Path) -> None:
    output = run([designed()])

    assert output == {
        "operations": [
            {
                "lineExpand": {
                    "cartLineId": "gid://shopify/CartLine/1",
                    "expandedCartItems": [
                        {
                            "merchandiseId": "gid://shopify/ProductVariant/101",
                            "quantity": 1,
                            "price": {"adjustment": {"fixedPricePerUnit": {"amount": "24.49"}}},
                            "attributes": [
                                {"key": "_luneo_design", "value": "42"},
                                {
                                    "key": "_luneo_price",
                                    "value": sign(KEY, "42", Decimal("4.50"), "EUR"),
                                },
                                {"key": "_luneo_preview", "value": PREVIEW},
                            ],
                        }
                    ],
                    "image": {"url": PREVIEW},
                }
            }
        ]
    }
    assert "title" not in output["operations"][0]["lineExpand"]  # the product's own title stays


def test_a_line_of_three_keeps_its_quantity_and_each_unit_pays_the_surcharge(wasm: Path) -> None:
    line = designed(quantity=3, unit_price="10.00", amount="2.00")
    output = run([line])

    (item,) = output["operations"][0]["lineExpand"]["expandedCartItems"]
    # Shopify multiplies an expanded item's quantity by the line's: 1 per unit keeps 3 units.
    assert item["quantity"] == 1
    assert item["price"]["adjustment"]["fixedPricePerUnit"]["amount"] == "12.00"
    assert unit_prices([line], output)[line.id] == Decimal("12.00")


@pytest.mark.parametrize(
    ("rate", "unit_price", "amount", "expected"),
    [
        ("0.9", "17.99", "4.50", "22.04"),  # 17.99 + 4.05
        ("0.9", "19.99", "4.55", "24.09"),  # 19.99 + 4.095, half up
        ("1.0", "19.99", "0.005", "20.00"),  # Luneo's 3-place amounts round at the end
        ("150.123456789", "3000", "2.00", "3300.25"),  # JPY-like rates with many places
        ("1", "0.00", "999999999.999", "1000000000.00"),  # the largest amount a token can sign
    ],
)
def test_the_surcharge_is_converted_to_the_buyers_currency_exactly(
    wasm: Path, rate: str, unit_price: str, amount: str, expected: str
) -> None:
    output = run([designed(unit_price=unit_price, amount=amount)], rate=rate)

    item = output["operations"][0]["lineExpand"]["expandedCartItems"][0]
    assert item["price"]["adjustment"]["fixedPricePerUnit"]["amount"] == expected


def test_only_the_personalised_lines_of_a_cart_change(wasm: Path) -> None:
    lines = [plain(1), designed(2, design="7", amount="3.00"), plain(3), designed(4, design="8")]
    output = run(lines, rate="0.9")

    assert [op["lineExpand"]["cartLineId"] for op in output["operations"]] == [
        "gid://shopify/CartLine/2",
        "gid://shopify/CartLine/4",
    ]
    assert unit_prices(lines, output) == {
        "gid://shopify/CartLine/1": Decimal("12.00"),
        "gid://shopify/CartLine/2": Decimal("22.69"),
        "gid://shopify/CartLine/3": Decimal("12.00"),
        "gid://shopify/CartLine/4": Decimal("24.04"),
    }


def test_a_preview_outside_luneo_is_not_shown_but_the_line_is_still_charged(wasm: Path) -> None:
    output = run([designed(preview="https://evil.example/luneo.example.com/x.png")])

    expand = output["operations"][0]["lineExpand"]
    assert "image" not in expand
    assert expand["expandedCartItems"][0]["price"]["adjustment"]["fixedPricePerUnit"] == {
        "amount": "24.49"
    }


def test_a_line_without_a_preview_has_no_image(wasm: Path) -> None:
    expand = run([designed(preview=None)])["operations"][0]["lineExpand"]

    assert "image" not in expand
    assert [a["key"] for a in expand["expandedCartItems"][0]["attributes"]] == [
        "_luneo_design",
        "_luneo_price",
    ]


def test_text_that_needs_escaping_survives_the_round_trip(wasm: Path) -> None:
    design = 'd"\\\n\t\u00e9\u4e2d\U0001f600' + "x" * 80  # quotes, controls, non-ASCII, > 1 block
    output = run([designed(design=design)])

    attributes = output["operations"][0]["lineExpand"]["expandedCartItems"][0]["attributes"]
    assert attributes[0] == {"key": "_luneo_design", "value": design}


# ------------------------------------------------------------------ attacks: no operation


def test_a_tampered_amount_is_not_charged(wasm: Path) -> None:
    token = sign(KEY, "42", Decimal("4.50"), "EUR").replace("1:4.50:", "1:0.50:")

    assert run([designed(token=token)]) == {"operations": []}


def test_a_token_moved_to_another_design_is_not_charged(wasm: Path) -> None:
    cheap = sign(KEY, "41", Decimal("0.10"), "EUR")  # a cheap design's signed price...

    assert run([designed(design="42", token=cheap)]) == {"operations": []}  # ...on another


def test_a_token_signed_with_another_shops_key_is_not_charged(wasm: Path) -> None:
    other_shop = shop_key("app-secret", "other.myshopify.com")

    assert run([designed(key=other_shop)]) == {"operations": []}


def test_a_token_with_another_currency_code_than_signed_is_not_charged(wasm: Path) -> None:
    token = sign(KEY, "42", Decimal("4.50"), "EUR").replace(":EUR:", ":USD:")

    assert run([designed(token=token)]) == {"operations": []}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "1:4.50:EUR",
        "2:4.50:EUR:" + "0" * 64,
        "1:-4.50:EUR:" + "0" * 64,
        "1:4.5000:EUR:" + "0" * 64,
        "1:1e3:EUR:" + "0" * 64,
        "1:4.50:eur:" + "0" * 64,
        "1:4.50:EUR:" + "G" * 64,
        "1:4.50:EUR:" + "0" * 63,
        "1:4.50:EUR:" + "0" * 64 + ":x",
    ],
)
def test_a_malformed_token_is_not_charged(wasm: Path, token: str) -> None:
    assert run([designed(token=token)]) == {"operations": []}


@pytest.mark.parametrize("space", [" ", "\n", "\x1f", "\u00a0", "\u2007", "\u3000"])
def test_whitespace_around_a_token_is_what_the_order_sync_tolerates(wasm: Path, space: str) -> None:
    # surcharge_token.verify strips what str.strip() strips: a token the order sync calls paid
    # must have been charged, or a shopper could pad it to get the personalization for free.
    token = sign(KEY, "42", Decimal("4.50"), "EUR")
    padded = designed(token=space + token + space)

    assert verify(KEY, "42", padded.attributes["_luneo_price"]) is not None
    assert len(run([padded])["operations"]) == 1


def test_a_token_padded_with_what_python_keeps_is_refused_by_both(wasm: Path) -> None:
    token = "\u200b" + sign(KEY, "42", Decimal("4.50"), "EUR")  # zero width: not whitespace

    assert verify(KEY, "42", token) is None
    assert run([designed(token=token)]) == {"operations": []}


# ------------------------------------------------------------------ odd input: never a crash


def test_an_empty_cart_has_no_operations(wasm: Path) -> None:
    assert run([]) == {"operations": []}


def test_a_line_without_a_variant_or_attributes_is_left_alone(wasm: Path) -> None:
    custom = CartLine("gid://shopify/CartLine/9", "", "5.00", merchandise="CustomProduct")
    custom_designed = CartLine(
        "gid://shopify/CartLine/8",
        "",
        "5.00",
        attributes=designed().attributes,
        merchandise="CustomProduct",
    )

    assert run([custom, custom_designed, plain(1)]) == {"operations": []}


@pytest.mark.parametrize(
    "config",
    [
        None,
        "",
        "not json",
        "[]",
        json.dumps({"v": 2, "key": KEY.hex(), "image_prefix": PREFIX}),
        json.dumps({"v": "1", "key": KEY.hex()}),
        json.dumps({"v": 1, "key": KEY.hex()[:-2]}),
        json.dumps({"v": 1, "key": "zz" * 32}),
        json.dumps({"v": 1}),
        '{"v": 1, "key": "' + KEY.hex() + '"',
        "[" * 5000,
    ],
)
def test_a_missing_or_malformed_config_means_no_operations(wasm: Path, config: str | None) -> None:
    assert run([designed()], config=config) == {"operations": []}


def test_a_config_without_image_prefix_still_charges_but_shows_no_image(wasm: Path) -> None:
    for prefix in (None, "", "http://luneo.example.com/", "https://"):
        body: dict[str, Any] = {"v": 1, "key": KEY.hex()}
        if prefix is not None:
            body["image_prefix"] = prefix
        expand = run([designed()], config=json.dumps(body))["operations"][0]["lineExpand"]
        assert "image" not in expand
        assert expand["expandedCartItems"][0]["price"]["adjustment"]["fixedPricePerUnit"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b'{"cart": null}',
        b'{"cart": {"lines": "nope"}, "presentmentCurrencyRate": "1.0"}',
        b'{"presentmentCurrencyRate": "-1", "cart": {"lines": []}}',
        b"\xff\xfe\x00",
    ],
)
def test_raw_garbage_on_stdin_answers_no_operations(wasm: Path, raw: bytes) -> None:
    import tempfile

    import wasmtime

    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, str(wasm))
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    with tempfile.TemporaryDirectory() as folder:
        stdin, stdout = Path(folder, "in"), Path(folder, "out")
        stdin.write_bytes(raw)
        wasi = wasmtime.WasiConfig()
        wasi.stdin_file, wasi.stdout_file = str(stdin), str(stdout)
        store.set_wasi(wasi)
        linker.instantiate(store, module).exports(store)[runner.EXPORT](store)
        assert json.loads(stdout.read_bytes()) == {"operations": []}


def test_a_bad_rate_means_no_operations(wasm: Path) -> None:
    for rate in ("", "abc", "-0.9", "1e2", "0.9.1"):
        assert run([designed()], rate=rate) == {"operations": []}


def test_big_carts_stay_inside_shopifys_instruction_limit(wasm: Path) -> None:
    # Fuel is Wasmtime's instruction count (bulk memory copies charged per byte), what Shopify
    # limits: 11M for a cart of up to 200 lines. Over it the run fails and, the cart transform
    # being created with blockOnFailure false, the cart goes on at base prices.
    personalised = [designed(line, design=str(line)) for line in range(1, 101)]
    plain_lines = [plain(line) for line in range(1, 201)]

    run_personalised = execute(shopify_input(personalised, CONFIG, "0.9"))
    run_plain = execute(shopify_input(plain_lines, CONFIG, "0.9"))

    assert len(run_personalised.output["operations"]) == 100
    assert run_personalised.fuel < runner.INSTRUCTION_LIMIT
    assert run_plain.output == {"operations": []}
    assert run_plain.fuel < runner.INSTRUCTION_LIMIT / 3


# ------------------------------------------------------------------ properties (hypothesis)

FIXTURE_REUSED = HealthCheck.function_scoped_fixture  # `wasm` is session-scoped: nothing to reset
_DECIMALS = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False)
_AMOUNTS = st.decimals(min_value=0, max_value=999999, places=3, allow_nan=False)
_RATES = st.decimals(min_value=Decimal("0.0001"), max_value=500, places=6, allow_nan=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(unit_price=_DECIMALS, amount=_AMOUNTS, rate=_RATES)
def test_the_price_is_pythons_exact_decimal_rounded_half_up(
    wasm: Path, unit_price: Decimal, amount: Decimal, rate: Decimal
) -> None:
    line = designed(unit_price=format(unit_price, "f"), amount=format(amount, "f"))
    output = run([line], rate=format(rate, "f"))

    expected = (unit_price + amount * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    item = output["operations"][0]["lineExpand"]["expandedCartItems"][0]
    assert item["price"]["adjustment"]["fixedPricePerUnit"]["amount"] == format(expected, "f")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)
_PATHS = ["cart", "lines", 0, "cost", "amountPerQuantity", "amount"]


@settings(max_examples=80, deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(depth=st.integers(0, len(_PATHS) - 1), junk=_JSON)
def test_any_value_anywhere_in_the_input_never_traps(wasm: Path, depth: int, junk: Any) -> None:
    document = shopify_input([designed(), plain(2)], CONFIG, "0.9")
    node: Any = document
    for step in _PATHS[:depth]:
        node = node[step]
    if isinstance(node, dict):
        node[str(_PATHS[depth])] = junk
    elif isinstance(node, list):
        node[0] = junk

    output = execute(document).output  # raises FunctionFailed on a trap or non-JSON

    output_type = runner.function_schema().get_type("CartTransformRunResult")
    assert coerce_input_value(output, output_type) is not Undefined
