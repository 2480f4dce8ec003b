"""A production job prints a shop's own font (embedded) and clipart (as outlines) (issue #21)."""

from __future__ import annotations

import io

import pikepdf
from rq.job import JobStatus
from sqlalchemy.orm import Session

from app.design.fonts import BUILD_DIR
from app.models import ProductionStatus, ShopScope
from app.product_templates import shop_clipart, shop_fonts
from app.storage import Storage
from tests.factories import make_shop

from .conftest import make_setup, text
from .test_pipeline import Produce, files_by_format, reload, stored_bytes

HEART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    b'<path d="M12 21 3 12a5 5 0 0 1 9-6 5 5 0 0 1 9 6z" fill="#dc2626"/></svg>'
)


def test_the_print_pdf_embeds_the_shops_font_and_draws_its_clipart(
    session: Session, storage: Storage, produce: Produce
) -> None:
    shop = make_shop(session)
    scope = ShopScope(session, shop.id)
    lobster = (BUILD_DIR / "lobster" / "lobster-latin-400-normal.ttf").read_bytes()
    shop_fonts.upload(
        scope, storage, shop_fonts.Upload(lobster, "brand.ttf", "Brand Script", True, "me")
    )
    logos = shop_clipart.create_set(scope, "Logos")
    piece = shop_clipart.add_piece(scope, storage, logos, HEART, "Heart").piece
    session.commit()
    clipart = {
        "type": "clipart",
        "src": f"clipart:{logos.key}/{piece.name}",
        "x_mm": 20,
        "y_mm": 2,
        "width_mm": 15,
        "height_mm": 15,
    }
    setup = make_setup(session, storage, [text("Ada", font="Brand Script"), clipart], shop=shop)
    setup.template.clipart_sets = [logos.key]
    session.commit()

    rq_job = produce(setup.job)

    assert rq_job.get_status() == JobStatus.FINISHED
    job = reload(session, setup.job)
    assert (job.status, job.error) == (ProductionStatus.READY, None), job.error
    pdf = pikepdf.open(io.BytesIO(stored_bytes(storage, files_by_format(job)["front.pdf"])))
    page = pdf.pages[0]
    fonts = page.Resources.Font
    names = {str(fonts[k].BaseFont).split("+")[-1]: fonts[k] for k in fonts.keys()}  # noqa: SIM118
    shop_font = next(f for name, f in names.items() if name.startswith("Lobster-Regular"))
    assert "/FontFile2" in shop_font.FontDescriptor
    assert "/XObject" not in page.Resources or not list(page.Resources.XObject.keys())
    assert b".862745 .14902 .14902 rg" in page.Contents.read_bytes()  # the heart, as outlines
