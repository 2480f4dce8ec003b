"""Templates and designs: physical print sizes and public ids."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from app.models import DesignStatus, PrintArea
from tests.factories import make_design, make_product, make_shop, make_template


def test_print_area_pixel_size_includes_bleed_on_both_sides() -> None:
    a3 = PrintArea(
        width_mm=Decimal("297"), height_mm=Decimal("420"), dpi=300, bleed_mm=Decimal("3")
    )

    # (297 + 6) mm × 300/25.4 = 3578.7 → 3579 px; (420 + 6) mm → 5031.5 → 5031 (half to even)
    assert a3.pixel_size == (3579, 5031)


def test_design_gets_an_unguessable_public_id(session: Session) -> None:
    template = make_template(session, make_product(session, make_shop(session)))

    first, second = make_design(session, template), make_design(session, template)

    assert first.public_id.startswith("d_")
    assert len(first.public_id) == 24
    assert first.public_id != second.public_id
    assert first.status is DesignStatus.DRAFT
    assert first.is_editable
