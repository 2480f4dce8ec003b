"""What the fuzz tests send: a world of signed-in callers, and JSON built around valid examples.

Each public JSON route is described once by a ``Target``: how to authenticate (bearer session
token, storefront key, app-proxy signature, webhook signature over the fuzzed body), a valid
example body and path values. Hypothesis then sends the example with its fields replaced, dropped
or retyped, arbitrary JSON, hostile path values (ids past 2**31, NUL bytes, text) and hostile
query strings. The only property checked: no answer is a 500.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from flask.testing import FlaskClient
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.fulfilment import proofs
from app.models import (
    DesignStatus,
    HeadlessKey,
    HeadlessOrigin,
    Personalization,
    Platform,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofStatus,
    Shop,
)
from app.sync.order_edits import link_token as order_edit_token
from app.sync.recovery import link_token
from tests.conftest import SHOPIFY_API_SECRET
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.support.fake_stripe import signature as stripe_signature
from tests.support.fake_woocommerce import wc_signature
from tests.support.shopify import session_token

SHOPIFY_DOMAIN = "fuzz-store.myshopify.com"
WOO_ORIGIN = "https://fuzz-woo.shop.test"
WOO_KEY = "lpk_" + "f" * 32
HEADLESS_ORIGIN = "https://fuzz-headless.shop.test"
HEADLESS_KEY = "lhk_" + "h" * 32
WOO_WEBHOOK_PATH = "whp_" + "f" * 24
WOO_WEBHOOK_SECRET = "wc-secret-" + "f" * 16
STRIPE_WEBHOOK_SECRET = "whsec_fuzz_" + "f" * 16
DB_INT_MAX = 2**31 - 1


@dataclass
class World:
    """Rows the fuzzed requests may name: a Shopify shop and a WooCommerce store of their own."""

    shop: Shop
    woo: Shop
    product_id: int
    product_external: str
    template_id: int
    design_public_id: str
    woo_product_external: str
    woo_template_id: int
    woo_design_public_id: str
    recovery_token: str = ""  # the link to add the missing design of an order line of ``shop``
    proof_token: str = ""  # the link to a proof (sent) of a ready job of ``shop``
    order_edit_token: str = ""  # the link to change the ordered design of a line of ``shop``

    def proxy_query(self, extra: Mapping[str, str] | None = None) -> str:
        """The query Shopify's app proxy forwards, signed as shopify.dev documents it."""
        params = {
            **(extra or {}),
            "shop": self.shop.domain,
            "logged_in_customer_id": "",
            "path_prefix": "/apps/luneo",
            "timestamp": str(int(time.time())),
        }
        message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
        digest = hmac.new(SHOPIFY_API_SECRET.encode(), message.encode(), hashlib.sha256)
        return urlencode({**params, "signature": digest.hexdigest()})


def build_world(session: Session, secret_key: str = "") -> World:
    """The rows; with ``secret_key``, also an order line waiting for its design and its link."""
    shop = make_shop(session, domain=SHOPIFY_DOMAIN, currency="EUR")
    product = make_product(session, shop, external_id="gid://shopify/Product/4242")
    template = make_template(session, product, fonts=["Inter"], colors=["#000000"])
    design = make_design(session, template)
    order = make_order(session, shop, email="fuzz@example.com")
    order.items[0].product_id = product.id
    order.items[0].personalization = Personalization.MISSING
    ordered = make_design(session, template, status=DesignStatus.ORDERED)
    produced = make_order(session, shop, ordered, email="fuzz@example.com")
    produced.items[0].product_id = product.id
    produced.items[0].personalization = Personalization.DESIGNED
    session.flush()
    session.add(
        ProductionJob(
            shop_id=shop.id,
            order_item_id=produced.items[0].id,
            design_id=ordered.id,
            status=ProductionStatus.READY,
        )
    )
    woo = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="fuzz-woo.shop.test",
        storefront_key=WOO_KEY,
        webhook_secret=WOO_WEBHOOK_SECRET,
        installed_at=datetime.now(UTC),
        extra={"store_url": WOO_ORIGIN, "webhook_path": WOO_WEBHOOK_PATH},
    )
    woo_product = make_product(session, woo, external_id="77")
    woo_template = make_template(session, woo_product, fonts=["Inter"], colors=["#000000"])
    woo_design = make_design(session, woo_template)
    headless = HeadlessKey(shop_id=shop.id, key=HEADLESS_KEY)
    headless.origins.append(HeadlessOrigin(origin=HEADLESS_ORIGIN))
    session.add(headless)
    session.commit()
    recovery = link_token(secret_key, order.items[0]) if secret_key else ""
    proofed = make_order(session, shop, design, email="fuzz@example.com")
    job = ProductionJob(
        shop_id=shop.id,
        order_item_id=proofed.items[0].id,
        design_id=design.id,
        status=ProductionStatus.READY,
    )
    session.add(job)
    session.flush()
    proof = Proof(shop_id=shop.id, production_job_id=job.id, status=ProofStatus.SENT, round=1)
    proof.sent_at, proof.deadline_at = datetime.now(UTC), datetime.now(UTC) + timedelta(days=2)
    session.add(proof)
    session.commit()
    proof_link = proofs.link_token(secret_key, proof) if secret_key else ""
    edit = order_edit_token(secret_key, produced.items[0]) if secret_key else ""
    return World(
        shop,
        woo,
        product.id,
        "4242",
        template.id,
        design.public_id,
        "77",
        woo_template.id,
        woo_design.public_id,
        recovery,
        proof_link,
        edit,
    )


