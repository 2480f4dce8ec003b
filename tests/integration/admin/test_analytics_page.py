"""The analytics page and its CSV: the signed-in shop's figures only, charts without any
external service, and a CSV a spreadsheet cannot be made to run."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.analytics.events import record
from app.models import EventKind, Product, Role, Shop, Template
from tests.factories import make_template
from tests.integration.accounts.conftest import Browser, make_member, make_user

TODAY = datetime.now(UTC).date()


def seed(session: Session, shop: Shop, template: Template, day: date, **counts: int) -> None:
    record(
        session,
        shop.id,
        day,
        Counter({(template.id, EventKind(kind), ""): n for kind, n in counts.items()}),
    )
    session.commit()


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


@pytest.fixture
def template(session: Session, product: Product) -> Template:
    made = make_template(session, product, name='=HYPERLINK("http://evil.test")')
    session.commit()
    return made


@pytest.fixture
def their_template(session: Session, other_product: Product) -> Template:
    made = make_template(session, other_product, name="Their mug")
    session.commit()
    return made


@pytest.fixture
def figures(
    session: Session, shop: Shop, other_shop: Shop, template: Template, their_template: Template
) -> None:
    seed(session, shop, template, TODAY, editor_opened=40, design_started=20, added_to_cart=8)
    seed(session, shop, template, TODAY - timedelta(days=3), editor_opened=10, ordered=5)
    seed(session, shop, template, TODAY - timedelta(days=200), editor_opened=1000)
    seed(session, other_shop, their_template, TODAY, editor_opened=98761, ordered=98762)
    record(
        session,
        shop.id,
        TODAY,
        Counter(
            {
                (template.id, EventKind.FONT, "=cmd|' /C calc'!A0"): 3,
                (template.id, EventKind.FONT, "Inter"): 2,
                (template.id, EventKind.PREFLIGHT_FIXED, "image_dpi_low"): 4,
                (template.id, EventKind.PREFLIGHT_IGNORED, "image_dpi_low"): 1,
            }
        ),
    )
    session.commit()


def test_the_page_shows_the_funnel_for_the_range_with_accessible_svg_charts(
    cookie_client: FlaskClient, figures: None, template: Template
) -> None:
    page = cookie_client.get("/admin/analytics?range=30d")

    assert page.status_code == 200
    html = page.text
    assert 'data-count="editor_opened">50<' in html  # 40 + 10, not the 1,000 of 200 days ago
    assert 'data-count="design_started">20<' in html
    assert 'data-count="added_to_cart">8<' in html
    assert 'data-count="ordered">5<' in html
    assert 'data-rate="conversion">10.0%<' in html
    assert "98761" not in html
    assert "98762" not in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') >= 3
    assert "<title id=" in html
    assert "<desc id=" in html
    assert "<table" in html  # each chart's numbers
    assert "cdn." not in html.replace("cdn.shopify.com", "")  # no chart service
    assert "image_dpi_low" in html
    assert "&#34;" in html or "&quot;" in html  # the template's name, escaped
    year = cookie_client.get("/admin/analytics?range=12m")
    assert 'data-count="editor_opened">1050<' in year.text
    assert "by week" in year.text


def test_one_template_and_the_embedded_admin(
    client: FlaskClient,
    bearer: Callable[[], dict[str, str]],
    figures: None,
    template: Template,
) -> None:
    page = client.get(f"/admin/analytics?template={template.id}&range=7d", headers=bearer())

    assert page.status_code == 200
    assert 'data-count="editor_opened">50<' in page.text


def test_another_shops_template_is_not_found_on_the_page_and_in_the_csv(
    cookie_client: FlaskClient, figures: None, their_template: Template
) -> None:
    page = cookie_client.get(f"/admin/analytics?template={their_template.id}")
    export = cookie_client.get(f"/api/admin/analytics.csv?template={their_template.id}")
    nonsense = cookie_client.get("/admin/analytics?template=abc")

    assert page.status_code == 404
    assert export.status_code == 404
    assert nonsense.status_code == 404
    assert "98761" not in page.text + export.text


def test_the_csv_holds_the_counters_day_by_day_with_formulas_defused(
    cookie_client: FlaskClient, figures: None, template: Template
) -> None:
    response = cookie_client.get("/api/admin/analytics.csv?range=7d")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["day", "template_id", "template", "event", "key", "count"]
    body = rows[1:]
    assert [
        TODAY.isoformat(),
        str(template.id),
        '\'=HYPERLINK("http://evil.test")',
        "editor_opened",
        "",
        "40",
    ] in body
    fonts = {row[4]: row[5] for row in body if row[3] == "font"}
    assert fonts == {"'=cmd|' /C calc'!A0": "3", "Inter": "2"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)
    assert all(row[0] >= (TODAY - timedelta(days=6)).isoformat() for row in body)
    assert "98761" not in response.text


def test_the_csv_and_the_page_need_a_signed_in_merchant(client: FlaskClient, figures: None) -> None:
    export = client.get("/api/admin/analytics.csv")
    page = client.get("/admin/analytics")
    forged = client.get("/api/admin/analytics.csv", headers={"Authorization": "Bearer forged"})

    assert export.status_code == 401
    assert page.status_code in (401, 302)
    assert forged.status_code == 401
    assert "editor_opened" not in export.text + forged.text


def test_staff_read_analytics_too(
    app: Flask, session: Session, shop: Shop, figures: None, outbox: ConsoleMailer
) -> None:
    make_member(session, make_user(session, "staff@team.test"), shop, Role.STAFF)
    session.commit()
    staff = Browser(app.test_client(), outbox)
    assert staff.sign_in("staff@team.test").status_code == 302

    page = staff.client.get("/admin/analytics")
    export = staff.client.get("/api/admin/analytics.csv")

    assert page.status_code == 200
    assert 'data-count="editor_opened">50<' in page.text
    assert (export.status_code, export.mimetype) == (200, "text/csv")
