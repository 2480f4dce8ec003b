"""Routing produces exactly what the partner's file profile asks for, and tells it only then."""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
from flask import Flask
from PIL import Image
from redis import Redis
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.fulfilment import profiles, routing
from app.models import FileKind, JobAssignment, ProductionJob, ProductionStatus, StoredFile
from app.queue import get_queue
from app.storage import Storage
from tests.integration.partners.conftest import make_partner, route_to

from .conftest import drain, make_setup

Produce = Callable[..., Job]
PROFILE = {
    "formats": ["pdf-cmyk", "tiff"],
    "cmyk_profile": "gracol2006",
    "bleed_mm": 5,
    "crop_marks": False,
    "file_name": "{order}_{item}_{area}",
}


def _files(session: Session, job: ProductionJob) -> dict[str, StoredFile]:
    session.expire_all()
    fresh = session.get_one(ProductionJob, job.id)
    return {f"{f.area_key}.{f.format}": f.stored_file for f in fresh.files}


def _bytes(storage: Storage, stored: StoredFile) -> bytes:
    with storage.open(stored.key) as stream:
        return stream.read()


def test_a_job_is_made_as_the_partner_it_goes_to_asks(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    setup.shop.plan = "pro"  # outside print shops are a Pro feature
    partner = make_partner(session, "Press", "press@print.test").partner
    partner.file_profile = profiles.parse(PROFILE).as_dict()
    route_to(session, setup.shop, partner)
    session.commit()

    produce(setup.job)

    files = _files(session, setup.job)
    assert sorted(files) == ["front.pdf-cmyk", "front.preview", "front.tiff", "proof.proof"]
    item = setup.job.order_item_id
    assert files["front.pdf-cmyk"].original_name == f"1042_{item}_front-cmyk.pdf"
    assert files["front.tiff"].kind is FileKind.PRINT_TIFF
    with pikepdf.open(io.BytesIO(_bytes(storage, files["front.pdf-cmyk"]))) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "CGATS TR 006"
        page = pdf.pages[0]
        # no crop marks: the page is the bleed box, the partner's 5 mm around 40 x 20 mm
        media = [round(float(v) * 25.4 / 72, 2) for v in page.MediaBox]
        assert media == [0, 0, 50.0, 30.0]
        assert [float(v) for v in page.BleedBox] == [float(v) for v in page.MediaBox]
    with Image.open(io.BytesIO(_bytes(storage, files["front.tiff"]))) as tiff:
        assert tiff.mode == "CMYK"
        assert tiff.size == (197, 118)  # (40 + 2 x 5) mm x (20 + 2 x 5) mm at 100 dpi
    session.expire_all()
    job = session.get_one(ProductionJob, setup.job.id)
    assert job.files_profile == profiles.parse(PROFILE).digest
    assignment = session.scalars(select(JobAssignment)).one()
    assert assignment.partner_id == partner.id


def test_a_job_made_before_its_partner_was_chosen_is_made_again_then_announced(
    session: Session, storage: Storage, produce: Produce, app: Flask, redis: Redis
) -> None:
    setup = make_setup(session, storage)
    setup.shop.plan = "pro"
    session.commit()
    produce(setup.job)  # no rule yet: Luneo's default files, unrouted
    default_files = _files(session, setup.job)
    assert sorted(default_files) == ["front.pdf", "front.png", "front.preview", "proof.proof"]
    png_key = default_files["front.png"].key
    partner = make_partner(session, "Press", "press@print.test").partner
    partner.file_profile = profiles.parse(PROFILE).as_dict()
    partner.webhook_url, partner.webhook_secret = "https://press.test/hook", "s" * 32
    route_to(session, setup.shop, partner)
    session.commit()
    webhooks = get_queue("default", redis)
    webhooks.empty()  # ids repeat across tests while Redis lives on: a stale job would collapse
    before = 0

    with app.app_context():
        routed = routing.route_waiting(session, setup.shop.id)
        announced = routing.hand_over(session, routed)
        session.commit()

    assert len(routed) == 1
    assert announced == []  # not yet: its files are not the ones the partner wants
    session.expire_all()
    assert session.get_one(ProductionJob, setup.job.id).status is ProductionStatus.QUEUED
    assert webhooks.count == before

    drain(app)  # the render queue makes it again, for the partner's profile, then announces it

    files = _files(session, setup.job)
    assert sorted(files) == ["front.pdf-cmyk", "front.preview", "front.tiff", "proof.proof"]
    job = session.get_one(ProductionJob, setup.job.id)
    assert job.status is ProductionStatus.READY
    assert job.files_profile == profiles.parse(PROFILE).digest
    assert webhooks.count == before + 1
    # the files the partner does not want are gone from storage too
    assert not storage.exists(png_key)


def test_a_job_already_made_as_its_partner_asks_is_announced_at_once(
    session: Session, storage: Storage, produce: Produce, app: Flask, redis: Redis
) -> None:
    setup = make_setup(session, storage)
    setup.shop.plan = "pro"
    session.commit()
    produce(setup.job)
    partner = make_partner(session, "Plain", "plain@print.test").partner
    partner.webhook_url, partner.webhook_secret = "https://plain.test/hook", "s" * 32
    route_to(session, setup.shop, partner)  # a partner that never set a profile: the default
    session.commit()
    session.expire_all()  # the worker made the job READY in its own session
    webhooks = get_queue("default", redis)
    webhooks.empty()  # ids repeat across tests while Redis lives on: a stale job would collapse
    before = 0

    with app.app_context():
        routed = routing.route_waiting(session, setup.shop.id)
        announced = routing.hand_over(session, routed)
        session.commit()

    assert len(routed) == 1
    assert [a.id for a in announced] == [a.id for a in routed]
    assert webhooks.count == before + 1
    session.expire_all()
    assert session.get_one(ProductionJob, setup.job.id).status is ProductionStatus.READY


def test_a_new_profile_remakes_the_jobs_nobody_has_started_on(
    session: Session, storage: Storage, produce: Produce, app: Flask
) -> None:
    first, second = make_setup(session, storage), make_setup(session, storage)
    for setup in (first, second):
        setup.shop.plan = "pro"
    press = make_partner(session, "Press", "press@print.test")
    route_to(session, first.shop, press.partner)
    route_to(session, second.shop, press.partner)
    session.commit()
    produce(first.job)
    produce(second.job)
    session.expire_all()
    claimed = session.scalars(
        select(JobAssignment).where(JobAssignment.production_job_id == second.job.id)
    ).one()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {press.key}"}
    lease = client.post(f"/partner-api/v1/jobs/{claimed.id}/claim", json={}, headers=headers)
    assert lease.status_code == 200

    put = client.put("/partner-api/v1/profile", json=PROFILE, headers=headers)

    assert put.status_code == 200
    session.expire_all()
    assert session.get_one(ProductionJob, first.job.id).status is ProductionStatus.QUEUED
    assert session.get_one(ProductionJob, second.job.id).status is ProductionStatus.READY
    drain(app)
    assert sorted(_files(session, first.job)) == [
        "front.pdf-cmyk", "front.preview", "front.tiff", "proof.proof"
    ]  # fmt: skip
    # the claimed job keeps the files its partner may be downloading
    assert sorted(_files(session, second.job)) == [
        "front.pdf", "front.png", "front.preview", "proof.proof"
    ]  # fmt: skip