# ------------------------------------------------------------------------------ strategies
def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=12),
        st.sampled_from(["", "abc", "-1", "1e9", "2147483648", "d_x", "a\x00b", "9" * 5000]),
    )


INTS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**64),
    st.sampled_from([0, -1, DB_INT_MAX, DB_INT_MAX + 1, 2**40, 2**63, 10**30]),
)
SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), INTS, st.floats(allow_nan=False, allow_infinity=False), _text()
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
PATH_VALUES = st.one_of(
    st.integers(min_value=0, max_value=2**70).map(str),
    st.sampled_from(["abc", "-1", "%00", "a%00b", "d_%00", "1.5", "x" * 300]),
)


def deep(depth: int) -> bytes:
    """``[[[…]]]`` nested ``depth`` times: past Python's recursion limit when parsed naively."""
    return b"[" * depth + b"]" * depth


_DROP = object()
Path = tuple[str | int, ...]


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every place inside a JSON value: each key of each object, each item of each list."""
    found: list[Path] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replaced(example: Any, changes: list[tuple[Path, Any]]) -> Any:
    value = json.loads(json.dumps(example))  # a deep copy of plain JSON
    for path, new in changes:
        parent = value
        for step in path[:-1]:
            if not isinstance(parent, dict | list):
                break
            try:
                parent = parent[step]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                break
        else:
            last = path[-1]
            if isinstance(parent, dict) and isinstance(last, str):
                if new is _DROP:
                    parent.pop(last, None)
                else:
                    parent[last] = new
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                if new is _DROP:
                    del parent[last]
                else:
                    parent[last] = new
    return value


def around(example: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """The valid example as is, with one or two places in it (at any depth) replaced by any JSON
    value or dropped, or any JSON at all: most requests get past the first checks."""
    if not example:
        return JSON_VALUES
    places = _paths(dict(example))
    change = st.tuples(st.sampled_from(places), st.one_of(JSON_VALUES, st.just(_DROP)))
    mutated = st.lists(change, min_size=1, max_size=2).map(lambda c: _replaced(example, c))
    return st.one_of(st.just(dict(example)), mutated, mutated, mutated, JSON_VALUES)


def bodies(example: Mapping[str, Any]) -> st.SearchStrategy[bytes]:
    """Request bodies: mutations of the example as JSON, and some that are not JSON at all."""
    encoded = around(example).map(lambda v: json.dumps(v).encode())
    raw = st.sampled_from(
        [b"", b"{", b"null", b'"\\u0000"', b'{"a": "\\u0000"}', b"\xff\xfe", deep(100_000)]
    )
    return st.one_of(encoded, encoded, encoded, encoded, encoded, raw)


# ------------------------------------------------------------------------------- targets
Query = dict[str, str]
# (world, body, fuzzed query) -> (headers, the query string to send)
Auth = Callable[[World, bytes, Query], tuple[dict[str, str], str]]


def admin_bearer(world: World, _body: bytes, query: Query) -> tuple[dict[str, str], str]:
    return {"Authorization": f"Bearer {session_token(world.shop.domain)}"}, urlencode(query)


def storefront_key(world: World, _body: bytes, query: Query) -> tuple[dict[str, str], str]:
    return {"X-Luneo-Key": WOO_KEY, "Origin": WOO_ORIGIN}, urlencode(query)


def headless_key(world: World, _body: bytes, query: Query) -> tuple[dict[str, str], str]:
    """A custom storefront's call: the Shopify shop's headless key from its allowed origin."""
    return {"X-Luneo-Key": HEADLESS_KEY, "Origin": HEADLESS_ORIGIN}, urlencode(query)


def app_proxy(world: World, _body: bytes, query: Query) -> tuple[dict[str, str], str]:
    """Shopify signs the whole query it forwards, the shopper's parameters included."""
    return {}, world.proxy_query(query)


