"""The JavaScript SDK (``sdk/js``): its types are generated from the storefront API's OpenAPI
document and current, it type-checks, the committed ``dist/`` is the build of its sources, and
its cart line helpers give what the theme block and the WordPress plugin put on a line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.integration.widget.conftest import node_env, run_node_tool

SDK = Path(__file__).resolve().parents[3] / "sdk" / "js"
DIST = SDK / "dist"
BUILT = (
    "luneo-sdk.js",
    "luneo-sdk.iife.js",
    "index.d.ts",
    "client.d.ts",
    "cart.d.ts",
    "editor.d.ts",
    "generated/openapi.d.ts",
)


@pytest.fixture(scope="module")
def sdk_tools() -> Path:
    bin_dir = SDK / "node_modules" / ".bin"
    if not (bin_dir / "tsc").exists():
        pytest.fail("the SDK's tools are missing: run `make widget` (scripts/install-widget-tools)")
    return bin_dir


def test_the_types_are_generated_from_the_openapi_document(sdk_tools: Path) -> None:
    done = run_node_tool("node", "scripts/openapi-types.mjs", "--check", cwd=SDK)
    assert done.returncode == 0, done.stderr
    generated = (SDK / "src" / "generated" / "openapi.ts").read_text()
    spec = json.loads((SDK.parents[1] / "app" / "storefront" / "openapi.json").read_text())
    for ops in spec["paths"].values():
        for op in ops.values():
            assert f"  {op['operationId']}: {{" in generated


def test_the_sources_type_check_against_the_generated_types(sdk_tools: Path) -> None:
    done = run_node_tool(sdk_tools / "tsc", "--noEmit", "-p", ".", cwd=SDK)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_committed_dist_is_the_build_of_the_sources(sdk_tools: Path, tmp_path: Path) -> None:
    done = run_node_tool("node", "scripts/build.mjs", tmp_path, cwd=SDK)
    assert done.returncode == 0, done.stderr
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (DIST / name).read_bytes(), (
            f"sdk/js/dist/{name} is stale: run `npm run build` in sdk/js and commit"
        )


CHECK = """
import * as sdk from "./dist/luneo-sdk.js";
const saved = {
  design_id: "d_abc", summary: "Text: Hi", properties: {Name: "Ada"},
  cart_attributes: {_luneo_design: "d_abc", _luneo_price: "v1.sig", _luneo_preview: "https://l/p"},
};
const calls = [];
const client = sdk.createClient({
  luneoUrl: "https://luneo.test/", key: "lhk_k",
  fetch: async (url, init) => {
    calls.push({url, method: init.method, headers: init.headers, body: init.body ?? null});
    return new Response(JSON.stringify({error: {code: "invalid_key", message: "No."}}),
      {status: 401, headers: {"Content-Type": "application/json"}});
  },
});
let refused = null;
try { await client.template("gid://shopify/Product/7"); }
catch (e) { refused = [e.name, e.status, e.code, e.message]; }
let unsigned = null;
try { sdk.shopifyCartLine({...saved, cart_attributes: undefined}, 1); }
catch (e) { unsigned = e.message; }
process.stdout.write(JSON.stringify({
  shopify: sdk.shopifyCartLine(saved, 4711, 2),
  woo: sdk.wooAddItemBody(saved, "15", 1, [{attribute: "Size", value: "M"}]),
  summaryOnly: sdk.lineProperties({design_id: "d_x", summary: "Hi", properties: {}}),
  calls, refused, unsigned, apiBase: client.apiBase,
}));
"""


def test_cart_line_data_and_the_client_calls() -> None:
    done = subprocess.run(
        ["node", "--input-type=module", "-e", CHECK],
        cwd=SDK,
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)

    assert out["shopify"] == {
        "merchandiseId": "gid://shopify/ProductVariant/4711",
        "quantity": 2,
        "attributes": [
            {"key": "Name", "value": "Ada"},
            {"key": "_luneo_design", "value": "d_abc"},
            {"key": "_luneo_price", "value": "v1.sig"},
            {"key": "_luneo_preview", "value": "https://l/p"},
        ],
    }
    assert out["woo"] == {
        "id": 15,
        "quantity": 1,
        "luneo_design": "d_abc",
        "variation": [{"attribute": "Size", "value": "M"}],
    }
    assert out["summaryOnly"] == {"Personalization": "Hi", "_luneo_design": "d_x"}
    assert "signed price" in out["unsigned"]
    assert out["apiBase"] == "https://luneo.test/storefront/headless/v1"
    assert out["calls"] == [
        {
            "url": "https://luneo.test/storefront/headless/v1/products/"
            "gid%3A%2F%2Fshopify%2FProduct%2F7/template",
            "method": "GET",
            "headers": {"X-Luneo-Key": "lhk_k", "Accept": "application/json"},
            "body": None,
        }
    ]
    assert out["refused"] == ["LuneoApiError", 401, "invalid_key", "No."]
