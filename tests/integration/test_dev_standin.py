"""``luneo dev`` shows every flow working: the demo shop is backed by a local Shopify stand-in.

Runs the real command (migrations, demo seed, Shopify stand-in, web server, workers, scheduler)
as a subprocess on its own SQLite file and the suite's Redis, then clicks through what a
developer does after ``make run``, over HTTP: a catalog sync from a second ``luneo`` command,
the demo order marked shipped in the partner portal and pushed to the store, Re-authorize in
Settings through the stand-in's grant screen, an expired token renewed with its refresh token,
and Choose Starter through the stand-in's confirmation page. The command's whole output must
hold no error. Before the stand-in, each of these failed slowly against a store that does not
exist.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
import sqlalchemy as sa
from redis import Redis

from app.config import DEFAULT_SCOPES
from app.demo import DEMO_DOMAIN
from tests.integration.test_dev_workers import _free_port

REPO = Path(__file__).resolve().parents[2]
# One scope more than the demo store granted at install: Settings asks for re-authorization.
SCOPES = DEFAULT_SCOPES + ",write_products"
TRACKING = "1Z999AA10123456784"
FAILURES = re.compile(r"Traceback|Error|ERROR|CRITICAL|WARNING(?!: This is a development server)")


@dataclass
class Dev:
    base: str
    instance: Path
    database: str
    output: Path
    env: dict[str, str]

    def standin(self) -> dict[str, str]:
        """What ``luneo dev`` recorded for other commands (the stand-in's origin, the app)."""
        recorded: dict[str, str] = json.loads((self.instance / "dev-standin.json").read_text())
        return recorded

    def store_admin(self) -> str:
        return self.standin()["SHOPIFY_SHOP_ORIGIN"].format(shop=DEMO_DOMAIN) + "/admin"

    def luneo(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in self.env.items() if not k.startswith("SHOPIFY_")}
        return subprocess.run(
            [sys.executable, "-c", "from app.cli import main; main()", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def shop_row(self) -> Any:
        engine = sa.create_engine(self.database)
        try:
            with engine.connect() as connection:
                return connection.execute(
                    sa.text("select * from shops where domain = :d"), {"d": DEMO_DOMAIN}
                ).one()
        finally:
            engine.dispose()

    def expire_token(self) -> None:
        engine = sa.create_engine(self.database)
        past = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None)
        try:
            with engine.begin() as connection:
                connection.execute(
                    sa.text("update shops set token_expires_at = :t where domain = :d"),
                    {"t": past, "d": DEMO_DOMAIN},
                )
        finally:
            engine.dispose()


class Browser:
    """Cookies and redirects, as a browser keeps them (one per person signed in)."""

    def __init__(self) -> None:
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))
        self.url = ""

    def open(self, url: str, form: dict[str, str] | None = None, **headers: str) -> str:
        data = urlencode(form).encode() if form is not None else None
        try:
            request = Request(url, data=data, headers=headers)  # noqa: S310 - http to 127.0.0.1
            with self.opener.open(request, timeout=60) as reply:
                self.url = reply.geturl()
                text: str = reply.read().decode()
                return text
        except HTTPError as exc:
            pytest.fail(f"{url} answered {exc.code}: {exc.read().decode()[:500]}")

    def post_json(self, url: str, body: dict[str, str], csrf: str) -> Any:
        request = Request(  # noqa: S310 - http to 127.0.0.1
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
        )
        with self.opener.open(request, timeout=60) as reply:  # noqa: S310 - http to 127.0.0.1
            return json.loads(reply.read())


def _field(page: str, name: str) -> str:
    match = re.search(rf"name=['\"]{name}['\"] value=['\"]([^'\"]*)['\"]", page)
    assert match is not None, f"no {name} field in the page"
    return match.group(1)


def _form_fields(page: str) -> dict[str, str]:
    fields = re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", page)
    return {name: value.replace("&amp;", "&") for name, value in fields}


def _wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"{what} within {timeout:.0f}s")


@pytest.fixture
def dev(base_settings: dict[str, Any], tmp_path: Path) -> Iterator[Dev]:
    redis = Redis.from_url(base_settings["REDIS_URL"])
    redis.flushdb()
    port = _free_port()
    database = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOPIFY_")},
        "LUNEO_ENV": "development",
        "LUNEO_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database,
        "REDIS_URL": base_settings["REDIS_URL"],
        "STORAGE_URL": str(tmp_path / "files"),
        "SCOPES": SCOPES,
        "PYTHONPATH": str(REPO),
    }
    output = tmp_path / "luneo-dev.log"
    with output.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "dev", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: torn down together
        )
    running = Dev(f"http://127.0.0.1:{port}", tmp_path / "instance", database, output, env)
    try:
        _wait_for(lambda: b"Running on" in output.read_bytes(), 90, "luneo dev did not start")
        yield running
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        redis.flushdb()
        redis.close()
    assert not (running.instance / "dev-standin.json").exists()  # gone with its stand-in


