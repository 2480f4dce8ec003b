"""What a partner sees of a job: one dict for the API, the portal and the webhook payload.

Only what printing and shipping need leaves Luneo: no prices, no customer email; the shipping
address is limited to name, lines, city, region, zip, country and phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.addresses import normalize_address
from app.formatting import iso
from app.models import (
    Design,
    JobAssignment,
    Order,
    OrderItem,
    PrintArea,
    ProductionFile,
    ProductionJob,
    Shop,
)

ADDRESS_FIELDS = (
    "name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
    "phone",
)  # what the partner API answers (openapi.json); the portal and slip also lay out the rest


@dataclass(frozen=True)
class JobRows:
    assignment: JobAssignment
    job: ProductionJob
    item: OrderItem
    order: Order
    shop: Shop

    @property
    def address(self) -> dict[str, str]:
        """The whole stored address (with ``province_code`` and ``company``), for human pages."""
        return normalize_address(self.order.shipping_address)


def load(session: Session, assignment: JobAssignment) -> JobRows:
    job = session.get(ProductionJob, assignment.production_job_id)
    item = session.get(OrderItem, job.order_item_id) if job else None
    shop = session.get(Shop, assignment.shop_id)
    if job is None or item is None or shop is None:
        raise LookupError(f"assignment {assignment.id} lost its job")
    return JobRows(assignment, job, item, item.order, shop)


def area_names(session: Session, job: ProductionJob | None) -> dict[str, str]:
    """The job's print areas by key, named as the merchant named them ("wrap" → "Wrap-around").

    Pages label files and previews with these; an area removed since keeps its key."""
    if job is None or job.design_id is None:
        return {}
    design = session.get(Design, job.design_id)
    if design is None or design.template_id is None or design.shop_id != job.shop_id:
        return {}
    rows = session.execute(
        select(PrintArea.key, PrintArea.name).where(PrintArea.template_id == design.template_id)
    )
    return {key: name or key for key, name in rows}


def shipping_address(order: Order) -> dict[str, str]:
    """The partner's view, read through the normaliser: rows stored before it read the same."""
    stored = normalize_address(order.shipping_address)
    return {field: stored[field] for field in ADDRESS_FIELDS}


def file_dict(file: ProductionFile) -> dict[str, Any]:
    stored = file.stored_file
    return {
        "id": file.id,
        "area": file.area_key,
        "format": file.format,
        "kind": stored.kind.value,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "filename": stored.original_name or f"job-{file.production_job_id}-{file.area_key}",
    }


def job_dict(rows: JobRows) -> dict[str, Any]:
    a, job, item, order = rows.assignment, rows.job, rows.item, rows.order
    return {
        "id": a.id,
        "status": a.status.value,
        "status_changed_at": iso(a.status_changed_at),
        "routed_at": iso(a.created_at),
        "problem_reason": a.problem_reason,
        "shop": {"id": rows.shop.id, "name": rows.shop.name or rows.shop.domain},
        "order": {"id": order.id, "name": order.name or order.external_id},
        "item": {"title": item.title, "sku": item.sku, "quantity": item.quantity},
        "shipping_address": shipping_address(order),
        "preflight": {
            "errors": int(job.preflight.get("errors", 0)),
            "warnings": int(job.preflight.get("warnings", 0)),
            "findings": [
                {k: f.get(k) for k in ("severity", "area", "code", "message")}
                for f in job.preflight.get("findings", [])
                if isinstance(f, dict)
            ],
        },
        "files": [file_dict(f) for f in sorted(job.files, key=lambda f: f.id)],
        "files_profile": job.files_profile,
        "files_version": job.files_version,
        "lease": {
            "owner": a.lease_owner,
            "expires_at": iso(a.lease_expires_at),
        }
        if a.lease_expires_at is not None
        else None,
        "shipment": {
            "carrier": a.carrier,
            "tracking_number": a.tracking_number,
            "tracking_url": a.tracking_url,
            "shipped_at": iso(a.shipped_at),
        }
        if a.shipped_at is not None
        else None,
    }
