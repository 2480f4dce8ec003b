"""`luneo`: the operator's command line (a Flask CLI group, so `luneo run/shell/routes` exist too).

The command line defaults to development mode (``LUNEO_ENV=development``); a deployment sets
``LUNEO_ENV=production`` and its secrets, and the same commands then refuse to run without them.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

# Each domain's commands: name -> (module, function that adds them to a group, one-line help).
# They load when named, not for `luneo --help`: importing them all costs seconds (OpenAI's
# client, Alembic, SQLAlchemy models, the render core) that a help screen never needs.
DOMAIN_COMMANDS: dict[str, tuple[str, str, str]] = {
    "ai": ("jobs.ai_cli", "register_ai_commands", "AI image generation in bulk."),
    "production": ("jobs.production_cli", "register_production_commands", "Production jobs."),
    "render": ("app.design.render_cli", "register_render_command", "Render print files."),
    "retention": ("jobs.retention_cli", "register_retention_commands", "Old data clean-up."),
    "sync": ("jobs.sync_cli", "register_sync_commands", "Sync products and orders."),
    "users": ("app.accounts.cli", "register_user_commands", "Sign-in accounts."),
    "woo": ("app.woocommerce.cli", "register_woo_commands", "WooCommerce stores."),
}


def _create_app() -> Flask:
    from app import create_app
    from app.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


class LuneoGroup(FlaskGroup):
    """Flask's group with click's lazy subcommands: a domain's module is imported when its
    command runs; the help screen lists them from ``DOMAIN_COMMANDS`` without importing.

    Luneo's app registers no commands of its own, so listing never loads the app either (Flask's
    group would build the whole app for ``--help``). Nor does it take commands from other
    packages' ``flask.commands`` entry points: finding them reads every installed package's
    metadata, 0.1-0.2 s on each start."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded_plugin_commands = True

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *DOMAIN_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in DOMAIN_COMMANDS and name not in self.commands:
            module, register, _ = DOMAIN_COMMANDS[name]
            getattr(importlib.import_module(module), register)(self)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in DOMAIN_COMMANDS and name not in self.commands:
                rows.append((name, DOMAIN_COMMANDS[name][2]))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LuneoGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """Luneo: personalized products for Shopify and WooCommerce."""


def main() -> None:
    os.environ.setdefault("LUNEO_ENV", "development")
    cli.main(prog_name="luneo")


# ------------------------------------------------------------------------------------- db
@cli.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


def _migrate() -> Any:
    from app import migrate  # Alembic: only for the db commands

    return migrate


