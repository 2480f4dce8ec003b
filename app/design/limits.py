"""The largest print Luneo makes, declared once: every entry point asks ``print_size_problem``.

A template is refused when it is saved (admin editor, import), when the render core reads it
(``TemplateSpec.from_dict``, so ``luneo render`` and production stop before rendering) and when
a ``--dpi`` override asks for more (``check_print_size`` before each print render). The limits:

- ``MAX_PRINT_SIDE_MM`` (5000 mm): a side of the bleed box (trim + 2 × bleed). The PDF adds
  ``pdf.SLUG_MM`` (8 mm) of crop-mark margin on every side, and a PDF page may be at most
  14,400 pt = 5080 mm a side (ISO 32000-1, annex C): 5000 + 2 × 8 stays under it.
- ``MIN_DPI``/``MAX_DPI`` (10 to 2400): beyond any print process either way.
- ``MAX_PRINT_MEGAPIXELS`` (100): one area's canvas, bleed included, at its dpi. Enough for an
  A1 poster at 300 dpi (71 MP), a 1.2 × 2 m roll-up banner at 150 dpi (84 MP) or A0 at 250 dpi
  (97 MP); a 100 MP RGBA canvas is 400 MB, what a 1-2 GB render worker can hold.

Fixed, not settings: a template one installation accepts must render on every other one
(templates move between shops as ``template.v1.json`` documents).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.design.errors import DesignError

if TYPE_CHECKING:
    from app.design.template import AreaSpec

MAX_PRINT_SIDE_MM = 5000.0
PDF_MAX_PAGE_PT = 14_400  # PDF's largest page side, in default user units (points)
MIN_DPI, MAX_DPI = 10, 2400
MAX_PRINT_MEGAPIXELS = 100


def print_size_problem(area: AreaSpec, dpi: int | None = None) -> str | None:
    """What is too big about ``area`` printed at ``dpi`` (its own by default), or None."""
    from app.design.geometry import pixel_size  # here: the CLI's options import this module

    dots = dpi or area.dpi
    width = area.width_mm + 2 * area.bleed_mm
    height = area.height_mm + 2 * area.bleed_mm
    size = f"{width:,.6g} × {height:,.6g} mm with bleed"
    if max(width, height) > MAX_PRINT_SIDE_MM:
        return (
            f"{size} is too large; the largest print Luneo makes is {MAX_PRINT_SIDE_MM:,.0f} mm "
            f"a side (a PDF page holds at most {PDF_MAX_PAGE_PT:,} pt = 5080 mm)"
        )
    if not MIN_DPI <= dots <= MAX_DPI:
        return f"{dots} dpi is outside {MIN_DPI} to {MAX_DPI} dpi"
    px_w, px_h = pixel_size(area, dots)
    if px_w * px_h > MAX_PRINT_MEGAPIXELS * 1_000_000:
        return (
            f"{size} at {dots} dpi is {px_w:,} × {px_h:,} px ({px_w * px_h / 1e6:,.0f} "
            f"megapixels); the most Luneo renders is {MAX_PRINT_MEGAPIXELS} megapixels per area"
        )
    return None


def check_print_size(area: AreaSpec, dpi: int | None = None) -> None:
    """DesignError at ``areas.<key>`` when ``area`` at ``dpi`` is past a limit above."""
    problem = print_size_problem(area, dpi)
    if problem:
        raise DesignError(f"areas.{area.key}", problem)
