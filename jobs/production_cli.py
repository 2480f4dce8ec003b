"""`luneo production retry JOB_ID` and `luneo production run [JOB_ID…] [--all-queued]`.

For operators: put failed jobs back in line, or (re)enqueue waiting ones, e.g. after restoring
Redis or for jobs whose worker died after its last retry. ``--now`` renders in this process
instead (no worker needed), with a progress bar. Wired in by ``register_production_commands``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import click
from flask.cli import with_appcontext


def _produce_here(job_ids: list[int]) -> list[dict[str, Any]]:
    from app.extensions import get_db, get_storage
    from app.production import produce_job

    results: list[dict[str, Any]] = []
    with click.progressbar(job_ids, label="Producing", show_pos=True) as bar:
        for job_id in bar:
            with get_db().session() as session:
                results.append(produce_job(session, get_storage(), job_id).as_dict())
    return results


def _echo(results: Iterable[dict[str, Any]]) -> None:
    for result in results:
        detail = f": {result['message']}" if result["message"] else ""
        files = f" ({result['files']} files)" if result["status"] == "ready" else ""
        click.echo(f"job {result['job_id']}: {result['status']}{files}{detail}")


def _enqueue(pairs: list[tuple[int, int]]) -> None:
    from app.extensions import get_redis
    from app.production.enqueue import production_spec
    from app.queue import enqueue

    redis = get_redis()
    for job_id, shop_id in pairs:
        enqueue(redis, production_spec(job_id, shop_id))
        click.echo(f"job {job_id}: enqueued on the render queue")


def _retry(job_id: int, now: bool) -> None:
    from app.extensions import get_db
    from app.models import ProductionJob
    from app.production import NotRetryable, requeue

    with get_db().session() as session:
        job = session.get(ProductionJob, job_id)
        if job is None:
            raise click.ClickException(f"no production job {job_id}")
        try:
            requeue(job)
        except NotRetryable as exc:
            raise click.ClickException(str(exc)) from None
        pair = (job.id, job.shop_id)
    if now:
        _echo(_produce_here([job_id]))
    else:
        _enqueue([pair])


def _waiting(job_ids: tuple[int, ...], all_queued: bool) -> list[tuple[int, int]]:
    from sqlalchemy import select

    from app.extensions import get_db
    from app.models import ProductionJob
    from app.production import stale_or_queued_job_ids
    from app.queue import TIMEOUTS

    with get_db().session() as session:
        ids = list(job_ids)
        if all_queued:
            stale = timedelta(seconds=TIMEOUTS["render"] * 2)
            ids += stale_or_queued_job_ids(session, stale)
        stmt = select(ProductionJob.id, ProductionJob.shop_id).where(ProductionJob.id.in_(ids))
        found = {int(row[0]): int(row[1]) for row in session.execute(stmt)}
    missing = sorted(set(job_ids) - set(found))
    if missing:
        raise click.ClickException(f"no production job {', '.join(map(str, missing))}")
    return sorted(found.items())


def register_production_commands(cli: click.Group) -> None:
    """Add the ``production`` group to the ``luneo`` command line."""

    @cli.group("production")
    def production() -> None:
        """Render orders' print files: retry failures, (re)enqueue waiting jobs."""

    @production.command("retry")
    @click.argument("job_id", type=int)
    @click.option("--now", is_flag=True, help="Render in this process instead of a worker.")
    @with_appcontext
    def retry(job_id: int, now: bool) -> None:
        """Put failed production job JOB_ID back in line (QUEUED) and enqueue it."""
        _retry(job_id, now)

    @production.command("run")
    @click.argument("job_ids", nargs=-1, type=int)
    @click.option(
        "--all-queued",
        is_flag=True,
        help="Every queued job of an installed shop, and rendering ones whose worker died.",
    )
    @click.option("--now", is_flag=True, help="Render in this process instead of a worker.")
    @with_appcontext
    def run(job_ids: tuple[int, ...], all_queued: bool, now: bool) -> None:
        """Enqueue JOB_IDS (or, with --all-queued, every waiting job) on the render queue."""
        if not job_ids and not all_queued:
            raise click.UsageError("name job ids, or pass --all-queued")
        pairs = _waiting(job_ids, all_queued)
        if not pairs:
            click.echo("no production job is waiting")
        elif now:
            _echo(_produce_here([job_id for job_id, _ in pairs]))
        else:
            _enqueue(pairs)
