"""No public JSON route answers 500, whatever a client sends (hypothesis, fixed seed).

``TARGETS`` describes each route once: how its real callers authenticate and a valid example
body, which hypothesis mutates (see tests/support/fuzz.py). A route added later under a JSON
prefix (``/api/admin/``, ``/storefront/``, ``/proxy/``) is fuzzed automatically with that prefix's
authentication; any other new route must be listed in ``TARGETS`` or ``EXCLUDED`` (with the
reason), or ``test_every_route_is_fuzzed_or_excluded_with_a_reason`` fails and names it.

Runs on SQLite by default; with DATABASE_URL/REDIS_URL on PostgreSQL, where integer ranges and
NUL characters are enforced by the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from redis import Redis
from sqlalchemy.orm import Session

from tests.support import fuzz
from tests.support.fuzz import (
    STRIPE_WEBHOOK_SECRET,
    WOO_WEBHOOK_PATH,
    Auth,
    Call,
    Target,
    World,
    admin_bearer,
    anonymous,
    app_proxy,
    headless_key,
    shopify_webhook,
    storefront_key,
    stripe_webhook,
    woo_webhook,
)

EXAMPLES = 20  # per target: ~45 targets stay within a few seconds each on 2 cores

DOCUMENT = {
    "version": 1,
    "areas": {
        "front": {
            "layers": [
                {"type": "text", "text": "Hi", "font": "Inter", "size_mm": 6, "x_mm": 4, "y_mm": 4}
            ]
        }
    },
}


def _product(world: World) -> int:
    return world.product_id


def _template(world: World) -> int:
    return world.template_id


def _shopify_product(world: World) -> str:
    return world.product_external


def _woo_product(world: World) -> str:
    return world.woo_product_external


def _design(world: World) -> str:
    return world.design_public_id


def _webhook_path(_world: World) -> str:
    return WOO_WEBHOOK_PATH


def _recovery_token(world: World) -> str:
    return world.recovery_token


def _proof_token(world: World) -> str:
    return world.proof_token


def _order_edit_token(world: World) -> str:
    return world.order_edit_token


def _storefront(
    prefix: str,
    auth: Auth,
    product: Callable[[World], str],
    template: Callable[[World], int],
    saved: Callable[[World], str],
    surface: Mapping[str, Callable[[World], Any]] | None = None,
) -> list[Target]:
    """Every storefront view on one surface; ``surface``: the prefix's own path values."""
    at = dict(surface or {})

    def design(world: World) -> dict[str, Any]:
        return {"template_id": template(world), "document": DOCUMENT}

    def generation(world: World) -> dict[str, Any]:
        return {
            "template_id": template(world),
            "area": "front",
            "prompt": "a cat",
            "style": None,
            "variants": 2,
            "fresh": False,
        }

    def cutout(world: World) -> dict[str, Any]:
        return {"src": "shops/1/uploads/2026/01/photo.png"}

    def ai_cutout(world: World) -> dict[str, Any]:
        return {"template_id": template(world), "area": "front", **cutout(world)}

    def events(world: World) -> dict[str, Any]:
        return {
            "events": [
                {"kind": "editor_opened", "template_id": template(world)},
                {"kind": "preflight_fixed", "template_id": template(world), "key": "image_dpi_low"},
            ]
        }

    return [
        Target("GET", f"{prefix}/templates", auth, paths=at),
        Target(
            "GET",
            f"{prefix}/products/<product_id>/template",
            auth,
            paths={**at, "product_id": product},
        ),
        Target("POST", f"{prefix}/designs", auth, design, paths=at),
        Target("POST", f"{prefix}/designs/quote", auth, design, paths=at),
        Target("GET", f"{prefix}/designs/<design_id>", auth, paths={**at, "design_id": saved}),
        Target("POST", f"{prefix}/previews", auth, design, paths=at),
        Target("POST", f"{prefix}/uploads", auth, paths=at),
        Target("POST", f"{prefix}/uploads/background-removal", auth, cutout, paths=at),
        Target("POST", f"{prefix}/ai/background-removals", auth, ai_cutout, paths=at),
        Target("POST", f"{prefix}/ai/generations", auth, generation, paths=at),
        Target("GET", f"{prefix}/ai/generations/<generation_id>", auth, paths=at),
        Target("GET", f"{prefix}/ai/variants/<ids_list>", auth, paths=at),
        Target("POST", f"{prefix}/events", auth, events, paths=at),
    ]


