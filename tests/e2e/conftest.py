"""A live Luneo server in a thread and Debian's Chromium driven by Playwright.

The live server has its own database (a fresh copy of a SQLite file the migrations built once
per session) because its rows must be committed for the browser to see them, unlike the
rolled-back unit tests.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from app import create_app, migrate
from tests.support import suite_speed

CHROMIUM = os.environ.get("LUNEO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built once by the real migrations: each live app starts on a copy of it
    (running the ~25 migrations took 2 s of every browser test's set-up)."""
    path = tmp_path_factory.mktemp("schema") / "migrated.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def _running_app(base_settings: dict[str, Any], schema: Path, folder: Path) -> Iterator[Flask]:
    copy = shutil.copyfile(schema, folder / "live.sqlite3")
    database = f"sqlite:///{copy}"
    app = create_app(
        {
            **base_settings,
            "ENV": "testing",
            "SERVER_NAME": None,
            "SQLALCHEMY_DATABASE_URI": database,
            "INSTANCE_PATH": folder / "instance",
            "STORAGE_URL": str(folder / "files"),
        }
    )
    suite_speed.share_compiled_templates(app)
    # Rate-limit windows (the AI images a shopper may ask for a minute, an hour) are kept in the
    # one Redis every browser test shares: each test starts with them unspent.
    app.extensions["luneo.redis"].flushdb()
    yield app
    app.extensions["luneo.db"].engine.dispose()


@contextmanager
def _serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_app(
    base_settings: dict[str, Any], migrated_sqlite: Path, tmp_path: Path
) -> Iterator[Flask]:
    with _running_app(base_settings, migrated_sqlite, tmp_path) as app:
        yield app


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    with _serving(live_app) as url:
        yield url


@pytest.fixture(scope="module")
def module_live_app(
    base_settings: dict[str, Any],
    migrated_sqlite: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Flask]:
    """One live app for a whole module: for tests that each look at one page of the same
    seeded shop, where seeding (and rendering its print files) per test would dominate."""
    with _running_app(base_settings, migrated_sqlite, tmp_path_factory.mktemp("live")) as app:
        yield app


@pytest.fixture(scope="module")
def module_live_server(module_live_app: Flask) -> Iterator[str]:
    with _serving(module_live_app) as url:
        yield url


@pytest.fixture
def luneo_url(live_server: str) -> str:
    """The live Luneo as a store's page reaches it: another host and port than the store's
    (stores are served on 127.0.0.1, see storefront_shim), so every call and file is
    cross-origin, as on a real store."""
    return live_server.replace("http://127.0.0.1:", "http://localhost:", 1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (scripts/ensure-chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
