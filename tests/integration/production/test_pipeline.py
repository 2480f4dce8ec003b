"""Production jobs on a real worker: files stored right, idempotent runs, failures sorted out."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import IO

import pypdf
import pytest
import trimesh
from flask import Flask
from PIL import Image
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Design,
    FileKind,
    ProductionJob,
    ProductionStatus,
    StoredFile,
)
from app.queue import enqueue, get_queue
from app.storage import LocalStorage, Storage, StoredObject

from .conftest import drain, image, make_setup, put_file, spec_for, text

Produce = Callable[..., Job]


def reload(session: Session, job: ProductionJob) -> ProductionJob:
    session.expire_all()
    fresh = session.get(ProductionJob, job.id)
    assert fresh is not None
    return fresh


def files_by_format(job: ProductionJob) -> dict[str, StoredFile]:
    return {f"{f.area_key}.{f.format}": f.stored_file for f in job.files}


def stored_bytes(storage: Storage, stored: StoredFile) -> bytes:
    with storage.open(stored.key) as stream:
        return stream.read()


def production_keys(storage: Storage, shop_id: int) -> list[str]:
    assert isinstance(storage, LocalStorage)
    root = storage.root / "shops" / str(shop_id) / "production"
    return sorted(str(p.relative_to(storage.root)) for p in root.rglob("*") if p.is_file())


def test_a_designed_line_is_rendered_to_stored_print_files(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)

    rq_job = produce(setup.job)

    assert rq_job.get_status() == JobStatus.FINISHED
    assert rq_job.meta["progress"]["percent"] == 100
    job = reload(session, setup.job)
    assert (job.status, job.attempts, job.error) == (ProductionStatus.READY, 1, None)
    files = files_by_format(job)
    assert sorted(files) == ["front.pdf", "front.png", "front.preview", "proof.proof"]
    kinds = {name: stored.kind for name, stored in files.items()}
    assert kinds == {
        "front.pdf": FileKind.PRINT_PDF,
        "front.png": FileKind.PRINT_PNG,
        "front.preview": FileKind.PREVIEW,
        "proof.proof": FileKind.PROOF_SHEET,
    }
    for stored in files.values():
        data = stored_bytes(storage, stored)
        assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert stored.key.startswith(f"shops/{setup.shop.id}/production/")
        assert stored.shop_id == setup.shop.id
    area = setup.template.print_areas[0]
    with Image.open(io.BytesIO(stored_bytes(storage, files["front.png"]))) as print_png:
        assert print_png.size == area.pixel_size == (173, 94)  # (40 + 2 x 2) mm x 100 / 25.4
        assert round(print_png.info["dpi"][0]) == 100
    pdf = pypdf.PdfReader(io.BytesIO(stored_bytes(storage, files["front.pdf"])))
    trim = pdf.pages[0].trimbox
    assert (round(float(trim.width) * 25.4 / 72, 2), round(float(trim.height) * 25.4 / 72, 2)) == (
        40.0,
        20.0,
    )
    with Image.open(io.BytesIO(stored_bytes(storage, files["front.preview"]))) as preview:
        assert preview.size == (200, 100)  # the mockup's size: the design sits on it
    design = session.get(Design, setup.design.id)
    assert design is not None
    assert design.preview_file_id == files["front.preview"].id
    assert files["front.png"].original_name == f"order-1042-item-{job.order_item_id}-front.png"


def test_preflight_findings_are_kept_with_the_job(
    session: Session, storage: Storage, produce: Produce
) -> None:
    # the 60 px photo over 12 mm is 127 dpi: printable, with a warning
    setup = make_setup(session, storage)

    produce(setup.job)

    job = reload(session, setup.job)
    assert job.preflight["errors"] == 0
    codes = [(f["severity"], f["code"], f["layer"]) for f in job.preflight["findings"]]
    assert ("warning", "image_dpi_low", 2) in codes
    assert ("warning", "outside_safe_area", 0) not in codes  # the rect bleeds off the corner


def test_running_again_creates_nothing_new(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    produce(setup.job)
    job = reload(session, setup.job)
    before = {name: (s.id, s.key, s.sha256) for name, s in files_by_format(job).items()}
    links = sorted(f.id for f in job.files)
    keys = production_keys(storage, setup.shop.id)
    stored_count = session.scalar(select(func.count()).select_from(StoredFile))

    # when the same job is produced again (re-queued by hand, then run)
    job.move_to(ProductionStatus.QUEUED)
    session.commit()
    rq_job = produce(job)

    job = reload(session, setup.job)
    assert job.status is ProductionStatus.READY
    assert rq_job.return_value()["written"] == 0
    assert {n: (s.id, s.key, s.sha256) for n, s in files_by_format(job).items()} == before
    assert sorted(f.id for f in job.files) == links
    assert production_keys(storage, setup.shop.id) == keys
    assert session.scalar(select(func.count()).select_from(StoredFile)) == stored_count


def test_a_ready_job_is_left_alone(session: Session, storage: Storage, produce: Produce) -> None:
    setup = make_setup(session, storage)
    produce(setup.job)
    attempts = reload(session, setup.job).attempts

    rq_job = produce(setup.job)

    assert rq_job.return_value()["status"] == "skipped"
    job = reload(session, setup.job)
    assert (job.status, job.attempts) == (ProductionStatus.READY, attempts)


def test_an_unknown_font_fails_for_good_with_a_readable_reason(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage, [text("Ada", font="Comic Sans")])

    rq_job = produce(setup.job)

    # not an infrastructure error: RQ saw the job finish, and will not retry it
    assert rq_job.get_status() == JobStatus.FINISHED
    assert rq_job.retries_left == 3
    assert rq_job.return_value()["status"] == "failed"
    job = reload(session, setup.job)
    assert (job.status, job.attempts) == (ProductionStatus.FAILED, 1)
    assert job.error is not None
    assert job.error.startswith("Preflight found 1 problem that must be fixed: front layer 1:")
    assert "unknown font 'Comic Sans'" in job.error
    assert [f["code"] for f in job.preflight["findings"]] == ["unknown_font"]
    assert job.files == []
    assert production_keys(storage, setup.shop.id) == []


@pytest.mark.parametrize("_case", ["storage key", "file id"])
def test_another_shops_picture_is_not_resolved(
    session: Session, storage: Storage, produce: Produce, _case: str
) -> None:
    # given another shop's upload, whose bytes are in storage
    theirs = make_setup(session, storage)
    ref = theirs.photo.key if _case == "storage key" else f"file:{theirs.photo.id}"
    setup = make_setup(session, storage, [image(ref)])

    produce(setup.job)

    # then it is simply not found for this shop: nothing of it reaches a print file
    job = reload(session, setup.job)
    assert job.status is ProductionStatus.FAILED
    assert f"the file {ref!r} was not found" in (job.error or "")
    assert [f["code"] for f in job.preflight["findings"]] == ["image_missing"]
    assert job.files == []


def test_a_corrupt_picture_fails_naming_the_layer(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage, [text("Ada")])
    broken = put_file(session, storage, setup.shop, b"\x89PNG\r\n\x1a\n not really")
    setup.design.document = {"version": 1, "areas": {"front": {"layers": [image(broken.key)]}}}
    session.commit()

    produce(setup.job)

    job = reload(session, setup.job)
    assert job.status is ProductionStatus.FAILED
    assert "front layer 1: the file is not an image we can read" in (job.error or "")


class FlakyStorage:
    """The app's storage, failing its first ``failures`` writes as an outage would."""

    def __init__(self, inner: Storage, failures: int) -> None:
        self.inner, self.failures = inner, failures

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("storage unavailable")
        return self.inner.put(key, data, content_type)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_storage_outage_is_retried_with_backoff(
    app: Flask, session: Session, storage: Storage, redis: Redis
) -> None:
    setup = make_setup(session, storage)
    app.extensions["luneo.storage"] = FlakyStorage(storage, failures=1)

    rq_job = enqueue(redis, spec_for(setup.job))
    drain(app)

    # the attempt failed: RQ holds a retry, the merchant sees it will be retried
    assert rq_job.get_status(refresh=True) == JobStatus.SCHEDULED
    job = reload(session, setup.job)
    assert job.status is ProductionStatus.QUEUED
    assert job.error == (
        "Attempt 1 failed (ConnectionError: storage unavailable); it will be retried."
    )
    assert job.files == []

    # when the retry comes due, storage is back
    queue = get_queue("render", redis)
    queue.scheduled_job_registry.schedule(rq_job, rq_job.created_at)
    drain(app, scheduler=True)

    rq_job.refresh()
    assert rq_job.get_status() == JobStatus.FINISHED
    assert rq_job.retries_left == 2
    job = reload(session, setup.job)
    assert (job.status, job.attempts, job.error) == (ProductionStatus.READY, 2, None)
    assert len(job.files) == 4
    assert len(production_keys(storage, setup.shop.id)) == 4  # nothing left from attempt 1