AREA = {
    "key": "front",
    "name": "Front",
    "width_mm": 250.5,
    "height_mm": "300",
    "dpi": 300,
    "bleed_mm": 3,
    "safe_margin_mm": 5.25,
    "mockup_placement": {"x": 100, "y": 120.5, "width": 250.5, "height": 300},
}

TARGETS: list[Target] = [
    # ---- the admin JSON API, with an App Bridge session token
    Target("GET", "/api/admin/shop", admin_bearer),
    Target("GET", "/api/admin/sync", admin_bearer),
    Target(
        "GET",
        "/api/admin/products/<int:product_id>/template",
        admin_bearer,
        paths={"product_id": _product},
    ),
    Target(
        "POST",
        "/api/admin/products/<int:product_id>/template",
        admin_bearer,
        paths={"product_id": _product},
    ),
    Target(
        "PUT",
        "/api/admin/products/<int:product_id>/template",
        admin_bearer,
        {  # as tests/integration/admin/test_template_api.py::payload
            "name": "Mug",
            "is_active": True,
            "fonts": ["Pacifico", "Inter"],
            "colors": ["#1F2937", "#fff"],
            "max_layers": 8,
            "ai_enabled": False,
            "min_image_dpi": 150,
            "price_rules": [
                {"area": "front", "label": "Front print", "amount": "4.5"},
                {"option": "Gift wrap", "amount": 2},
            ],
            "print_areas": [AREA],
        },
        paths={"product_id": _product},
    ),
    Target(
        "POST",
        "/api/admin/products/<int:product_id>/template/preview",
        admin_bearer,
        {  # as tests/integration/admin/test_template_preview.py::editor_values
            "template": {
                "name": "Mug",
                "is_active": True,
                "fonts": ["Inter"],
                "colors": ["#000000"],
                "max_layers": 8,
                "ai_enabled": False,
                "min_image_dpi": 150,
                "price_rules": [],
                "editor_mode": "form",
                "print_areas": [AREA],
                "fields": [
                    {
                        "id": "name",
                        "kind": "text",
                        "area": "front",
                        "label": "Name",
                        "size_mm": 10,
                        "box": {"x_mm": 20, "y_mm": 30, "width_mm": 60, "height_mm": 20},
                    }
                ],
            },
            "values": {"name": "HELLO"},
            "area": "front",
        },
        paths={"product_id": _product},
    ),
    Target(
        "GET",
        "/api/admin/analytics.csv",
        admin_bearer,
        lambda world: {"template": str(world.template_id), "range": "90d", "by": "week"},
    ),
    Target(
        "GET",
        "/api/admin/products/<int:product_id>/template/export",
        admin_bearer,
        paths={"product_id": _product},
    ),
    Target(
        "POST",
        "/api/admin/products/<int:product_id>/template/import",
        admin_bearer,
        {
            "version": 1,
            "name": "Mug",
            "print_areas": [AREA],
            "fields": [
                {
                    "id": "name",
                    "kind": "text",
                    "label": "Name",
                    "area": "front",
                    "box": {"x_mm": 10, "y_mm": 10, "width_mm": 100, "height_mm": 20},
                }
            ],
            "editor_mode": "both",
            "surcharge": "2.00",
        },
        paths={"product_id": _product},
    ),
    Target(
        "POST",
        "/api/admin/products/<int:product_id>/template/copy",
        admin_bearer,
        {"to_product_id": 1, "replace": True},
        paths={"product_id": _product},
    ),
    Target("POST", "/api/admin/mockups", admin_bearer),
    Target("POST", "/api/admin/production-jobs/<int:job_id>/retry", admin_bearer),
    Target("GET", "/api/admin/ai", admin_bearer),
    Target(
        "POST",
        "/api/admin/ai/bulk",
        admin_bearer,
        lambda w: {"template_id": w.template_id, "area": "front", "prompts": ["a"], "style": None},
    ),
    Target("POST", "/api/admin/ai/generations/<generation_id>/block", admin_bearer),
    Target(
        "PUT",
        "/api/admin/ai/settings",
        admin_bearer,
        {"styles": [{"key": "ink", "label": "Ink", "prompt": "ink drawing"}], "deny_terms": ["x"]},
    ),
    Target(
        "PUT",
        "/api/admin/ai/templates/<int:template_id>",
        admin_bearer,
        {"ai_enabled": True},
        paths={"template_id": _template},
    ),
    Target("GET", "/api/admin/billing", admin_bearer),
    Target("POST", "/api/admin/billing/portal", admin_bearer),
    Target(
        "POST",
        "/api/admin/billing/subscribe",
        admin_bearer,
        {"plan": "nonexistent", "interval": "month"},
    ),
    Target(
        "POST",
        "/api/admin/fulfilment/partners",
        admin_bearer,
        {"kind": "in_house", "name": "Print shop", "email": "p@example.com", "partner_id": 1},
    ),
    Target("DELETE", "/api/admin/fulfilment/partners/<int:partner_id>", admin_bearer),
    Target("POST", "/api/admin/fulfilment/pushes/<int:push_id>/retry", admin_bearer),
    Target(
        "POST",
        "/api/admin/fulfilment/jobs/<int:assignment_id>/tracking",
        admin_bearer,
        {"carrier": "UPS", "tracking_number": "1Z", "tracking_url": "https://ups.test/1Z"},
    ),
    Target("POST", "/api/admin/fulfilment/route", admin_bearer),
    Target(
        "POST",
        "/api/admin/fulfilment/rules",
        admin_bearer,
        {"partner_id": 1, "product_id": 1, "country": "FR", "priority": 1},
    ),
    Target("DELETE", "/api/admin/fulfilment/rules/<int:rule_id>", admin_bearer),
    Target("PUT", "/api/admin/settings/order-edits", admin_bearer, {"mode": "hours", "hours": 6}),
    # ---- the storefront: WooCommerce (key + origin) and Shopify's app proxy (signed query)
    *_storefront(
        "/storefront/v1",
        storefront_key,
        _woo_product,
        lambda w: w.woo_template_id,
        lambda w: w.woo_design_public_id,
    ),
    *_storefront("/proxy", app_proxy, _shopify_product, _template, _design),
    # a custom (headless) storefront: the shop's headless key from an origin its owner allowed
    *_storefront("/storefront/headless/v1", headless_key, _shopify_product, _template, _design),
    Target("GET", "/storefront/openapi.json", anonymous),
    # the plugin's question for the buyer's order page (the order's own key proves the buyer)
    Target(
        "POST",
        "/storefront/v1/order-edits",
        storefront_key,
        lambda w: {"order_id": "1", "order_key": "wc_order_x"},
    ),
    # ---- the recovery link's page and surface: the token in the path is the credential
    *_storefront(
        "/recover/<token>",
        anonymous,
        _shopify_product,
        _template,
        _design,
        {"token": _recovery_token},
    ),
    *(
        target
        for prefix, auth in (("", anonymous), ("/proxy", app_proxy))  # on Luneo; on the store
        for target in (
            Target("GET", f"{prefix}/recover/<token>", auth, paths={"token": _recovery_token}),
            *(
                [Target("GET", "/recover/<token>/context", auth, paths={"token": _recovery_token})]
                if not prefix
                else []
            ),
            Target(
                "POST",
                f"{prefix}/recover/<token>/attach",
                auth,
                lambda w: {"design_id": w.design_public_id, "edit_token": "0" * 32},
                paths={"token": _recovery_token},
            ),
        )
    ),
    # ---- the proof page: the token in the path is the credential; forms or JSON
    Target("GET", "/proof/<token>", anonymous, paths={"token": _proof_token}),
    Target(
        "POST",
        "/proof/<token>/changes",
        anonymous,
        lambda w: {"comment": "A bigger name, please."},
        paths={"token": _proof_token},
    ),
    Target("POST", "/proof/<token>/approve", anonymous, paths={"token": _proof_token}),
    # ---- the page to change an ordered design: the token in the path is the credential
    *_storefront(
        "/order-design/<token>",
        anonymous,
        _shopify_product,
        _template,
        _design,
        {"token": _order_edit_token},
    ),
    *(
        target
        for prefix, auth in (("", anonymous), ("/proxy", app_proxy))  # on Luneo; on the store
        for target in (
            Target(
                "GET", f"{prefix}/order-design/<token>", auth, paths={"token": _order_edit_token}
            ),
            *(
                [
                    Target(
                        "GET",
                        "/order-design/<token>/context",
                        auth,
                        paths={"token": _order_edit_token},
                    )
                ]
                if not prefix
                else []
            ),
            Target(
                "POST",
                f"{prefix}/order-design/<token>/replace",
                auth,
                lambda w: {"design_id": w.design_public_id, "edit_token": "0" * 32},
                paths={"token": _order_edit_token},
            ),
        )
    ),
    Target(
        "GET",
        "/storefront/designs/<design_id>/preview.png",
        anonymous,
        paths={"design_id": _design},
    ),
    Target("GET", "/storefront/models/<model_id>.glb", anonymous),
    Target("GET", "/storefront/widget/<name>", anonymous),
    Target("GET", "/storefront/tryon/<name>", anonymous),
    # ---- WooCommerce's key POST and the signed webhook receivers (valid signatures)
    Target(
        "POST",
        "/woocommerce/callback",
        anonymous,
        {
            "key_id": 1,
            "user_id": "t" * 32,
            "consumer_key": "ck_x",
            "consumer_secret": "cs_x",
            "key_permissions": "read_write",
        },
    ),
    Target(
        "POST",
        "/webhooks/shopify",
        shopify_webhook("products/update"),
        {"id": 4242, "admin_graphql_api_id": "gid://shopify/Product/4242", "title": "Mug"},
        label="products/update",
    ),
    Target(
        "POST",
        "/webhooks/shopify",
        shopify_webhook("customers/redact"),
        {
            "shop_id": 1,
            "shop_domain": fuzz.SHOPIFY_DOMAIN,
            "customer": {"id": 1},
            "orders_to_redact": [1],
        },
        label="customers/redact",
    ),
    Target(
        "POST",
        "/webhooks/shopify",
        shopify_webhook("app/uninstalled"),
        {"id": 1, "myshopify_domain": fuzz.SHOPIFY_DOMAIN},
        label="app/uninstalled",
    ),
    Target(
        "POST",
        "/webhooks/woocommerce/<webhook_path>",
        woo_webhook("product.updated"),
        {"id": 77, "name": "Mug", "status": "publish"},
        paths={"webhook_path": _webhook_path},
        label="product.updated",
    ),
    Target(
        "POST",
        "/webhooks/woocommerce/<webhook_path>",
        woo_webhook("order.created"),
        {"id": 5, "status": "processing", "line_items": [{"id": 1, "product_id": 77}]},
        paths={"webhook_path": _webhook_path},
        label="order.created",
    ),
    Target(
        "POST",
        "/webhooks/stripe",
        stripe_webhook,
        {
            "id": "evt_1",
            "created": 1767225600,
            "type": "customer.subscription.updated",
            "data": {"object": {"id": "sub_1", "customer": "cus_1", "status": "active"}},
        },
    ),
    # ---- public JSON and files without sign-in
    Target("GET", "/healthz", anonymous),
    # a shop's own fonts and clipart (issue #21); uploads are multipart, like the mockups'
    Target("GET", "/api/admin/headless-key", admin_bearer),
    Target("POST", "/api/admin/headless-key", admin_bearer, {"origins": ["https://shop.example"]}),
    Target(
        "PUT",
        "/api/admin/headless-key/origins",
        admin_bearer,
        {"origins": "https://shop.example\nhttp://localhost:3000"},
    ),
    Target("DELETE", "/api/admin/headless-key", admin_bearer),
    Target("GET", "/api/admin/fonts", admin_bearer),
    Target("POST", "/api/admin/fonts", admin_bearer),
    Target("GET", "/api/admin/clipart", admin_bearer),
    Target("POST", "/api/admin/clipart/sets", admin_bearer, {"label": "Our logos"}),
    Target("GET", "/readyz", anonymous),
    Target("GET", "/files/<path:key>", anonymous),
    Target("GET", "/clipart/", anonymous),
    Target("GET", "/clipart/<set_key>/<name>.svg", anonymous),
    Target("GET", "/fonts/<package>/latin-400-normal.woff2", anonymous),
]