@pytest.mark.slow
def test_make_run_completes_sync_shipment_reauthorization_refresh_and_billing_with_no_error(
    dev: Dev,
) -> None:
    # The banner says where the stand-in runs
    standin = dev.standin()
    assert f"Shopify stand-in: {dev.store_admin()}" in dev.output.read_text()
    merchant, partner = Browser(), Browser()
    page = merchant.open(f"{dev.base}/dev/")
    merchant.open(
        f"{dev.base}/dev/sign-in",
        {"csrf_token": _field(page, "csrf_token"), "shop_id": _field(page, "shop_id")},
    )
    assert urlsplit(merchant.url).path == "/admin/"

    # Catalog sync, from a second command that finds the stand-in through the instance folder
    synced = dev.luneo("sync", "products", "--shop", DEMO_DOMAIN)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "products: 0 created, 5 " in synced.stdout
    assert 'data-count="products">5<' in merchant.open(f"{dev.base}/admin/")

    # The demo order, rendered, is marked shipped in the partner portal: pushed to the store
    page = partner.open(f"{dev.base}/dev/")
    partner.open(f"{dev.base}/dev/partner-sign-in", {"csrf_token": _field(page, "csrf_token")})
    job = _wait_for(
        lambda: re.search(r'href="/partners/jobs/(\d+)"', partner.open(f"{dev.base}/partners/")),
        60,
        "the demo order never reached the partner portal",
    ).group(1)
    page = partner.open(f"{dev.base}/partners/jobs/{job}")
    partner.open(
        f"{dev.base}/partners/jobs/{job}/status",
        {"csrf_token": _field(page, "csrf_token"), "status": "shipped", "carrier": "UPS"}
        | {"tracking_number": TRACKING},
    )
    _wait_for(
        lambda: TRACKING in merchant.open(dev.store_admin()), 30, "no fulfillment reached the store"
    )

    # Re-authorize: Settings → the shop's admin opens Luneo → the grant screen → the callback
    page = merchant.open(f"{dev.base}/admin/settings")
    assert "write_products" in page  # in the Technical details; the scopes read in words
    link = re.search(r'href="([^"]+)" target="_top" data-reauth-link', page)
    assert link is not None
    assert link.group(1) == f"{dev.store_admin()}/apps/{standin['SHOPIFY_API_KEY']}"
    page = merchant.open(link.group(1))  # Luneo leaves the admin's frame for the grant screen
    grant = re.search(r'href="([^"]+/admin/oauth/authorize\?[^"]+)" target="_top"', page)
    assert grant is not None
    page = merchant.open(grant.group(1).replace("&amp;", "&"))
    assert "write_products" in page
    merchant.open(
        f"{dev.store_admin()}/oauth/authorize", _form_fields(page) | {"decision": "approve"}
    )
    assert urlsplit(merchant.url).path == "/admin/"  # back in Luneo, through the admin
    shop = dev.shop_row()
    assert set(shop.scopes.split(",")) == set(SCOPES.split(","))
    assert shop.token_expires_at is not None
    assert "data-reauth" not in merchant.open(f"{dev.base}/admin/settings")

    # The new token expires: Choose Starter renews it with its refresh token first, then goes
    # to the confirmation page → Approve → back in Luneo, the plan active
    before = dev.shop_row()
    dev.expire_token()
    page = merchant.open(f"{dev.base}/admin/billing")
    csrf = re.search(r'name="luneo-csrf" content="([^"]+)"', page)
    assert csrf is not None
    chosen = merchant.post_json(
        f"{dev.base}/api/admin/billing/subscribe",
        {"plan": "starter", "interval": "month"},
        csrf.group(1),
    )
    assert chosen["redirect_url"].startswith(dev.store_admin() + "/charges/")
    assert "Approve" in merchant.open(chosen["redirect_url"])
    action = chosen["redirect_url"].split("?")[0].rsplit("/", 1)[0] + "/confirm"
    page = merchant.open(action, {"decision": "approve"})
    assert urlsplit(merchant.url).path == "/admin/billing"
    assert 'data-billing-notice="approved"' in page
    after = dev.shop_row()
    assert after.plan == "starter"
    now = datetime.now(UTC).replace(tzinfo=None)
    assert datetime.fromisoformat(str(after.token_expires_at)) > now + timedelta(minutes=30)
    assert after.refresh_token != before.refresh_token
    assert not after.needs_reauth

    # And nothing on the way logged an error
    time.sleep(1)  # the workers' last lines
    output = dev.output.read_text()
    failures = [line for line in output.splitlines() if FAILURES.search(line)]
    assert failures == [], output
