"""The committed assets are the build of src/, within the performance budget, self-contained."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.integration.widget.conftest import WIDGET, run_node_tool

ASSETS = WIDGET / "assets"
BUILT = (
    "luneo-loader.js",
    "luneo-editor.js",
    "luneo-editor.css",
    "luneo-viewer.js",
    "luneo-tryon.js",
)
# Issue #6's budget (gzipped): the product-page loader and the editor without the 3D viewer.
LOADER_BUDGET = 10 * 1024
EDITOR_BUDGET = 150 * 1024
CDNS = ("unpkg.com", "cdn.jsdelivr.net", "www.gstatic.com", "esm.sh", "cdnjs.cloudflare.com")
THIRD_PARTY_CDN = re.compile("https://(?:" + "|".join(map(re.escape, CDNS)) + ")[^\"' ]*")


def gzipped(name: str) -> int:
    return len(gzip.compress((ASSETS / name).read_bytes(), compresslevel=9, mtime=0))


@pytest.fixture(scope="module")
def fresh_build(widget_tools: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("widget-build")
    result = run_node_tool("node", "src/build.mjs", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("name", BUILT)
def test_committed_asset_is_the_build_of_the_sources(fresh_build: Path, name: str) -> None:
    assert (fresh_build / name).read_bytes() == (ASSETS / name).read_bytes(), (
        f"assets/{name} is stale: run `npm run build` in storefront_widget and commit"
    )


def test_loader_and_editor_are_within_budget() -> None:
    assert gzipped("luneo-loader.js") <= LOADER_BUDGET
    assert gzipped("luneo-editor.js") + gzipped("luneo-editor.css") <= EDITOR_BUDGET


def test_assets_load_nothing_from_a_third_party_cdn() -> None:
    # The 3D viewer is vendored from npm: no runtime import of three/model-viewer from a CDN.
    for name in BUILT:
        text = (ASSETS / name).read_text()
        remote = THIRD_PARTY_CDN.findall(text)
        assert remote == [], (name, remote)


def test_the_try_on_trackers_are_copied_and_fetch_nothing_from_a_cdn(fresh_build: Path) -> None:
    """The build copies MediaPipe's files (npm) to tryon/, which Luneo serves: every file a
    tracker's script names is there, and none of their scripts names a CDN."""
    folder = WIDGET / "tryon"
    scripts = {"face_mesh.js", "hands.js"}
    for name in scripts:
        named = set(
            re.findall(
                r'"([a-z_]+\.(?:js|wasm|data|binarypb|tflite))"', (folder / name).read_text()
            )
        )
        assert named, name
        assert all((folder / n).is_file() for n in named), sorted(named)
    for path in folder.glob("*.js"):
        assert THIRD_PARTY_CDN.findall(path.read_text()) == [], path.name
    assert (folder / "face_mesh_solution_simd_wasm_bin.wasm").stat().st_size > 1_000_000


def test_the_block_passes_the_config_keys_the_loader_reads() -> None:
    liquid = (WIDGET / "blocks" / "customizer.liquid").read_text()
    config = liquid.split("data-luneo-config>", 1)[1].split("</script>", 1)[0]
    keys = set(re.findall(r'^ {8}"(\w+)":', config, re.MULTILINE))  # the top level only
    readme = (WIDGET / "README.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", readme, re.MULTILINE))
    assert {"platform", "apiBase", "productId", "variantId", "editorUrl", "cart"} <= keys
    assert keys <= documented
    sources = [WIDGET / "src" / "loader.js", WIDGET / "src" / "editor" / "index.js"]
    loader = "".join(path.read_text() for path in sources)
    for key in ("apiBase", "editorUrl", "editorCssUrl", "productId", "variantId", "viewerUrl"):
        assert f"config.{key}" in loader
