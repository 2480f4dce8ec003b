"""The WordPress plugin: every PHP file passes ``php -l``, and it speaks Luneo's names."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.storefront.woo_surface import KEY_HEADER
from app.woocommerce.plugin import HOSTS_RECOVERY_SINCE, RECOVERY_QUERY, parse_version
from connectors.base import DESIGN_PROPERTY
from tests.e2e.storefront_shim import woo_config

ROOT = Path(__file__).resolve().parents[3]
PLUGIN = ROOT / "storefront_widget" / "woocommerce" / "luneo-personalizer"
PHP_FILES = sorted(PLUGIN.rglob("*.php"))


@pytest.fixture(scope="module")
def php() -> str:
    """The PHP command line, installed by scripts/ensure-php when missing (as root)."""
    found = shutil.which("php")
    if found is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-php")], check=False, capture_output=True)  # noqa: S603 - our own script
        found = shutil.which("php")
    if found is None:
        pytest.skip("php is not installed and could not be (not root): see scripts/ensure-php")
    return found


def test_the_plugin_has_its_files() -> None:
    names = {p.relative_to(PLUGIN).as_posix() for p in PHP_FILES}

    assert {
        "luneo-personalizer.php",
        "uninstall.php",
        "includes/class-luneo-api.php",
        "includes/class-luneo-cart.php",
        "includes/class-luneo-product.php",
        "includes/class-luneo-recovery.php",
        "includes/class-luneo-settings.php",
    } <= names


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: p.relative_to(PLUGIN).as_posix())
def test_php_lint_is_clean(php: str, path: Path) -> None:
    result = subprocess.run([php, "-l", str(path)], capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax errors detected" in result.stdout


def test_the_order_meta_key_is_the_one_the_order_sync_reads() -> None:
    main = (PLUGIN / "luneo-personalizer.php").read_text()

    assert f"define( 'LUNEO_DESIGN_META', '{DESIGN_PROPERTY}' );" in main


def test_the_plugin_calls_the_woocommerce_surface_as_it_expects() -> None:
    api = (PLUGIN / "includes" / "class-luneo-api.php").read_text()

    assert "'/storefront/v1'" in api
    assert f"'{KEY_HEADER}'" in api
    assert "'Origin'" in api


def test_the_browser_tests_store_renders_the_config_the_plugin_renders() -> None:
    """tests/e2e's WooCommerce store stands in for the plugin: same keys, same cart fields."""
    source = (PLUGIN / "includes" / "class-luneo-product.php").read_text()

    def keys_of(function: str, depth: int) -> set[str]:
        body = source.split(f"public static function {function}(", 1)[1]
        body = body.split("\n\t}\n", 1)[0]
        return set(re.findall(rf"^\t{{{depth}}}'(\w+)'\s*=>", body, re.MULTILINE))

    config = source.split("public static function config(", 1)[1].split("\n\t}\n", 1)[0]
    cart_array = config.split("'cart'", 1)[1].split("\n\t\t\t\t),", 1)[0]
    cart = set(re.findall(r"^\t{5}'(\w+)'\s*=>", cart_array, re.MULTILINE))
    shim = woo_config("https://store.test", "https://luneo.test", "lpk_x", "1")

    assert keys_of("editor_config", 3) | keys_of("config", 4) == set(shim)
    assert cart == set(shim["cart"])
    assert shim["cart"]["designField"] == "luneo_design"  # Luneo_Cart::DESIGN_FIELD
    assert (
        "const DESIGN_FIELD  = 'luneo_design';"
        in (PLUGIN / "includes" / "class-luneo-cart.php").read_text()
    )


def test_every_php_file_refuses_direct_access() -> None:
    for path in PHP_FILES:
        source = path.read_text()
        assert re.search(r"defined\( '(ABSPATH|WP_UNINSTALL_PLUGIN)' \) \|\| exit;", source), path


def test_luneo_serves_the_editor_files_the_plugin_falls_back_to(client: FlaskClient) -> None:
    loader = client.get("/storefront/widget/luneo-loader.js")
    recovery = client.get("/storefront/widget/luneo-recovery.js")
    traversal = client.get("/storefront/widget/..%2Fpackage.json")

    assert loader.status_code == 200
    assert loader.mimetype == "text/javascript"
    assert loader.headers["Access-Control-Allow-Origin"] == "*"
    assert recovery.status_code == 200
    assert traversal.status_code == 404


def test_the_plugin_names_its_version_as_its_header_says() -> None:
    """Luneo sends recovery links to the store only from the version that hosts the page."""
    main = (PLUGIN / "luneo-personalizer.php").read_text()
    readme = (PLUGIN / "readme.txt").read_text()
    (header,) = re.findall(r"^ \* Version:\s+(\S+)$", main, re.MULTILINE)

    assert f"define( 'LUNEO_PERSONALIZER_VERSION', '{header}' );" in main
    assert f"Stable tag: {header}" in readme
    assert parse_version(header) is not None
    assert parse_version(header) >= HOSTS_RECOVERY_SINCE
    assert (
        "'X-Luneo-Plugin' => LUNEO_PERSONALIZER_VERSION"
        in (PLUGIN / "includes" / "class-luneo-api.php").read_text()
    )
    assert (
        f"const QUERY = '{RECOVERY_QUERY}';"
        in (PLUGIN / "includes" / "class-luneo-recovery.php").read_text()
    )
