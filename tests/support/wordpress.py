"""The Luneo WordPress plugin's real PHP, run by php-cli in ``tests/php/harness.php``.

``WordPress`` is one store: its options, products, transients and the cart session WooCommerce
keeps on the server between requests. Each ``request`` is a new php process (a new WordPress
request: fresh statics, fresh product objects, the cart restored from the session) running the
given steps.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "storefront_widget" / "woocommerce" / "luneo-personalizer"
HARNESS = ROOT / "tests" / "php" / "harness.php"


def php_or_skip() -> str:
    """The PHP command line, installed by scripts/ensure-php when missing (as root)."""
    found = shutil.which("php")
    if found is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-php")], check=False, capture_output=True)
        found = shutil.which("php")
    if found is None:
        pytest.skip("php is not installed and could not be (not root): see scripts/ensure-php")
    return found


def add_to_cart(post: dict[str, Any]) -> dict[str, Any]:
    """The product form's POST, as WC_Form_Handler handles it (validation, then the cart)."""
    return {"do": "add_to_cart", "post": post}


def store_api_add_item(body: dict[str, Any]) -> dict[str, Any]:
    """WooCommerce's Store API ``POST /wc/store/v1/cart/add-item`` with this JSON body (a
    headless storefront's cart, the SDK's ``wooAddItemBody``)."""
    return {"do": "store_api_add_item", "body": body}


TOTALS: dict[str, Any] = {"do": "totals"}
CART: dict[str, Any] = {"do": "cart"}  # the lines as shown before any totals in the request
ITEM_DATA: dict[str, Any] = {"do": "item_data"}
CHECKOUT: dict[str, Any] = {"do": "checkout"}


def product_page(product_id: str) -> dict[str, Any]:
    """The product page asks whether the product is customizable (``Luneo_Api``)."""
    return {"do": "product_page", "id": product_id}


def recovery_page(query: dict[str, str]) -> dict[str, Any]:
    """A request to the store's home with this query (``?luneo_recover=<token>``): what
    ``Luneo_Recovery`` answers ({status, nocache, html, hooked}), None when not its page."""
    return {"do": "recovery_page", "get": query}


def product_price(product_id: str, price: str) -> dict[str, Any]:
    """The merchant changes the product's price (or puts it on sale) in the store."""
    return {"do": "product", "id": product_id, "price": price}


@dataclass
class Answer:
    steps: list[Any]
    notices: list[dict[str, str]]
    http: list[dict[str, Any]]

    def errors(self) -> list[str]:
        return [n["message"] for n in self.notices if n["type"] == "error"]


@dataclass
class WordPress:
    php: str
    luneo_url: str
    key: str
    home: str
    currency: str = "EUR"
    products: dict[str, dict[str, str]] = field(default_factory=dict)
    session: Any = None
    transients: dict[str, Any] = field(default_factory=dict)

    def request(self, *steps: dict[str, Any]) -> Answer:
        scenario = {
            "options": {
                "home": self.home,
                "luneo_url": self.luneo_url,
                "luneo_key": self.key,
                "woocommerce_currency": self.currency,
                "site_icon_url": "data:,",
            },
            "products": self.products,
            "session": self.session,
            "transients": self.transients,
            "steps": list(steps),
        }
        done = subprocess.run(
            [self.php, str(HARNESS), str(PLUGIN)],
            input=json.dumps(scenario),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stderr == "", done.stderr
        answer = json.loads(done.stdout)
        self.session = answer["session"] or None
        self.transients = answer["transients"]
        for step in steps:  # the merchant's changes stay in the store for later requests
            if step["do"] == "product":
                self.products[step["id"]]["price"] = step["price"]
        return Answer(answer["steps"], answer["notices"], answer["http"])
