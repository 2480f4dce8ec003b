"""`luneo sync products|orders --shop DOMAIN [--full]`: run a sync now, in this process.

The same code path as the sync jobs (``app.sync.sync_shop``), with a click progress bar in
place of ``job.meta`` and the summary printed at the end. Wired into the CLI by
``register_sync_commands(cli)`` from app/cli.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

if TYPE_CHECKING:
    from app.sync import What


class _PhaseBars:
    """One progress bar per phase (exporting, products, orders), fed by (done, total, message)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.phase = ""
        self.shown = 0

    def __call__(self, done: int, total: int, message: str) -> None:
        phase = message.split(" ", 1)[0]
        if self.bar is None or phase != self.phase:
            self.close()
            self.bar = click.progressbar(length=max(total, done, 1), label=phase.ljust(9))
            self.bar.__enter__()
            self.phase, self.shown = phase, 0
        if total > self.bar.length:
            self.bar.length = total
        self.bar.update(max(0, done - self.shown))
        self.shown = max(self.shown, done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _tally_line(name: str, tally: dict[str, Any]) -> str:
    counts = ", ".join(
        f"{tally[k]} {k}" for k in ("created", "updated", "unchanged", "archived", "skipped")
    )
    return f"{name}: {counts}"


def _echo_summary(summary: dict[str, Any], what: str) -> None:
    for name in ("products", "orders"):
        if what not in (name, "all"):
            continue
        tally = summary[name]
        click.echo(_tally_line(name, tally))
        for skipped in tally["skipped_records"]:
            click.echo(f"  skipped {skipped['id']}: {skipped['reason']}")
    if what in ("orders", "all"):
        click.echo(
            f"production jobs queued: {summary['production_jobs']} "
            f"(designs ordered {summary['designs_ordered']}, "
            f"not found {summary['designs_not_found']})"
        )


def _find_shop(domain: str) -> Any:
    from app.extensions import get_db
    from app.models import Shop

    with get_db().session() as session:
        shops = list(session.scalars(select(Shop).where(Shop.domain == domain)))
    if not shops:
        raise click.ClickException(f"no shop with domain {domain}")
    if len(shops) > 1:
        raise click.ClickException(f"{domain} is connected on several platforms")
    shop = shops[0]
    if not shop.is_installed:
        raise click.ClickException(f"{domain} has uninstalled Luneo")
    if shop.needs_reauth:
        raise click.ClickException(f"{domain} must authorize Luneo again before it can sync")
    return shop


def _sync(what: What, domain: str, full: bool) -> None:
    from app.extensions import get_db
    from app.models import Shop
    from app.sync import sync_shop

    shop = _find_shop(domain)
    bars = _PhaseBars()
    try:
        summary = sync_shop(shop.id, what, full=full, progress=bars)
    finally:
        bars.close()
    if summary is None:
        raise click.ClickException(f"{domain} was not synced (uninstalled meanwhile?)")
    _echo_summary(summary, what)
    with get_db().session() as session:
        reloaded = session.get(Shop, shop.id)
        state = (reloaded.extra.get("sync") or {}) if reloaded is not None else {}
    if state.get("state") == "needs_reauth":
        raise click.ClickException(f"the store refused our token: {state.get('last_error')}")


def _options(func: Any) -> Any:
    func = click.option("--shop", "domain", required=True, help="The store's domain.")(func)
    func = click.option(
        "--full", is_flag=True, help="Re-read everything and archive products deleted upstream."
    )(func)
    return with_appcontext(func)


def register_sync_commands(cli: click.Group) -> None:
    """Add the ``sync`` group to the ``luneo`` command line."""

    @cli.group("sync")
    def sync() -> None:
        """Pull a store's products or orders now, with a progress bar and a summary."""

    @sync.command("products")
    @_options
    def sync_products(domain: str, full: bool) -> None:
        """Sync the catalog of the store at --shop (changes since the last sync unless --full)."""
        _sync("products", domain, full)

    @sync.command("orders")
    @_options
    def sync_orders(domain: str, full: bool) -> None:
        """Sync the orders of the store at --shop (the last 60 days with --full)."""
        _sync("orders", domain, full)
