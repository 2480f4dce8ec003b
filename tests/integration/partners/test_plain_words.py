"""Issue #21: the partner portal and the admin's fulfilment speak in words, not codes.

A status reads "Waiting for the partner", a history row "Marked shipped", a file "Front — print
file (PNG)" with its size in kB, a browser "Chrome on macOS"; the codes (action names, sha256,
exact bytes, the User-Agent, the store's gid, the raw error) stay one click away in the page's
"Technical details" disclosures.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import (
    AuditEvent,
    JobAssignment,
    Order,
    OrderItem,
    ProductionFile,
    ProductionJob,
    ShipmentPush,
)
from app.models import PushStatus as Push
from tests.support.pages import technical_details, visible_text

from .conftest import World, csrf_of, portal_login

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def _files(session: Session, assignment: JobAssignment) -> list[ProductionFile]:
    job = session.get(ProductionJob, assignment.production_job_id)
    assert job is not None
    return sorted(job.files, key=lambda f: f.id)


def test_the_job_page_names_files_by_area_and_sizes_in_units(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(client, world.a.user.email)
    job = world.jobs_a[0]
    png = next(f for f in _files(session, job) if f.format == "png")
    png.stored_file.size = 2_400_000  # a print file's real size (the page reads the row)
    session.commit()

    page = client.get(f"/partners/jobs/{job.id}").get_data(as_text=True)
    seen = visible_text(page)

    assert "Waiting for the partner" in seen
    assert 'data-status="new"' in page  # the machine value stays for scripts and styles
    assert "Front — print file (PNG)" in seen
    assert "Front — print file (PDF)" in seen
    sha = png.stored_file.sha256
    assert "Front — print file (PNG) 2.4 MB" in seen
    # the old chip: "front · png · 1234 bytes · sha256 ab12…", and the file's own name
    for code in ("sha256", sha, sha[:12], "2400000", " · png", png.stored_file.original_name):
        assert code not in seen, code
    details = technical_details(page)
    assert sha in details
    assert "2400000 bytes" in details
    assert str(png.stored_file.original_name) in details


def test_history_and_activity_rows_read_as_what_happened_and_from_which_browser(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(client, world.a.user.email)
    job = world.jobs_a[0]
    headers = {"User-Agent": CHROME_MAC}
    png = next(f for f in _files(session, job) if f.format == "png")
    assert client.get(f"/partners/jobs/{job.id}/files/{png.id}", headers=headers).status_code == 200
    slip = client.get(f"/partners/jobs/{job.id}/packing-slip.pdf", headers=headers)
    assert slip.status_code == 200
    token = csrf_of(client, f"/partners/jobs/{job.id}")
    shipped = client.post(
        f"/partners/jobs/{job.id}/status",
        data={
            "csrf_token": token,
            "status": "shipped",
            "carrier": "Colissimo",
            "tracking_number": "8R000000001",
        },
        headers=headers,
    )
    assert shipped.status_code == 302

    activity = client.get("/partners/activity").get_data(as_text=True)
    seen = visible_text(activity)

    assert "Downloaded the print file (PNG)" in seen
    assert "Downloaded the packing slip" in seen
    assert "Marked shipped" in seen
    assert "Chrome on macOS" in seen
    assert f"Job #{job.id}" in seen
    assert f'href="/partners/jobs/{job.id}"' in activity
    for code in (
        "download_packing_slip",
        "status_shipped",
        "download_file",
        "(job ",
        "Mozilla/5.0",
    ):
        assert code not in seen, code
    details = technical_details(activity)
    assert "download_packing_slip" in details
    assert CHROME_MAC in details

    history = visible_text(client.get(f"/partners/jobs/{job.id}").get_data(as_text=True))
    assert "Marked shipped" in history
    assert "Shipped" in history
    assert "status_shipped" not in history


def test_the_jobs_list_filters_and_badges_in_words(client: FlaskClient, world: World) -> None:
    portal_login(client, world.a.user.email)

    page = client.get("/partners/").get_data(as_text=True)
    seen = visible_text(page)

    assert "Waiting for the partner (2)" in seen
    assert "Problem reported (0)" in seen
    assert not re.search(r"\bnew\b", seen)


def _admin_order_page(client: FlaskClient, session: Session, assignment: JobAssignment) -> str:
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    client.post("/dev/sign-in", data={"csrf_token": token.group(1), "shop_id": assignment.shop_id})
    job = session.get(ProductionJob, assignment.production_job_id)
    assert job is not None
    item = session.get(OrderItem, job.order_item_id)
    assert item is not None
    response = client.get(f"/admin/orders/{item.order_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_admin_order_page_tells_the_partner_story_in_words(
    client: FlaskClient, session: Session, world: World
) -> None:
    job = world.jobs_a[0]
    session.add(
        AuditEvent(
            partner_id=world.a.partner.id,
            shop_id=job.shop_id,
            production_job_id=job.production_job_id,
            actor_type="partner_user",
            actor_label="Ann",
            action="download_packing_slip",
            ip="203.0.113.9",
            user_agent=CHROME_MAC,
        )
    )
    session.commit()

    page = _admin_order_page(client, session, job)
    seen = visible_text(page)

    assert "Waiting for the partner" in seen
    assert "partner status" not in seen
    assert "Downloaded the packing slip" in seen
    assert "(Chrome on macOS)" in seen
    assert "download packing slip" not in seen
    assert "203.0.113.9" not in seen
    assert "203.0.113.9" in technical_details(page)
    # the store's own id of the order (a Shopify gid) and the design id are one click away
    item = session.get(OrderItem, session.get(ProductionJob, job.production_job_id).order_item_id)  # type: ignore[union-attr]
    assert item is not None
    order = session.get(Order, item.order_id)
    assert order is not None
    assert order.external_id.startswith("gid://shopify/Order/")
    assert "Platform id" not in seen
    assert "gid://shopify" not in seen
    assert order.external_id in technical_details(page)
    design_id = item.properties.get("_luneo_design")
    if design_id:
        assert design_id not in seen
        assert design_id in technical_details(page)


def test_a_push_waiting_for_its_retry_says_when_in_words(
    client: FlaskClient, session: Session, world: World
) -> None:
    job = world.jobs_a[0]
    raw = (
        "Attempt 4 failed (RetryableError: Shopify still failing after 6 attempts: "
        "ConnectionError); it will be retried."
    )
    session.add(
        ShipmentPush(
            shop_id=job.shop_id,
            assignment_id=job.id,
            status=Push.REPORTED,
            attempts=4,
            last_error=raw,
        )
    )
    session.commit()

    page = _admin_order_page(client, session, job)
    seen = visible_text(page)

    assert re.search(
        r"Couldn't reach Shopify; Luneo will try again at \d{1,2}:\d\d\s?[AP]M UTC "
        r"\(attempt 4 of \d+\)",
        seen,
    ), seen
    assert "RetryableError" not in seen
    assert "Waiting to be sent to the store" in seen
    assert raw in technical_details(page)
