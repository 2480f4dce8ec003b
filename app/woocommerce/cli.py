"""The `luneo woo` commands for operators: connect, key (show or rotate), disconnect.

``key`` shows the store's public storefront key (for the WordPress plugin's settings).
``connect`` prints the authorize link to open (signed in to the store's WordPress admin);
WooCommerce then POSTs the keys to Luneo's callback, which must be reachable from the store.
Wired into the CLI by ``register_woo_commands(cli)`` from app/cli.py.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import get_db, get_redis
from app.woocommerce.connect import find_store, start_connection
from app.woocommerce.disconnect import NotConnected, disconnect
from app.woocommerce.pending import PENDING_TTL
from app.woocommerce.store_url import InvalidStoreUrl
from app.woocommerce.storefront_keys import ensure_storefront_key, rotate_storefront_key
from app.woocommerce.urls import NotConfigured


def register_woo_commands(cli: click.Group) -> None:
    """Add the ``woo`` group to the ``luneo`` command line."""

    @cli.group("woo")
    def woo() -> None:
        """Connect or disconnect WooCommerce stores."""

    @woo.command("connect")
    @click.argument("store_url")
    @with_appcontext
    def connect(store_url: str) -> None:
        """Print the link that connects the store at STORE_URL to Luneo."""
        try:
            url = start_connection(store_url, config=current_app.config, redis=get_redis())
        except (InvalidStoreUrl, NotConfigured) as exc:
            raise click.ClickException(str(exc)) from None
        click.echo("Open this link while signed in to the store's WordPress admin, and approve:")
        click.echo(url)
        click.echo(f"The link works once, within {PENDING_TTL // 60} minutes.")

    @woo.command("key")
    @click.argument("domain")
    @click.option("--rotate", is_flag=True, help="Replace the key (pages with the old one stop).")
    @with_appcontext
    def storefront_key(domain: str, rotate: bool) -> None:
        """Show (or --rotate) the public storefront key of the store at DOMAIN.

        Paste it into the Luneo Personalizer plugin's settings in WordPress.
        """
        with get_db().session() as session:
            shop = find_store(session, domain)
            if shop is None or not shop.is_installed:
                raise click.ClickException(f"no connected WooCommerce store {domain!r}")
            key = rotate_storefront_key(shop) if rotate else ensure_storefront_key(shop)
            session.commit()
        if rotate:
            click.echo("New key (update the plugin's settings now; the old key no longer works):")
        click.echo(key)

    @woo.command("disconnect")
    @click.argument("domain")
    @with_appcontext
    def disconnect_store(domain: str) -> None:
        """Delete Luneo's webhooks from the store at DOMAIN and forget its keys."""
        with get_db().session() as session:
            try:
                result = disconnect(session, get_redis(), current_app.config, domain)
            except NotConnected as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(f"{result.domain} disconnected; {result.webhooks_deleted} webhooks deleted.")
        if result.error:
            click.echo(f"The store could not be reached to delete them: {result.error}", err=True)
