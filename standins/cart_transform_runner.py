"""Runs Luneo's built Cart Transform function (``extensions/surcharge``) the way Shopify does.

The function is a WASI command: input JSON on stdin, ``CartTransformRunResult`` JSON on stdout,
entry exported as ``cart_transform_run``. Here it runs in Wasmtime with Shopify's instruction
budget as fuel, so the tests and the stand-in store's cart (``luneo dev``, the browser tests)
price a line exactly as the deployed function would. ``wasmtime`` (a dev dependency) is imported
only when a function runs.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

Json = dict[str, Any]

REPO = Path(__file__).resolve().parents[1]
EXTENSION = REPO / "extensions" / "surcharge"
WASM = EXTENSION / "dist" / "function.wasm"
EXPORT = "cart_transform_run"  # shopify.extension.toml [[extensions.targeting]] export
# Shopify's limit for a function run, in Wasm instructions (fuel counts about one each).
INSTRUCTION_LIMIT = 11_000_000


class FunctionFailed(Exception):
    """The function trapped, ran out of fuel, or wrote something that is not JSON."""


def build(extension: Path = EXTENSION) -> Path:
    """``npm ci && npm run build`` in the extension with the project's Node (``.venv/bin``)."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
        subprocess.run(command, cwd=extension, env=env, check=True, capture_output=True)  # noqa: S603
    return extension / "dist" / "function.wasm"


@functools.lru_cache(maxsize=4)
def _compiled(path: str, mtime: float) -> tuple[Any, Any]:
    """The engine and compiled module for a Wasm file (recompiled when the file changes)."""
    import wasmtime

    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    return engine, wasmtime.Module.from_file(engine, path)


# Drop them before the interpreter tears wasmtime's bindings down (else __del__ complains).
atexit.register(_compiled.cache_clear)


@dataclass(frozen=True)
class Run:
    output: Json
    fuel: int  # instructions the run used (Shopify's limit: INSTRUCTION_LIMIT)


def execute(function_input: Mapping[str, Any], wasm: Path = WASM) -> Run:
    """Run the function on ``function_input`` (the shape ``src/run.graphql`` asks for)."""
    import wasmtime

    engine, module = _compiled(str(wasm), wasm.stat().st_mtime)
    store = wasmtime.Store(engine)
    store.set_fuel(INSTRUCTION_LIMIT)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    with tempfile.TemporaryDirectory(prefix="luneo-function-") as folder:
        stdin, stdout = Path(folder, "input.json"), Path(folder, "output.json")
        stdin.write_bytes(json.dumps(function_input).encode())
        wasi = wasmtime.WasiConfig()
        wasi.stdin_file = str(stdin)
        wasi.stdout_file = str(stdout)
        store.set_wasi(wasi)
        try:
            entry = linker.instantiate(store, module).exports(store)[EXPORT]
            if not isinstance(entry, wasmtime.Func):
                raise FunctionFailed(f"{EXPORT} is not a function")
            entry(store)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            raise FunctionFailed(str(exc)) from None
        written = stdout.read_bytes()
    try:
        output = json.loads(written)
    except ValueError:
        raise FunctionFailed(f"not JSON on stdout: {written[:200]!r}") from None
    return Run(output, INSTRUCTION_LIMIT - store.get_fuel())


@dataclass(frozen=True)
class CartLine:
    """A cart line as the shopper's cart holds it (the function sees it through run.graphql)."""

    id: str
    variant_id: str
    unit_price: Decimal | str
    currency: str = "EUR"
    attributes: Mapping[str, str] = field(default_factory=dict)
    quantity: int = 1
    merchandise: str = "ProductVariant"  # or "CustomProduct": a line without a variant


@functools.lru_cache(maxsize=2)
def function_schema(extension: Path = EXTENSION) -> Any:
    """The Cart Transform function API schema the extension is pinned to (schema.graphql)."""
    from graphql import build_schema

    return build_schema((extension / "schema.graphql").read_text())


def _line_source(line: CartLine) -> Json:
    money = {"amount": str(line.unit_price), "currencyCode": line.currency}
    merchandise: Json = {"__typename": line.merchandise}
    if line.merchandise == "ProductVariant":
        merchandise["id"] = line.variant_id
    else:
        merchandise["title"] = "Custom item"
    attributes = dict(line.attributes)

    def attribute(_info: Any, key: str | None = None) -> Json | None:
        return {"key": key, "value": attributes[key]} if key in attributes else None

    return {
        "id": line.id,
        "quantity": line.quantity,
        "cost": {"amountPerQuantity": money, "subtotalAmount": money, "totalAmount": money},
        "merchandise": merchandise,
        "attribute": attribute,
    }


def shopify_input(lines: list[CartLine], config: str | None, rate: Decimal | str = "1.0") -> Json:
    """The input Shopify gives the function: ``src/run.graphql`` resolved on this cart.

    Executed with graphql-core over ``schema.graphql``, so the input is valid for the query and
    the pinned API by construction. ``config`` is the cart transform's metafield value.
    """
    from graphql import execute_sync, parse

    def metafield(_info: Any, key: str, namespace: str | None = None) -> Json | None:
        wanted = namespace == "$app:luneo" and key == "config" and config is not None
        return {"value": config, "type": "json"} if wanted else None

    root = {
        "presentmentCurrencyRate": str(rate),
        "cartTransform": {"metafield": metafield},
        "cart": {"lines": [_line_source(line) for line in lines]},
    }
    query = parse((EXTENSION / "src" / "run.graphql").read_text())
    result = execute_sync(function_schema(), query, root_value=root)
    if result.errors:
        raise ValueError(f"the cart does not fit run.graphql: {result.errors}")
    assert result.data is not None
    return result.data


def run_cart_transform(
    cart_lines: list[CartLine], metafield_config: str | None, rate: Decimal | str = "1.0"
) -> Json:
    """The function's output for this cart, config metafield and presentment rate."""
    return execute(shopify_input(cart_lines, metafield_config, rate)).output


def unit_prices(cart_lines: list[CartLine], output: Json) -> dict[str, Decimal]:
    """Each line's unit price once Shopify applies ``output`` (lineExpand's fixed prices)."""
    prices = {line.id: Decimal(str(line.unit_price)) for line in cart_lines}
    for operation in output.get("operations") or []:
        expand = operation.get("lineExpand")
        if not expand or expand["cartLineId"] not in prices:
            continue
        total = Decimal(0)
        for item in expand["expandedCartItems"]:
            fixed = item["price"]["adjustment"]["fixedPricePerUnit"]["amount"]
            total += Decimal(fixed) * item["quantity"]
        prices[expand["cartLineId"]] = total.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return prices