def test_a_storage_outage_past_the_last_retry_fails_the_job_with_its_reason(
    app: Flask, session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    app.extensions["luneo.storage"] = FlakyStorage(storage, failures=100)

    rq_job = produce(setup.job, retries=1, retry_intervals=(0,))

    assert rq_job.get_status() == JobStatus.FAILED
    job = reload(session, setup.job)
    assert (job.status, job.attempts) == (ProductionStatus.FAILED, 2)
    assert job.error == (
        "Rendering failed after 2 attempt(s): ConnectionError: storage unavailable"
    )
    assert production_keys(storage, setup.shop.id) == []


def test_a_deleted_job_ends_quietly(session: Session, storage: Storage, produce: Produce) -> None:
    setup = make_setup(session, storage)
    job_id = setup.job.id
    session.delete(setup.job)
    session.commit()
    setup.job.id = job_id

    rq_job = produce(setup.job)

    assert rq_job.get_status() == JobStatus.FINISHED
    assert rq_job.return_value()["status"] == "missing"


def test_an_empty_design_is_refused(session: Session, storage: Storage, produce: Produce) -> None:
    setup = make_setup(session, storage, [])

    produce(setup.job)

    job = reload(session, setup.job)
    assert job.status is ProductionStatus.FAILED
    assert job.error == "The design is empty: there is nothing to print."


def test_the_job_can_be_cancelled_by_its_shop(session: Session, storage: Storage) -> None:
    setup = make_setup(session, storage)

    spec = spec_for(setup.job)

    assert (spec.queue, spec.func, spec.args) == (
        "render",
        "jobs.production.produce",
        (setup.job.id,),
    )
    assert spec.job_id == f"render-{setup.job.id}"
    assert spec.meta == {"shop_id": setup.shop.id}
    assert spec.retries == 3


def test_a_3d_template_also_gets_its_glb_and_usdz(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    setup.shop.plan = "pro"  # 3D/AR is a Pro feature
    setup.template.model_3d = "mug"
    session.commit()

    produce(setup.job)

    job = reload(session, setup.job)
    assert job.status is ProductionStatus.READY
    files = files_by_format(job)
    assert sorted(files) == [
        "front.pdf",
        "front.png",
        "front.preview",
        "model.glb",
        "model.usdz",
        "proof.proof",
    ]
    assert (files["model.glb"].kind, files["model.usdz"].kind) == (
        FileKind.MODEL_GLB,
        FileKind.MODEL_USDZ,
    )
    scene = trimesh.load(io.BytesIO(stored_bytes(storage, files["model.glb"])), file_type="glb")
    assert isinstance(scene, trimesh.Scene)
    geometry = next(iter(scene.geometry.values()))
    assert geometry.visual.material.baseColorTexture is not None
    with zipfile.ZipFile(io.BytesIO(stored_bytes(storage, files["model.usdz"]))) as usdz:
        assert usdz.namelist()[0].endswith(".usdc")

    # and a re-run re-uses all five files
    job.move_to(ProductionStatus.QUEUED)
    session.commit()
    assert produce(job).return_value()["written"] == 0


def test_a_3d_model_that_cannot_be_made_is_a_warning_not_a_failure(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    setup.shop.plan = "pro"
    setup.template.model_3d = "spaceship"
    session.commit()

    produce(setup.job)

    job = reload(session, setup.job)
    assert job.status is ProductionStatus.READY
    assert sorted(files_by_format(job)) == [
        "front.pdf",
        "front.png",
        "front.preview",
        "proof.proof",
    ]
    skipped = [f for f in job.preflight["findings"] if f["code"] == "model_3d_skipped"]
    assert len(skipped) == 1
    assert skipped[0]["severity"] == "warning"
    assert "unknown 3D model 'spaceship'" in skipped[0]["message"]


def test_a_changed_design_replaces_its_files_and_removes_the_old_ones(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    produce(setup.job)
    job = reload(session, setup.job)
    old = {name: (f.id, f.sha256) for name, f in files_by_format(job).items()}
    stored_count = session.scalar(select(func.count()).select_from(StoredFile))

    # when the job is produced again from a different document (an operator's correction)
    setup.design.document = {"version": 1, "areas": {"front": {"layers": [text("Grace")]}}}
    job.move_to(ProductionStatus.QUEUED)
    session.commit()
    produce(job)

    job = reload(session, setup.job)
    new = files_by_format(job)
    assert sorted(new) == sorted(old)
    assert all(new[name].sha256 != sha for name, (_, sha) in old.items())
    assert session.scalar(select(func.count()).select_from(StoredFile)) == stored_count
    assert all(session.get(StoredFile, file_id) is None for file_id, _ in old.values())
    assert production_keys(storage, setup.shop.id) == sorted(f.key for f in new.values())
