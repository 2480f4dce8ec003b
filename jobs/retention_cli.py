"""`luneo retention run [--dry-run] [--shop DOMAIN]`: the retention sweep, now, in this process.

The same service as the daily job (``app.retention``), with a progress bar (over the shop's
designs and files with --shop, over shops otherwise) and a summary. Wired into the CLI by
``register_retention_commands(cli)`` from app/cli.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

if TYPE_CHECKING:
    from app.retention import ShopResult


def size_text(size: int) -> str:
    """Bytes for people: 512 B, 1.5 KB, 3.2 MB, 1.1 GB."""
    if size < 1024:
        return f"{size} B"
    amount = size / 1024
    for unit in ("KB", "MB"):
        if amount < 1024:
            return f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"


def summary_line(label: str, count: Callable[[str], int]) -> str:
    line = (
        f"{label}: {count('designs')} designs, {count('files')} files "
        f"({size_text(count('bytes'))}), {count('generations')} AI generations"
    )
    if count("leftovers"):
        line += f"; {count('leftovers')} leftover storage objects deleted"
    if count("pending"):
        line += f"; {count('pending')} storage objects still to delete (next run)"
    return line


def _shops(domain: str | None) -> list[int]:
    from app.extensions import get_db
    from app.models import Shop

    stmt = select(Shop.id).order_by(Shop.id)
    if domain is not None:
        stmt = stmt.where(Shop.domain == domain)
    with get_db().session() as session:
        shops = list(session.scalars(stmt))
    if domain is not None and not shops:
        raise click.ClickException(f"no shop with domain {domain}")
    if domain is not None and len(shops) > 1:
        raise click.ClickException(f"{domain} is connected on several platforms")
    return shops


def _sweep_one(shop_id: int, days: int, dry_run: bool) -> list[ShopResult]:
    """One shop, with a bar over its designs and files."""
    from app import retention
    from app.extensions import get_db, get_storage

    with click.progressbar(length=1, label="Sweeping", show_pos=True) as bar:
        shown = 0

        def progress(done: int, total: int, message: str) -> None:
            nonlocal shown
            bar.length = max(total, 1)
            bar.update(done - shown)
            shown = done

        with get_db().session() as session:
            result = retention.sweep_shop(
                session, get_storage(), shop_id, days, dry_run=dry_run, progress=progress
            )
    return [result] if result is not None else []


def _sweep_all(shop_ids: list[int], days: int, dry_run: bool) -> list[ShopResult]:
    """Every shop, with a bar over shops; then pending deletions of shops deleted since."""
    from app import retention
    from app.extensions import get_db, get_storage
    from app.stored_files import delete_pending_bytes

    results: list[ShopResult] = []
    with click.progressbar(shop_ids, label="Sweeping shops", show_pos=True) as bar:
        for shop_id in bar:
            with get_db().session() as session:
                result = retention.sweep_shop(
                    session, get_storage(), shop_id, days, dry_run=dry_run
                )
            if result is not None:
                results.append(result)
    if not dry_run:
        with get_db().session() as session:
            delete_pending_bytes(session, get_storage(), only_gone_shops=True)
    return results


def _run(dry_run: bool, domain: str | None) -> None:
    from app.retention import Summary

    days = int(current_app.config["DESIGN_RETENTION_DAYS"])
    if days <= 0:
        click.echo("Retention is off (LUNEO_DESIGN_RETENTION_DAYS=0): nothing was removed.")
        return
    shop_ids = _shops(domain)
    click.echo(
        f"Retention{' (dry run: nothing is changed)' if dry_run else ''}: designs not ordered "
        f"and unchanged for {days} days, and shopper files nothing else uses."
    )
    if domain is not None:
        results = _sweep_one(shop_ids[0], days, dry_run)
    else:
        results = _sweep_all(shop_ids, days, dry_run)
    for result in results:
        if domain is not None or result.removed_anything or result.pending:
            click.echo(summary_line(result.domain, result.count))
    summary = Summary(days=days, dry_run=dry_run, shops=results)
    label = "would remove" if dry_run else "removed"
    click.echo(summary_line(f"{label} ({len(results)} shops)", summary.total))


def register_retention_commands(cli: click.Group) -> None:
    """Add the ``retention`` group to the ``luneo`` command line."""

    @cli.group("retention")
    def retention() -> None:
        """Remove designs nobody ordered, and shopper files nothing uses, after N days."""

    @retention.command("run")
    @click.option("--dry-run", is_flag=True, help="Report what would be removed; change nothing.")
    @click.option("--shop", "domain", help="Only the store with this domain.")
    @with_appcontext
    def run(dry_run: bool, domain: str | None) -> None:
        """Sweep now (every shop, or --shop), with LUNEO_DESIGN_RETENTION_DAYS as the age."""
        _run(dry_run, domain)
