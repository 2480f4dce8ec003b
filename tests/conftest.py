"""Fixtures shared by the whole suite.

With no settings the suite runs on the embedded defaults: a SQLite file and the embedded Redis.
With DATABASE_URL / REDIS_URL set (as on CI) it runs on those servers instead: a fresh database is
created on the PostgreSQL server for the session and dropped afterwards; the Redis database in
REDIS_URL is flushed around every test that uses it.

The schema is built once per session by the real migrations (``alembic upgrade head``); each test
then runs inside one outer transaction that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app, embedded_redis, migrate
from app.config import from_environment
from tests.support import route_builders, suite_speed

route_builders.install()  # each test's fresh app reuses the URL builders the first one compiled
suite_speed.cheap_password_hashes()

ENCRYPTION_KEY = Fernet.generate_key().decode()
SHOPIFY_API_KEY = "6f1d0c3a9b8e7f6a5d4c3b2a1f0e9d8c"
SHOPIFY_API_SECRET = "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"


def _server_database(base_url: str) -> Iterator[str]:
    """Create a throwaway database beside the one in DATABASE_URL; drop it at the end."""
    url = make_url(base_url)
    name = f"luneo_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL")
    if not configured:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'luneo-test.sqlite3'}"
        return
    base = from_environment({"DATABASE_URL": configured}, Path("."))["SQLALCHEMY_DATABASE_URI"]
    yield from _server_database(base)


@pytest.fixture(scope="session")
def migrated_database_url(database_url: str) -> str:
    migrate.upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    instance = tmp_path_factory.mktemp("redis-instance")
    yield embedded_redis.ensure_running(instance)
    embedded_redis.stop(instance)


@pytest.fixture(scope="session")
def base_settings(migrated_database_url: str, redis_url: str) -> dict[str, Any]:
    return {
        "ENV": "testing",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "SQLALCHEMY_DATABASE_URI": migrated_database_url,
        "REDIS_URL": redis_url,
        "LOG_FORMAT": "text",
        "SERVER_NAME": "luneo.test",
        "SHOPIFY_API_KEY": SHOPIFY_API_KEY,
        "SHOPIFY_API_SECRET": SHOPIFY_API_SECRET,
        "SHOPIFY_APP_URL": "https://luneo.test",
        "PREFERRED_URL_SCHEME": "https",
        # Wall-clock budgets would make a test's answer depend on how loaded the machine is
        # (a 2 s preview budget, 20 s of rendering a minute); the tests of those budgets set them.
        "STOREFRONT_PREVIEW_BUDGET_MS": 0,
        "STOREFRONT_RENDER_MS_PER_SHOP": 0,
        "STOREFRONT_RENDER_MS_PER_CLIENT": 0,
    }


@pytest.fixture
def settings(base_settings: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """Per-test settings; a test may change them before asking for ``app``."""
    return {
        **base_settings,
        "INSTANCE_PATH": tmp_path / "instance",
        "STORAGE_URL": str(tmp_path / "files"),
    }


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(settings)
    suite_speed.share_compiled_templates(app)
    db = app.extensions["luneo.db"]
    connection = db.engine.connect()
    outer = connection.begin()
    db.bind_to(connection)
    yield app
    outer.rollback()
    connection.close()
    db.engine.dispose()
    app.extensions["luneo.redis"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session inside the test's rolled-back transaction (commits become savepoints)."""
    s: Session = app.extensions["luneo.db"].new_session()
    yield s
    s.close()


@pytest.fixture
def redis(app: Flask) -> Iterator[Redis]:
    """The app's Redis, emptied before and after the test."""
    connection: Redis = app.extensions["luneo.redis"]
    connection.flushdb()
    yield connection
    connection.flushdb()