def _database_url() -> str:
    url: str = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return url


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    _migrate().upgrade(_database_url(), revision)
    click.echo(f"database at revision {_migrate().current_revision(_database_url())}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the schema)."""
    _migrate().downgrade(_database_url(), revision)
    click.echo(f"database at revision {_migrate().current_revision(_database_url())}")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's revision and the newest one in the code."""
    click.echo(f"database: {_migrate().current_revision(_database_url())}")
    click.echo(f"code:     {_migrate().head_revision()}")


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Apply migrations, then fail if the models hold changes no migration describes."""
    _migrate().upgrade(_database_url())
    _migrate().check(_database_url())
    click.echo("migrations are up to date with the models")


# ---------------------------------------------------------------------------------- worker
@cli.command()
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Exit once the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process (no fork per job).")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, simple: bool) -> None:
    """Process jobs from QUEUES (default: default, sync, render, ai)."""
    from app.queue import QUEUE_NAMES
    from jobs.worker import run_worker

    unknown = [q for q in queues if q not in QUEUE_NAMES]
    if unknown:
        raise click.BadParameter(
            f"unknown queue(s) {', '.join(unknown)}; choose from {', '.join(QUEUE_NAMES)}"
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_worker(app, queues, burst=burst, simple=simple)


@cli.command()
@with_appcontext
def scheduler() -> None:
    """Enqueue periodic jobs (e.g. reconciliation syncs) on their schedule; run one per site."""
    from app.extensions import get_redis
    from jobs.schedule import build_scheduler

    build_scheduler(get_redis(), current_app.config["LOG_LEVEL"]).start()


# ----------------------------------------------------------------------------------- queue
@cli.group()
def queue() -> None:
    """Inspect the job queues."""


@queue.command("status")
@with_appcontext
def queue_status() -> None:
    """Jobs waiting, running, scheduled and failed per queue, and the live workers."""
    from rq import Worker

    from app.extensions import get_redis
    from app.queue import QUEUE_NAMES, get_queue

    connection = get_redis()
    click.echo(f"{'queue':<10}{'waiting':>9}{'running':>9}{'scheduled':>11}{'failed':>8}")
    for name in QUEUE_NAMES:
        q = get_queue(name, connection)
        click.echo(
            f"{name:<10}{q.count:>9}{q.started_job_registry.count:>9}"
            f"{q.scheduled_job_registry.count:>11}{q.failed_job_registry.count:>8}"
        )
    workers = Worker.all(connection=connection)
    click.echo(f"workers: {len(workers)}")
    for w in workers:
        click.echo(f"  {w.name} [{w.get_state()}] on {','.join(w.queue_names())}")


@queue.command("check")
@click.option("--timeout", default=30, show_default=True, help="Seconds to wait for a worker.")
@with_appcontext
def queue_check(timeout: int) -> None:
    """Send a round-trip job through a worker and wait for its answer."""
    from app.extensions import get_redis
    from app.queue import JobSpec, enqueue

    job = enqueue(
        get_redis(),
        JobSpec("default", "jobs.diagnostics.roundtrip", (secrets.token_hex(4),), retries=0),
    )
    deadline = time.monotonic() + timeout
    with click.progressbar(length=100, label="waiting for a worker") as bar:
        shown = 0
        while time.monotonic() < deadline:
            status = job.get_status(refresh=True)
            percent = (job.get_meta(refresh=True).get("progress") or {}).get("percent", 0)
            bar.update(percent - shown)
            shown = percent
            if status is not None and status.value in ("finished", "failed"):
                break
            time.sleep(0.2)
    result = job.return_value()
    if result is None:
        raise click.ClickException(f"no worker answered within {timeout}s (job {job.id})")
    click.echo(f"worker {result['host']} pid {result['pid']} answered in {result['elapsed_ms']} ms")


# ------------------------------------------------------------------------------------- dev
@cli.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create (or refresh) the demo Shopify development store with products and an order."""
    shop = _seed_demo()
    click.echo(f"demo shop {shop.domain} (id {shop.id}) is ready")


def _seed_demo() -> Any:
    """Seed the demo shop and hand its waiting production jobs to the workers."""
    from sqlalchemy import select

    from app.demo import seed_demo_shop
    from app.extensions import get_db, get_storage
    from app.models import ProductionJob, ProductionStatus
    from app.production.enqueue import enqueue_production

    with get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        queued = select(ProductionJob.id).where(
            ProductionJob.shop_id == shop.id, ProductionJob.status == ProductionStatus.QUEUED
        )
        enqueue_production(session, [(job_id, shop.id) for job_id in session.scalars(queued)])
        return shop


def _start_shopify_standin(app: Flask, base: str, stack: ExitStack) -> tuple[dict[str, str], str]:
    """The demo shop's store on 127.0.0.1, unless the operator set SHOPIFY_SHOP_ORIGIN.

    Returns the variables that point Luneo at it (this process, its children, and other
    commands through the instance folder's record) and the banner line. The app's key, secret
    and URL are the operator's (the environment, not an earlier run's record), else development
    values for this run: the stand-in signs and checks with the same secret as Luneo.
    """
    from app.config import DEV_STANDIN_FILE, DEV_STANDIN_VARIABLES
    from app.demo import DEMO_DOMAIN

    record = Path(app.instance_path) / DEV_STANDIN_FILE
    record.unlink(missing_ok=True)  # an earlier run's, whose stand-in is gone
    if "SHOPIFY_SHOP_ORIGIN" in os.environ:
        return {}, f"Shopify: {app.config['SHOPIFY_SHOP_ORIGIN']} (SHOPIFY_SHOP_ORIGIN)"
    try:
        from standins import dev as standin
        from standins.shopify_merchant import AppSide
    except ImportError as exc:  # graphql-core is in the dev extra
        return {}, f"Shopify: no stand-in ({exc.name} missing: pip install -e '.[dev]')"
    side = AppSide(
        api_key=os.environ.get("SHOPIFY_API_KEY") or "luneo-dev",
        api_secret=os.environ.get("SHOPIFY_API_SECRET") or secrets.token_urlsafe(32),
        app_url=os.environ.get("SHOPIFY_APP_URL") or os.environ.get("HOST") or base,
    )
    served = stack.enter_context(standin.running(side))
    values = (served.origin_template, side.api_key, side.api_secret, side.app_url)
    variables = dict(zip(DEV_STANDIN_VARIABLES, values, strict=True))
    record.write_text(json.dumps(variables))
    record.chmod(0o600)
    stack.callback(record.unlink, missing_ok=True)
    return variables, f"Shopify stand-in: {served.origin}/{DEMO_DOMAIN}/admin"


@cli.command()
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@with_appcontext
def dev(port: int, host: str) -> None:
    """Migrate, seed the demo shop, then run the web server, the workers and the scheduler.

    The demo shop's store is a local stand-in (``standins``), so sync, billing approval,
    re-authorization and shipment push-back complete without a store on the internet.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["ENV"] != "development":
        raise click.UsageError("`luneo dev` runs in development mode only (LUNEO_ENV=development)")
    from werkzeug.serving import run_simple

    from app import embedded_redis
    from app.extensions import get_redis
    from app.redis_connection import describe
    from jobs.worker import DEV_WORKER_POOLS

    base = f"http://{host}:{port}"
    with ExitStack() as stack:
        # First: the stand-in builds Shopify's schema meanwhile, ready for the first sync.
        standin, shopify_line = _start_shopify_standin(app, base, stack)
        click.echo("applying migrations…")
        _migrate().upgrade(_database_url())
        shop = _seed_demo()
        get_redis().ping()  # starts the embedded Redis now, not on the first request
        app.config.update(standin)  # the web process; the children read the same from env
        if standin and "APP_URL" not in os.environ:
            app.config["APP_URL"] = standin["SHOPIFY_APP_URL"]  # as the children derive it
        env = {**os.environ, "LUNEO_ENV": "development", **standin}
        command = [sys.executable, "-c", "from app.cli import main; main()"]
        workers = [
            subprocess.Popen([*command, "worker", *pool], env=env)  # noqa: S603 - our own CLI
            for pool in DEV_WORKER_POOLS
        ]
        scheduler_proc = subprocess.Popen([*command, "scheduler"], env=env)  # noqa: S603
        click.echo(
            "\n"
            f"  Luneo is running at {base}/\n"
            f"  Demo admin (development sign-in): {base}/dev/  — shop {shop.domain}\n"
            f"  Headless storefront (the JavaScript SDK): http://localhost:{port}/dev/headless/\n"
            f"  {shopify_line}\n"
            f"  Health: {base}/healthz  Ready: {base}/readyz\n"
            f"  Database: {app.config['SQLALCHEMY_DATABASE_URI']}\n"
            f"  Queue: {describe(app.config, Path(app.instance_path))}"
            + "".join(
                f"\n  Worker on {','.join(pool)}: pid {proc.pid}"
                for pool, proc in zip(DEV_WORKER_POOLS, workers, strict=True)
            )
            + "\n"
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            # Flask's app.run() refuses to block inside a CLI command; serve with Werkzeug.
            run_simple(host, port, app, use_reloader=False, threaded=True)
        finally:
            for proc in (*workers, scheduler_proc):
                proc.terminate()
            for proc in (*workers, scheduler_proc):
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            if not app.config["REDIS_URL"]:
                embedded_redis.stop(Path(app.instance_path))


if __name__ == "__main__":
    main()