# Prefixes whose every route is JSON: a route missing from TARGETS is fuzzed with this auth.
AUTO_AUTH: dict[str, Auth] = {
    "/api/admin/": admin_bearer,
    "/storefront/v1/": storefront_key,
    "/storefront/headless/v1/": headless_key,
    "/proxy/": app_proxy,
    "/storefront/": anonymous,
}

FORM = (
    "an HTML page or form, not JSON: NUL bytes and id ranges are refused centrally "
    "(app/input_guard.py, app/ids.py) and tested in tests/integration/test_client_input_errors.py"
)
PARTNER_API = "fuzzed by schemathesis from its OpenAPI document (partners/test_openapi.py)"
SHOPIFY_REDIRECT = "Shopify's signed-query redirects and pages (tests/integration/shopify)"
IMAGE = (
    "a picture an admin page shows, no JSON in or out "
    "(tests/integration/production/test_admin_order_views.py)"
)
# Every route that is not fuzzed, by exact method and rule: a new route is never excluded silently.
EXCLUDED_BY_REASON: dict[str, tuple[str, ...]] = {
    IMAGE: (
        "GET /admin/orders/<int:order_id>/lines/<int:item_id>/views/<area_key>/<int:view>.png",
    ),
    PARTNER_API: (
        "GET /partner-api/v1/downloads/<token>",
        "GET /partner-api/v1/jobs",
        "GET /partner-api/v1/jobs/<int:job_id>",
        "GET /partner-api/v1/jobs/<int:job_id>/files",
        "GET /partner-api/v1/openapi.json",
        "POST /partner-api/v1/jobs/<int:job_id>/claim",
        "POST /partner-api/v1/jobs/<int:job_id>/release",
        "POST /partner-api/v1/jobs/<int:job_id>/status",
        "PATCH /partner-api/v1/jobs/<int:job_id>/tracking",
        "GET /partner-api/v1/profile",
        "PUT /partner-api/v1/profile",
    ),
    FORM: (
        "GET /",
        "GET /account/invitations/<token>",
        "GET /account/reset",
        "GET /account/reset/<token>",
        "GET /account/sign-in",
        "GET /account/sign-up",
        "GET /account/stores",
        "GET /account/team",
        "GET /account/verify",
        "GET /account/verify/<token>",
        "POST /account/invitations/<token>",
        "POST /account/reset",
        "POST /account/reset/<token>",
        "POST /account/shop",
        "POST /account/sign-in",
        "POST /account/sign-out",
        "POST /account/sign-up",
        "POST /account/stores/connect",
        "POST /account/stores/disconnect",
        "POST /account/team/invitations",
        "POST /account/team/invitations/<int:invitation_id>/revoke",
        "POST /account/team/members/<int:membership_id>/remove",
        "POST /account/verify/resend",
        "GET /partners/",
        "GET /partners/activity",
        "GET /partners/files",
        "POST /partners/files",
        "GET /partners/invitation/<token>",
        "GET /partners/jobs/<int:job_id>",
        "GET /partners/jobs/<int:job_id>/files/<int:file_id>",
        "GET /partners/jobs/<int:job_id>/packing-slip.pdf",
        "GET /partners/keys",
        "GET /partners/login",
        "GET /partners/password",
        "GET /partners/reset",
        "GET /partners/reset/<token>",
        "GET /partners/team",
        "POST /partners/invitation/<token>",
        "POST /partners/jobs/<int:job_id>/status",
        "POST /partners/jobs/<int:job_id>/tracking",
        "POST /partners/jobs/download.zip",
        "POST /partners/keys",
        "POST /partners/keys/<int:key_id>/revoke",
        "POST /partners/login",
        "POST /partners/logout",
        "POST /partners/password",
        "POST /partners/reset",
        "POST /partners/reset/<token>",
        "POST /partners/team/<int:user_id>/deactivate",
        "POST /partners/team/<int:user_id>/reactivate",
        "POST /partners/team/<int:user_id>/resend",
        "POST /partners/team/<int:user_id>/role",
        "POST /partners/team/invitations",
        "POST /partners/webhook",
        "GET /admin/",
        "GET /admin/ai",
        "POST /admin/ai/settings",
        "GET /admin/analytics",
        "GET /admin/assets",
        "GET /admin/headless",
        "GET /admin/billing",
        "GET /admin/orders",
        "GET /admin/orders/<int:order_id>",
        "GET /admin/partners",
        "GET /admin/products",
        "GET /admin/products/<int:product_id>/template",
        "GET /admin/settings",
        "GET /woocommerce/connect",
        "GET /woocommerce/return",
    ),
    SHOPIFY_REDIRECT: ("GET /app", "GET /auth/callback", "GET /auth/session-token"),
    "development-only routes (absent in production), behind their own CSRF form": (
        "GET /dev/",
        "GET /dev/headless",
        "GET /dev/headless/",
        "GET /dev/headless/config.json",
        "GET /dev/headless/<name>",
        "POST /dev/partner-sign-in",
        "POST /dev/seed-demo",
        "POST /dev/sign-in",
        "POST /dev/sign-out",
    ),
    "Prometheus text; no input but the scrape itself": ("GET /metrics",),
    "Flask's static files": ("GET /static/<path:filename>",),
}
EXCLUDED: dict[str, str] = {
    key: reason for reason, keys in EXCLUDED_BY_REASON.items() for key in keys
}