def anonymous(world: World, _body: bytes, query: Query) -> tuple[dict[str, str], str]:
    return {}, urlencode(query)


def shopify_webhook(topic: str) -> Auth:
    def sign(world: World, body: bytes, query: Query) -> tuple[dict[str, str], str]:
        digest = hmac.new(SHOPIFY_API_SECRET.encode(), body, hashlib.sha256).digest()
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": world.shop.domain,
            "X-Shopify-API-Version": "2026-07",
            "X-Shopify-Webhook-Id": secrets.token_hex(8),
            "X-Shopify-Event-Id": secrets.token_hex(8),
        }, urlencode(query)

    return sign


def woo_webhook(topic: str) -> Auth:
    def sign(world: World, body: bytes, query: Query) -> tuple[dict[str, str], str]:
        resource, event = topic.split(".")
        return {
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": WOO_ORIGIN + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": wc_signature(body, WOO_WEBHOOK_SECRET),
            "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Delivery-ID": secrets.token_hex(16),
        }, urlencode(query)

    return sign


def stripe_webhook(world: World, body: bytes, query: Query) -> tuple[dict[str, str], str]:
    header = stripe_signature(body, STRIPE_WEBHOOK_SECRET, int(time.time()))
    return {"Content-Type": "application/json", "Stripe-Signature": header}, urlencode(query)


@dataclass(frozen=True)
class Target:
    """One public JSON route, how its callers sign in, and a valid example of what they send."""

    method: str
    rule: str
    auth: Auth
    example: Mapping[str, Any] | Callable[[World], Mapping[str, Any]] = field(default_factory=dict)
    paths: Mapping[str, Callable[[World], Any]] = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}" + (f" [{self.label}]" if self.label else "")

    def has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class Call:
    """One drawn request."""

    path: dict[str, str]
    body: bytes
    query: dict[str, str]


def calls(target: Target, world: World) -> st.SearchStrategy[Call]:
    names = _path_names(target.rule)
    valid = {name: str(target.paths[name](world)) for name in names if name in target.paths}
    path = st.fixed_dictionaries({name: _path_value(valid.get(name)) for name in names})
    example = target.example(world) if callable(target.example) else target.example
    body = bodies(example) if target.has_body() else st.just(b"")
    query = st.one_of(
        st.just({}),
        st.just({}),
        st.just({}),
        st.dictionaries(
            st.sampled_from(["q", "page", "id", "filename", "expires"]), _text(), max_size=2
        ),
    )
    return st.builds(Call, path, body, query)


def _path_value(valid: str | None) -> st.SearchStrategy[str]:
    """Mostly the row the world has (so the request reaches the view), else a hostile value."""
    if valid is None:
        return PATH_VALUES
    return st.one_of(st.just(valid), st.just(valid), PATH_VALUES)


def _path_names(rule: str) -> list[str]:
    names = []
    for part in rule.split("<")[1:]:
        names.append(part.split(">")[0].split(":")[-1])
    return names


def send(client: FlaskClient, target: Target, world: World, call: Call) -> TestResponse:
    url = target.rule
    for name, value in call.path.items():
        url = _replace(url, name, value)
    headers, query = target.auth(world, call.body, call.query)
    headers.setdefault("Content-Type", "application/json")
    return client.open(
        url + (f"?{query}" if query else ""), method=target.method, data=call.body, headers=headers
    )


def _replace(rule: str, name: str, value: str) -> str:
    start = rule.index("<")
    while not rule[start:].split(">")[0].endswith(name):
        start = rule.index("<", start + 1)
    end = rule.index(">", start)
    keep = "%" if "%" in value else ""
    return rule[:start] + quote(value, safe=keep) + rule[end + 1 :]
