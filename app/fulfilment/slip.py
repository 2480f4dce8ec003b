"""The packing slip PDF: order, item, ship-to, preview thumbnails and a QR code of the job id.

A4, built with reportlab. The QR encodes ``luneo-job:<id>`` so a packer scans the slip to find
the job in the portal; the id is printed beside it for when the scanner is not at hand.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.fulfilment.jobdata import JobRows, shipping_address
from app.models import FileKind

ReadBytes = Callable[[str], bytes]  # storage key -> bytes
THUMB = 45 * mm


def qr_payload(assignment_id: int) -> str:
    return f"luneo-job:{assignment_id}"


def _qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(value)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def packing_slip(rows: JobRows, read: ReadBytes) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    width, height = A4
    a, order, item = rows.assignment, rows.order, rows.item
    canvas.setTitle(f"Packing slip - job {a.id}")
    top = height - 20 * mm
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(20 * mm, top, "Packing slip")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(20 * mm, top - 9 * mm, f"Order {order.name or order.external_id}")
    canvas.drawString(20 * mm, top - 15 * mm, f"Job {a.id}")
    canvas.drawString(20 * mm, top - 21 * mm, f"Store: {rows.shop.name or rows.shop.domain}")
    _qr(canvas, qr_payload(a.id), width - 55 * mm, top - 30 * mm, 35 * mm)

    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(20 * mm, top - 36 * mm, "Ship to")
    canvas.setFont("Helvetica", 11)
    address = shipping_address(order)
    lines = [
        address["name"],
        address["address1"],
        address["address2"],
        f"{address['zip']} {address['city']} {address['province']}".strip(),
        address["country_code"],
        address["phone"],
    ]
    y = top - 42 * mm
    for line in filter(None, lines):
        canvas.drawString(20 * mm, y, line)
        y -= 5.5 * mm

    y -= 6 * mm
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(20 * mm, y, "Items")
    canvas.drawString(130 * mm, y, "SKU")
    canvas.drawString(175 * mm, y, "Qty")
    canvas.setFont("Helvetica", 11)
    y -= 7 * mm
    canvas.drawString(20 * mm, y, item.title[:60])
    canvas.drawString(130 * mm, y, item.sku[:24])
    canvas.drawString(175 * mm, y, str(item.quantity))

    y -= 10 * mm
    x = 20 * mm
    for file in sorted(rows.job.files, key=lambda f: f.id):
        if file.stored_file.kind is not FileKind.PREVIEW or x + THUMB > width:
            continue
        image = ImageReader(io.BytesIO(read(file.stored_file.key)))
        canvas.drawImage(image, x, y - THUMB, THUMB, THUMB, preserveAspectRatio=True, anchor="nw")
        canvas.setFont("Helvetica", 8)
        canvas.drawString(x, y - THUMB - 4 * mm, file.area_key)
        x += THUMB + 5 * mm
    canvas.showPage()
    canvas.save()
    return out.getvalue()