def route_keys(app: Flask) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def all_targets(app: Flask) -> list[Target]:
    """TARGETS, and a generic target for any route under a JSON prefix that TARGETS misses."""
    listed = {f"{t.method} {t.rule}" for t in TARGETS}
    extra = []
    for key in sorted(route_keys(app) - listed):
        method, rule = key.split(" ", 1)
        auth = next((a for prefix, a in AUTO_AUTH.items() if rule.startswith(prefix)), None)
        if auth is not None and key not in EXCLUDED:
            extra.append(Target(method, rule, auth, label="auto"))
    return [*TARGETS, *extra]


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET}


@pytest.fixture
def world(app: Flask, session: Session, redis: Redis) -> World:
    return fuzz.build_world(session, app.config["SECRET_KEY"])


def uncovered(app: Flask) -> list[str]:
    fuzzed = {f"{t.method} {t.rule}" for t in all_targets(app)}
    return sorted(route_keys(app) - fuzzed - set(EXCLUDED))


def test_every_route_is_fuzzed_or_excluded_with_a_reason(app: Flask) -> None:
    routes, fuzzed = route_keys(app), {f"{t.method} {t.rule}" for t in all_targets(app)}
    missing = uncovered(app)
    assert not missing, (
        "routes neither fuzzed nor excluded (add them to TARGETS or EXCLUDED):\n"
        + ("\n".join(missing))
    )
    stale = sorted(
        k for k in {f"{t.method} {t.rule}" for t in TARGETS} | set(EXCLUDED) if k not in routes
    )
    assert not stale, f"entries for routes that no longer exist: {stale}"
    assert not (fuzzed & set(EXCLUDED)), "a route is both fuzzed and excluded"


