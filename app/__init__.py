"""Luneo's application factory: the one place where settings, services and blueprints are wired."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests pass a mapping)."""
    from app import config as settings  # imports stay inside the factory
    from app.crypto import keyring
    from app.db import Database
    from app.extensions import close_session
    from app.file_downloads import make_url_builder
    from app.logging import configure_logging, install_request_id
    from app.redis_connection import connect_redis
    from app.storage import storage_from_config

    app = Flask(__name__, instance_relative_config=True)
    # Answers keep their keys in the order the code built them: a design's ``properties`` reach
    # the cart (Shopify line properties, Woo item data) in the template's field order.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    overrides = dict(config or {})
    environ = settings.environ_snapshot()
    instance_path = Path(
        overrides.pop("INSTANCE_PATH", None)
        or environ.get("LUNEO_INSTANCE_PATH")
        or app.instance_path
    ).resolve()
    app.instance_path = str(instance_path)

    values = settings.from_environment(environ, instance_path)
    values.update(overrides)
    app.config.update(settings.finalize(values, instance_path))
    instance_path.mkdir(parents=True, exist_ok=True)

    configure_logging(app)
    install_request_id(app)
    keyring.configure(app.config["ENCRYPTION_KEY_LIST"])

    app.extensions["luneo.db"] = Database(app.config["SQLALCHEMY_DATABASE_URI"])
    app.teardown_appcontext(close_session)
    app.extensions["luneo.redis"] = connect_redis(app.config, instance_path)
    app.extensions["luneo.storage"] = storage_from_config(
        app.config, url_builder=make_url_builder(app)
    )

    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:  # behind our own load balancer: believe exactly its hops, no client-sent header
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    _register_blueprints(app)
    _register_error_handlers(app)
    return app


# Blueprints whose pages get the request host's security headers (app/admin/host.py).
STANDALONE_BLUEPRINTS = (
    "admin",
    "admin_api",
    "accounts",
    "account_stores",
    "account_team",
    "woo_auth",
)


def _register_blueprints(app: Flask) -> None:
    from app import accounts, display, input_guard, metrics, wording
    from app.admin import bp as admin_bp
    from app.admin import host as admin_host
    from app.admin.ai import bp as admin_ai_bp
    from app.admin.api import bp as admin_api_bp
    from app.admin.assets import bp as admin_assets_bp
    from app.admin.billing import bp as admin_billing_bp
    from app.admin.headless import bp as admin_headless_bp
    from app.admin.partners import bp as admin_partners_bp
    from app.assets import bp as assets_bp
    from app.billing.stripe_webhooks import bp as stripe_webhooks_bp
    from app.file_downloads import bp as files_bp
    from app.health import bp as health_bp
    from app.home import bp as home_bp
    from app.partners import blueprints as partner_blueprints
    from app.shopify import embedded
    from app.shopify.auth import bp as shopify_auth_bp
    from app.shopify.webhooks import bp as shopify_webhooks_bp
    from app.storefront import blueprints as storefront_blueprints
    from app.woocommerce import blueprints as woo_blueprints

    metrics.install(app)  # first: its request timer must start before other hooks run
    input_guard.install(app)  # before any route: ids in range, no NUL, bounded JSON
    display.install(app)  # Jinja filters: money, dates, addresses in the reader's locale
    wording.install(app)  # Jinja filters: statuses, audit actions, scopes, browsers in words
    app.register_blueprint(home_bp)
    app.register_blueprint(shopify_auth_bp)
    app.register_blueprint(shopify_webhooks_bp)
    app.register_blueprint(stripe_webhooks_bp)  # Stripe-Signature verified by the stripe package
    for woo_bp in woo_blueprints():  # woo_auth (key exchange), woo_webhooks (signed deliveries)
        app.register_blueprint(woo_bp)
    for storefront_bp in storefront_blueprints():  # one per surface (Shopify app proxy, …)
        app.register_blueprint(storefront_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(assets_bp)  # /clipart, /fonts: public curated files
    app.register_blueprint(embedded.bp)
    app.url_defaults(embedded.add_embed_params)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_api_bp)
    app.register_blueprint(admin_ai_bp)
    app.register_blueprint(admin_assets_bp)  # /admin/assets: the shop's own fonts and clipart
    app.register_blueprint(admin_headless_bp)  # /admin/headless: the headless storefront key
    app.register_blueprint(admin_billing_bp)  # /admin/billing, /api/admin/billing
    app.register_blueprint(admin_partners_bp)
    for partner_bp in partner_blueprints():  # portal (people): reset, team, invitation; API (keys)
        app.register_blueprint(partner_bp)
    app.context_processor(embedded.template_context)
    embedded.install_frame_policy(app)
    accounts.install(app)  # Luneo accounts: the standalone admin's sign-in and stores
    admin_host.install(app, STANDALONE_BLUEPRINTS)
    if app.config["ENV"] in ("development", "testing"):
        # The demo sign-in is a development tool: in production the routes do not exist.
        from app.devtools import bp as dev_bp

        app.register_blueprint(dev_bp)


def _register_error_handlers(app: Flask) -> None:
    from app.errors import register

    register(app)
