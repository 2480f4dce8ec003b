"""Database plumbing: the declarative base, the engine, and sessions for requests and jobs.

Plain SQLAlchemy 2.0 rather than an extension, so jobs and the CLI use exactly the same objects
as requests. The naming convention gives every constraint a stable name, which keeps Alembic
migrations identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy import (
    Enum as SAEnum,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    ORMExecuteState,
    Session,
    SessionTransaction,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A moment read back from anywhere the offset may be lost (an aggregate on SQLite, a value
    built in memory) as aware UTC: a naive one is UTC, since Luneo never stores local time."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Enums are stored by value as plain strings (no native PG enum), so adding a status later is
    # a code change, not a migration that locks a table.
    type_annotation_map = {
        enum.Enum: SAEnum(
            enum.Enum,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; Luneo emits BEGIN itself (the recipe
    # from SQLAlchemy's SQLite dialect documentation), IMMEDIATE at the first write (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers (other processes, ``BEGIN``-less reads) go on while one writer writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


# Statements that run outside a transaction on SQLite: plain reads, and PRAGMAs (which must).
_SQLITE_READS = ("SELECT", "PRAGMA", "EXPLAIN")


def _sqlite_write_lock(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    """Open the SQLite transaction with ``BEGIN IMMEDIATE`` at its first write or locking read.

    A deferred ``BEGIN`` broke concurrent writes: a transaction that has read and then writes
    must upgrade its lock, and SQLite answers SQLITE_BUSY at once when another writer holds it
    (the busy handler is skipped, as waiting could deadlock or leave a stale snapshot), so two
    requests writing at once got "database is locked" in milliseconds. ``BEGIN IMMEDIATE`` takes
    the write lock first, so writers queue on ``busy_timeout`` instead. Reads before the first
    write run outside any transaction (as in Rails and Django, each sees the latest commit, like
    PostgreSQL's READ COMMITTED), so a job that only reads while it calls a store holds no lock.
    ``SELECT … FOR UPDATE`` counts as a write: SQLite has no row locks, the write lock stands in.
    """
    raw = conn.connection.dbapi_connection
    if raw is None or raw.in_transaction:
        return
    compiled = getattr(context, "compiled", None)
    locking = getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None
    if locking or not statement.lstrip().upper().startswith(_SQLITE_READS):
        raw.execute("BEGIN IMMEDIATE")


_LIVE_DATABASES: weakref.WeakSet[Database] = weakref.WeakSet()


def _dispose_pools_after_fork() -> None:
    # RQ forks a work-horse per job: a child must not reuse the parent's pooled sockets.
    for database in list(_LIVE_DATABASES):
        database.engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_pools_after_fork)


# Whether a session has written since its transaction began, for callers that must know if
# work they hand on has to wait for a commit (``app.queue.enqueue_when_committed``). Flushed
# ORM changes and ORM-enabled INSERT/UPDATE/DELETE statements count; raw SQL text does not.
_WROTE = "luneo.wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's own transaction, not a savepoint in it
        session.info.pop(_WROTE, None)


def has_uncommitted_writes(session: Session) -> bool:
    """True when ``session`` holds changes (flushed or not) that its next commit would write."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


class Database:
    """One engine per app, and the sessionmaker every caller goes through."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs = {"echo": echo}
        elif url.startswith("postgresql") and "connect_timeout" not in url:
            # A host that drops packets would otherwise hold /readyz and /metrics for minutes.
            kwargs["connect_args"] = {"connect_timeout": 10}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "before_cursor_execute", _sqlite_write_lock)
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        _LIVE_DATABASES.add(self)

    def bind_to(self, connection: Connection) -> None:
        """Route new sessions through ``connection`` (tests roll back one outer transaction)."""
        self._factory = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def new_session(self) -> Session:
        return self._factory()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work for jobs and commands: commit on success, roll back on error."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
