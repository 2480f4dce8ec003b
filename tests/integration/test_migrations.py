"""The migrations build the whole schema on an empty database, match the models, and undo cleanly.

Runs on a fresh SQLite file always, and on a fresh PostgreSQL database when DATABASE_URL is set.
Their files are numbered in the order they run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

import app.models  # noqa: F401 - registers every table on Base.metadata (run alone, too)
from app import migrate
from app.db import Base
from tests.conftest import _server_database

REPO = Path(__file__).resolve().parents[2]
EXPECTED_TABLES = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}


@pytest.fixture(params=["sqlite", "server"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL is not set: no database server to migrate")
    from app.config import from_environment

    base = from_environment(os.environ, tmp_path)["SQLALCHEMY_DATABASE_URI"]
    yield from _server_database(base)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_builds_every_table_and_matches_the_models(empty_database: str) -> None:
    migrate.upgrade(empty_database)

    assert _tables(empty_database) == EXPECTED_TABLES
    assert migrate.current_revision(empty_database) == migrate.head_revision()
    migrate.check(empty_database)  # raises if a model change has no migration


def test_downgrade_to_base_removes_everything(empty_database: str) -> None:
    migrate.upgrade(empty_database)

    migrate.downgrade(empty_database, "base")

    assert _tables(empty_database) == {"alembic_version"}
    assert migrate.current_revision(empty_database) is None


def test_one_chain_from_base_to_head_numbered_0001_to_n_in_the_order_it_runs() -> None:
    """A file's number tells where it runs; the revision ids are data (alembic_version) and stay."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1, f"several heads: {scripts.get_heads()}"
    in_order = list(reversed(list(scripts.walk_revisions("base", "heads"))))
    assert in_order[0].down_revision is None
    for earlier, later in pairwise(in_order):
        assert later.down_revision == earlier.revision, f"{later.path} after {earlier.path}"

    names = [Path(script.path).name for script in in_order]
    expected = [f"{place:04d}_" for place in range(1, len(names) + 1)]
    assert [name[:5] for name in names] == expected, names
    on_disk = sorted(p.name for p in (migrate.MIGRATIONS_DIR / "versions").glob("*.py"))
    assert on_disk == names, "a file in migrations/versions is not in the chain"


def test_revision_0010_makes_every_existing_partner_user_an_admin_and_later_rows_operators(
    empty_database: str,
) -> None:
    migrate.upgrade(empty_database, "0009")
    now = datetime.now(UTC)
    engine = create_engine(empty_database)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO partners (id, name, email, is_active, kind, created_at,"
                    " updated_at) VALUES (1, 'Print', 'p@print.test', :yes, 'own', :now, :now)"
                ),
                {"yes": True, "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO partner_users (id, partner_id, email, name, password_hash,"
                    " is_active, created_at, updated_at)"
                    " VALUES (1, 1, 'p@print.test', 'P', 'h', :yes, :now, :now)"
                ),
                {"yes": True, "now": now},
            )
        migrate.upgrade(empty_database)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO partner_users (id, partner_id, email, name, password_hash,"
                    " is_active, created_at, updated_at)"
                    " VALUES (2, 1, 'q@print.test', 'Q', 'h', :yes, :now, :now)"
                ),
                {"yes": True, "now": now},
            )
            roles = conn.execute(text("SELECT id, role FROM partner_users ORDER BY id")).all()
    finally:
        engine.dispose()

    assert [tuple(row) for row in roles] == [(1, "admin"), (2, "operator")]
    migrate.check(empty_database)
    migrate.downgrade(empty_database, "0009")
    engine = create_engine(empty_database)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("partner_users")}
    finally:
        engine.dispose()
    assert "role" not in columns


def test_luneo_db_upgrade_command(empty_database: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LUNEO_ENV": "development",
        "LUNEO_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": empty_database,
    }

    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "db", "upgrade"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert f"database at revision {migrate.head_revision()}" in result.stdout
    assert _tables(empty_database) == EXPECTED_TABLES
    # the command needs no queue: it must not have started an embedded Redis
    assert not (tmp_path / "instance" / "redis" / "redis.pid").exists()
