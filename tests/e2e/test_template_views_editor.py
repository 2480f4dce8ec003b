"""In a real browser: the merchant renames, removes and adds views of a print area in the
template editor (a new picture uploaded, the area placed on it, following the fabric), and the
saved template holds exactly that."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import get_db
from app.models import PrintArea, PrintAreaView, StoredFile
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.test_template_editor import _seed, _sign_in


def _views(app: Flask) -> list[tuple[str, str | None, dict[str, object]]]:
    with app.app_context(), get_db().session() as session:
        area = session.scalars(select(PrintArea).where(PrintArea.key == "wrap")).one()
        rows = session.scalars(
            select(PrintAreaView)
            .where(PrintAreaView.print_area_id == area.id)
            .order_by(PrintAreaView.position)
        )
        found = []
        for view in rows:
            stored = session.get(StoredFile, view.mockup_file_id) if view.mockup_file_id else None
            found.append((view.name, stored.original_name if stored else None, view.placement))
        return found


def test_the_merchant_edits_the_views_of_a_print_area(
    live_app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    product_id = _seed(live_app)
    problems = watch(page)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/admin/products/{product_id}/template")
    views = page.locator(".area__view")
    expect(views).to_have_count(2)  # the demo mug's left and right sides
    expect(views.nth(0).get_by_label("Name")).to_have_value("Left side")

    views.nth(0).get_by_label("Name").fill("Left")
    views.nth(1).get_by_role("button", name="Remove view").click()
    expect(views).to_have_count(1)
    page.get_by_role("button", name="Add a view").click()
    expect(views).to_have_count(2)
    added = views.nth(1)
    added.get_by_label("Name").fill("On the model")
    picture = tmp_path / "model.png"
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (200, 180, 160)).save(out, "PNG")
    picture.write_bytes(out.getvalue())
    added.get_by_label("Picture").set_input_files(str(picture))
    page.wait_for_function(
        "() => document.querySelectorAll('.area__view')[1]"
        ".textContent.includes('Uploaded; choose another')"
    )
    added = views.nth(1)
    for label, value in (("Left (px)", "120"), ("Top (px)", "60"), ("Width (px)", "300")):
        added.get_by_label(label).fill(value)
    added.get_by_label("Height (px)").fill("135")
    added.get_by_label("Follows the fabric (px)").fill("60")
    # the preview shows the new picture (chosen on upload) with the area's box where typed
    expect(page.locator("[data-preview-select]")).to_have_value(re.compile(r"^\d+:1$"))
    expect(page.locator("[data-preview-svg] image")).to_have_attribute("width", "600")
    added.get_by_label("Left (px)").fill("121")
    trim = page.locator("[data-preview-svg] [data-box='trim']")
    expect(trim).to_have_attribute("x", "121")
    expect(trim).to_have_attribute("width", "300")
    # and moves it from the picture (the keys the preview's box takes), which the inputs follow
    trim.focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(added.get_by_label("Left (px)")).to_have_value("131")
    added.get_by_label("Left (px)").fill("120")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")

    saved = _views(live_app)
    assert [(name, file) for name, file, _ in saved] == [
        ("Left", "demo-mug-left.png"),
        ("On the model", "model.png"),
    ]
    assert saved[1][2] == {
        "x": 120,
        "y": 60,
        "width": 300,
        "height": 135,
        "displacement": {"strength_px": 60},
    }
    assert saved[0][2]["cylinder"] == {"circumference_mm": 257.61, "offset_mm": -40}
    assert_clean(problems)

    # an incomplete view is refused next to its input, and nothing changes
    page.get_by_role("button", name="Add a view").click()
    views.nth(2).get_by_label("Name").fill("No picture yet")
    page.get_by_role("button", name="Save template").click()
    error = page.locator("[data-error-for='print_areas[0].views[2].mockup_file_id']")
    expect(error).to_have_text("Upload a picture for this view.")
    assert len(_views(live_app)) == 2
