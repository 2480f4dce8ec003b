"""``luneo ai bulk --template ID prompts.txt``: bulk AI variations as one batch job, with progress.

Each prompt is checked and charged like a shopper's; ``--here`` runs the batch in this process
(no worker needed), otherwise the command enqueues it and follows the job's progress.
"""

from __future__ import annotations

import time
from typing import TextIO

import click
from flask import current_app
from flask.cli import with_appcontext
from rq.job import Job, JobStatus

from app.ai.safety import PromptRefused
from app.billing import quota
from app.billing.plans import Feature
from app.extensions import get_db, get_redis
from app.generation.admin import start_bulk
from app.generation.requests import AiUnavailable, limits_from_config, options_from_config
from app.models import Shop, ShopScope, Template
from jobs.ai import generate_batch

_DONE = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED}


def _follow(job_id: str, total: int) -> None:
    job = Job.fetch(job_id, connection=get_redis())
    with click.progressbar(length=total, label="Generating", show_pos=True) as bar:
        shown = 0
        while True:
            status = job.get_status(refresh=True)
            job.refresh()
            done = int((job.meta.get("progress") or {}).get("done", 0))
            bar.update(done - shown)
            shown = done
            if status in _DONE:
                break
            time.sleep(0.5)
    click.echo(f"batch job {job_id}: {status.value if status else 'unknown'}")


def register_ai_commands(cli: click.Group) -> None:
    @cli.group()
    def ai() -> None:
        """AI image generation."""

    @ai.command("bulk")
    @click.option("--template", "template_id", type=int, required=True, help="template id")
    @click.option("--area", default="front", show_default=True)
    @click.option("--style", default=None, help="style preset key")
    @click.option("--here", is_flag=True, help="run in this process instead of on a worker")
    @click.argument("prompts", type=click.File("r", encoding="utf-8"))
    @with_appcontext
    def bulk(template_id: int, area: str, style: str | None, here: bool, prompts: TextIO) -> None:
        """Generate one image per line of PROMPTS for a template (each counts against quota)."""
        lines = [line for line in prompts.read().splitlines() if line.strip()]
        with get_db().session() as session:
            template = session.get(Template, template_id)
            if template is None:
                raise click.ClickException(f"no template {template_id}")
            shop = session.get(Shop, template.shop_id)
            assert shop is not None
            scope = ShopScope(session, shop.id)
            try:
                quota.require_feature(session, shop, Feature.BULK)
                config = current_app.config
                options, limits = options_from_config(config), limits_from_config(config)
                batch_id, rows = start_bulk(
                    scope, get_redis(), template, area, lines, style, options, limits
                )
            except (quota.QuotaExceeded, AiUnavailable, PromptRefused) as exc:
                raise click.ClickException(exc.message) from None
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
            pending = [r.id for r in rows if not r.is_finished]
        click.echo(f"batch {batch_id}: {len(rows)} prompts, {len(rows) - len(pending)} from cache")
        if here:
            outcome = generate_batch(pending)
            click.echo(f"done: {outcome['outcomes']}")
        elif pending:
            _follow(f"ai-batch-{batch_id}", len(pending))
