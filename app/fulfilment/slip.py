"""The packing slip PDF: order, item, ship-to, preview thumbnails and a QR code of the job id.

A4, built with reportlab. The QR encodes ``luneo-job:<id>`` so a packer scans the slip to find
the job in the portal; the id is printed beside it for when the scanner is not at hand. The
address is laid out by its country's conventions, country included (``app.display``), and the
text is set in the editor's first font family, embedded (a shopper named "Łukasz Wiśniewski"
prints as written; the standard Helvetica has no such letters and is not embedded).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.design.fonts import Face, FontRegistry, default_registry
from app.design.pdf import draw_face_text, face_font
from app.design.pdfx import finish_pdf
from app.display import DEFAULT_LOCALE, address_lines
from app.fulfilment.jobdata import JobRows
from app.models import FileKind

ReadBytes = Callable[[str], bytes]  # storage key -> bytes
THUMB = 45 * mm


def qr_payload(assignment_id: int) -> str:
    return f"luneo-job:{assignment_id}"


def _qr(canvas: Canvas, value: str, x: float, y: float, size: float, font: str) -> None:
    widget = QrCodeWidget(value)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    setattr(drawing, "initialFontName", font)  # noqa: B010 (else the renderer lists Helvetica)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def packing_slip(
    rows: JobRows,
    read: ReadBytes,
    registry: FontRegistry | None = None,
    locale: str = DEFAULT_LOCALE,
) -> bytes:
    fonts = registry or default_registry()
    family = fonts.families[0]
    regular, bold = fonts.face(family), fonts.face(family, weight=700)
    out = io.BytesIO()
    # An embedded font from the start: reportlab would otherwise list a non-embedded Helvetica.
    font = face_font(regular)
    options: dict[str, Any] = {"initialFontName": font}
    canvas = Canvas(out, pagesize=A4, invariant=1, **options)
    width, height = A4
    a, order, item = rows.assignment, rows.order, rows.item

    def text(face: Face, size: float, x: float, y: float, value: str) -> None:
        draw_face_text(canvas, face, size, x, y, value)

    canvas.setTitle(f"Packing slip - job {a.id}")
    top = height - 20 * mm
    text(bold, 18, 20 * mm, top, "Packing slip")
    text(regular, 11, 20 * mm, top - 9 * mm, f"Order {order.name or order.external_id}")
    text(regular, 11, 20 * mm, top - 15 * mm, f"Job {a.id}")
    text(regular, 11, 20 * mm, top - 21 * mm, f"Store: {rows.shop.name or rows.shop.domain}")
    _qr(canvas, qr_payload(a.id), width - 55 * mm, top - 30 * mm, 35 * mm, font)

    text(bold, 12, 20 * mm, top - 36 * mm, "Ship to")
    address = rows.address
    y = top - 42 * mm
    for line in [*address_lines(address, locale), address["phone"]]:
        if line:
            text(regular, 11, 20 * mm, y, line)
            y -= 5.5 * mm

    y -= 6 * mm
    text(bold, 12, 20 * mm, y, "Items")
    text(bold, 12, 130 * mm, y, "SKU")
    text(bold, 12, 175 * mm, y, "Qty")
    y -= 7 * mm
    text(regular, 11, 20 * mm, y, item.title[:60])
    text(regular, 11, 130 * mm, y, item.sku[:24])
    text(regular, 11, 175 * mm, y, str(item.quantity))

    y -= 10 * mm
    x = 20 * mm
    for file in sorted(rows.job.files, key=lambda f: f.id):
        if file.stored_file.kind is not FileKind.PREVIEW or x + THUMB > width:
            continue
        image = ImageReader(io.BytesIO(read(file.stored_file.key)))
        canvas.drawImage(image, x, y - THUMB, THUMB, THUMB, preserveAspectRatio=True, anchor="nw")
        text(regular, 8, x, y - THUMB - 4 * mm, file.area_key)
        x += THUMB + 5 * mm
    canvas.showPage()
    canvas.save()
    return finish_pdf(out.getvalue(), None)  # each font subset its own tag