def test_a_new_json_route_is_fuzzed_without_being_listed(app: Flask) -> None:
    app.add_url_rule("/api/admin/new-thing", "new_thing", lambda: {}, methods=["POST"])
    auto = [t for t in all_targets(app) if t.rule == "/api/admin/new-thing"]
    assert [(t.method, t.auth) for t in auto] == [("POST", admin_bearer)]
    assert uncovered(app) == []


def test_a_new_route_elsewhere_fails_until_it_is_listed(app: Flask) -> None:
    app.add_url_rule("/webhooks/newcomer", "newcomer", lambda: {}, methods=["POST"])
    assert uncovered(app) == ["POST /webhooks/newcomer"]


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_no_fuzzed_request_is_a_server_error(
    app: Flask, client: FlaskClient, world: World, target: Target
) -> None:
    run(client, world, target)


def test_routes_added_without_a_target_are_fuzzed_too(
    app: Flask, client: FlaskClient, world: World
) -> None:
    for target in all_targets(app)[len(TARGETS) :]:
        run(client, world, target)


def run(client: FlaskClient, world: World, target: Target) -> None:
    @given(call=fuzz.calls(target, world))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(call: Call) -> None:
        response = fuzz.send(client, target, world, call)
        statuses.append(response.status_code)
        assert response.status_code < 500, (
            f"{target.id} answered {response.status_code} to {call!r}: {response.data[:300]!r}"
        )

    statuses: list[int] = []
    check()
    # The fuzz must reach the view: signed in as the route's real callers, not only refused.
    counts = sorted(Counter(statuses).items())
    assert set(statuses) - {401, 403}, f"{target.id}: every request was refused ({counts})"
