"""Rows, files and a worker for the production tests: small print areas, low DPI, real renders."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from redis import Redis
from rq.job import Job
from sqlalchemy.orm import Session

from app.design import FontRegistry, FontsNotInstalled
from app.models import (
    Design,
    FileKind,
    Order,
    ProductionJob,
    ProductionStatus,
    Shop,
    StoredFile,
    Template,
)
from app.production.enqueue import production_spec
from app.queue import JobSpec, enqueue
from app.storage import Storage, new_key
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.support.workers import run_jobs


@pytest.fixture(scope="session", autouse=True)
def _fonts() -> None:
    try:
        FontRegistry.load()
    except FontsNotInstalled as exc:
        pytest.fail(f"{exc}\nProduction renders real fonts: run scripts/install-assets first.")


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


def png(size: tuple[int, int], color: tuple[int, int, int] = (0, 128, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def put_file(
    session: Session, storage: Storage, shop: Shop, data: bytes, kind: FileKind = FileKind.UPLOAD
) -> StoredFile:
    key = new_key(shop.id, kind.value.replace("_", "-"), "png")
    written = storage.put(key, data, "image/png")
    stored = StoredFile(
        shop_id=shop.id,
        key=key,
        kind=kind,
        content_type="image/png",
        size=written.size,
        sha256=written.sha256,
    )
    session.add(stored)
    session.flush()
    return stored


def text(value: str, **extra: Any) -> dict[str, Any]:
    layer = {"type": "text", "text": value, "font": "Inter", "size_mm": 6, "x_mm": 4, "y_mm": 4}
    return {**layer, **extra}


def image(src: str, **extra: Any) -> dict[str, Any]:
    layer = {"type": "image", "src": src, "x_mm": 20, "y_mm": 4, "width_mm": 12, "height_mm": 12}
    return {**layer, **extra}


RECT = {
    "type": "shape",
    "shape": "rect",
    "fill": "#ff0000",
    "x_mm": 0,
    "y_mm": 0,
    "width_mm": 10,
    "height_mm": 10,
}


@dataclass
class Setup:
    shop: Shop
    template: Template
    design: Design
    order: Order
    job: ProductionJob
    photo: StoredFile


def small_template(session: Session, storage: Storage, shop: Shop) -> Template:
    """One 40 x 20 mm area at 100 DPI with 2 mm bleed, placed on a 200 x 100 px mockup."""
    template = make_template(session, make_product(session, shop, title="Mug"), min_image_dpi=40)
    area = template.print_areas[0]
    area.width_mm, area.height_mm, area.dpi = Decimal("40"), Decimal("20"), 100
    area.bleed_mm, area.safe_margin_mm = Decimal("2"), Decimal("3")
    area.mockup_file_id = put_file(
        session, storage, shop, png((200, 100), (240, 240, 240)), FileKind.MOCKUP
    ).id
    area.mockup_placement = {"x": 10, "y": 10, "width": 80, "height": 40}
    session.flush()
    return template


def make_setup(
    session: Session,
    storage: Storage,
    layers: list[dict[str, Any]] | None = None,
    shop: Shop | None = None,
) -> Setup:
    """A shop's designed order line waiting for production (QUEUED), committed."""
    shop = shop or make_shop(session)
    template = small_template(session, storage, shop)
    photo = put_file(session, storage, shop, png((60, 60)))
    document_layers = layers if layers is not None else [RECT, text("Ada"), image(photo.key)]
    document = {"version": 1, "areas": {"front": {"layers": document_layers}}}
    design = make_design(session, template, document=document)
    order = make_order(session, shop, design, name="#1042")
    job = ProductionJob(
        shop_id=shop.id,
        order_item_id=order.items[0].id,
        design_id=design.id,
        status=ProductionStatus.QUEUED,
    )
    session.add(job)
    session.commit()
    return Setup(shop, template, design, order, job, photo)


def spec_for(job: ProductionJob, **changes: Any) -> JobSpec:
    return dataclasses.replace(production_spec(job.id, job.shop_id), **changes)


@pytest.fixture
def produce(app: Flask, redis: Redis) -> Callable[..., Job]:
    """Enqueue a production job (optionally with other retry settings) and run the worker."""

    def run(job: ProductionJob, **changes: Any) -> Job:
        rq_job = enqueue(redis, spec_for(job, **changes))
        drain(app)
        rq_job.refresh()
        return rq_job

    return run


def drain(app: Flask, *, scheduler: bool = False) -> None:
    """Run the waiting production jobs (the ``render`` queue)."""
    run_jobs(app, "render", scheduler=scheduler)
