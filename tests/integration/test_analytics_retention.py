"""Analytics counters are kept 13 months: the daily job deletes older ones, every shop's."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analytics.events import record
from app.models import AnalyticsCounter, EventKind
from app.retention import analytics_cutoff, sweep_analytics
from jobs import retention as retention_jobs
from jobs.schedule import PERIODIC
from tests.factories import make_shop

TODAY = date(2026, 12, 6)
TODAY_NOW = datetime.now(UTC).date()


def days_kept(session: Session) -> list[date]:
    session.expire_all()
    return sorted(set(session.scalars(select(AnalyticsCounter.day))))


def seed(session: Session, *days: date) -> None:
    shops = [make_shop(session), make_shop(session)]
    for shop in shops:
        for day in days:
            record(session, shop.id, day, Counter({(1, EventKind.EDITOR_OPENED, ""): 3}))
    session.commit()


def test_the_cutoff_is_thirteen_months_back() -> None:
    assert analytics_cutoff(TODAY) == date(2025, 11, 6)
    assert analytics_cutoff(date(2027, 3, 31)) == date(2026, 2, 28)  # a shorter month
    assert analytics_cutoff(date(2027, 1, 15)) == date(2025, 12, 15)


def test_counters_older_than_thirteen_months_go_for_every_shop(session: Session) -> None:
    cutoff = analytics_cutoff(TODAY)
    seed(session, cutoff - timedelta(days=400), cutoff - timedelta(days=1), cutoff, TODAY)

    removed = sweep_analytics(session, TODAY)

    assert removed == 4  # two old days, two shops
    assert days_kept(session) == [cutoff, TODAY]
    assert sweep_analytics(session, TODAY) == 0


def test_the_daily_job_runs_the_sweep(app: Flask, session: Session) -> None:
    seed(session, TODAY_NOW - timedelta(days=500), TODAY_NOW)
    [periodic] = [p for p in PERIODIC if p.func is retention_jobs.sweep_analytics]

    with app.app_context():
        result = retention_jobs.sweep_analytics()

    assert periodic.cron == "37 3 * * *"
    assert result == {"rows": 2}
    assert days_kept(session) == [TODAY_NOW]
