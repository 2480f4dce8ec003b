"""Accessors for the services create_app() registers, so callers never reach into app.extensions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, g
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from redis import Redis

    from app.accounts.mailer import Mailer
    from app.db import Database
    from app.storage import Storage


def get_db() -> Database:
    db: Database = current_app.extensions["luneo.db"]
    return db


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().new_session()
    session: Session = g.db_session
    return session


def open_session() -> Session | None:
    """The request's session if something already opened it; never opens one."""
    session: Session | None = g.get("db_session")
    return session


def close_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_redis() -> Redis:
    redis: Redis = current_app.extensions["luneo.redis"]
    return redis


def get_mailer() -> Mailer:
    mailer: Mailer = current_app.extensions["luneo.mailer"]  # made by app.accounts.install
    return mailer


def get_storage() -> Storage:
    storage: Storage = current_app.extensions["luneo.storage"]
    return storage
