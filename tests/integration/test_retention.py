"""Retention: old designs nobody ordered go with the files only they used; nothing else does.

Rows are aged by rewriting their timestamps; every sweep runs in its own session, the way the
job and the CLI run it, and commits batch by batch.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import retention
from app.config import ConfigError
from app.models import (
    Design,
    DesignStatus,
    FileKind,
    Generation,
    GenerationStatus,
    PrintAreaView,
    ProductionFile,
    ProductionJob,
    Shop,
    StorageDeletion,
    StoredFile,
    Template,
)
from app.queue import get_queue
from app.retention import ShopResult
from app.storage import Storage, StoredObject
from jobs import retention as retention_jobs
from jobs.retention_cli import register_retention_commands
from jobs.schedule import PERIODIC
from tests.factories import make_design, make_order, make_shop
from tests.integration.production.conftest import image, png, put_file, small_template
from tests.integration.storefront.conftest import document, proxy_caller

DAYS = 30
OLD = 45  # days: past the cutoff
YOUNG = 5


# ----------------------------------------------------------------------------------- helpers
@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


@pytest.fixture
def shop(session: Session) -> Shop:
    return make_shop(session, domain="retention.myshopify.com")


@pytest.fixture
def template(session: Session, storage: Storage, shop: Shop) -> Template:
    made = small_template(session, storage, shop)
    mockup = session.get(StoredFile, made.print_areas[0].mockup_file_id)
    assert mockup is not None
    age(session, mockup, 400)  # the merchant's mockup is as old as it gets
    return made


def age(session: Session, row: StoredFile | Design | Generation, days: float) -> None:
    """Pretend ``row`` was created (and last changed) ``days`` days ago."""
    when = datetime.now(UTC) - timedelta(days=days)
    model = type(row)
    session.flush()
    session.execute(
        update(model).where(model.id == row.id).values(created_at=when, updated_at=when)
    )
    session.refresh(row)


def settle(session: Session) -> None:
    """Commit, and detach every row (still readable) so a sweep's deletes cannot surprise it."""
    session.commit()
    session.expunge_all()


def upload(
    session: Session,
    storage: Storage,
    shop: Shop,
    days: float,
    kind: FileKind = FileKind.UPLOAD,
) -> StoredFile:
    stored = put_file(session, storage, shop, png((8, 8)), kind)
    age(session, stored, days)
    return stored


def layers(*files: StoredFile) -> dict[str, Any]:
    return document(*(image(f"file:{f.id}") for f in files))


def design(
    session: Session,
    template: Template,
    days: float,
    *files: StoredFile,
    preview: StoredFile | None = None,
    **extra: Any,
) -> Design:
    made = make_design(
        session,
        template,
        document=extra.pop("document", layers(*files)),
        status=extra.pop("status", DesignStatus.SAVED),
        preview_file_id=preview.id if preview else None,
        **extra,
    )
    age(session, made, days)
    return made


def generation(
    session: Session, shop: Shop, file: StoredFile | None, days: float, **extra: Any
) -> Generation:
    row = Generation(
        shop_id=shop.id,
        area_key="front",
        prompt="a fox in the snow",
        cache_key="c" * 64,
        provider="local",
        status=extra.pop("status", GenerationStatus.SUCCEEDED),
        file_id=file.id if file else None,
        **extra,
    )
    session.add(row)
    age(session, row, days)
    return row


def sweep(
    app: Flask, shop: Shop, storage: Storage | None = None, days: int = DAYS, **options: Any
) -> ShopResult:
    """One sweep in its own session, as the job runs it."""
    sweeper = app.extensions["luneo.db"].new_session()
    try:
        result = retention.sweep_shop(
            sweeper, storage or app.extensions["luneo.storage"], shop.id, days, **options
        )
    finally:
        sweeper.close()
    assert result is not None
    return result


def gone(session: Session, storage: Storage, *files: StoredFile) -> bool:
    """Every one of ``files`` has lost both its row and its bytes."""
    keys = {f.id: f.key for f in files}
    session.expire_all()
    return all(
        session.get(StoredFile, file_id) is None and not storage.exists(key)
        for file_id, key in keys.items()
    )


def kept(session: Session, storage: Storage, *files: StoredFile) -> bool:
    """Every one of ``files`` still has its row and its bytes."""
    keys = {f.id: f.key for f in files}
    session.expire_all()
    return all(
        session.get(StoredFile, file_id) is not None and storage.exists(key)
        for file_id, key in keys.items()
    )


def exists(session: Session, model: type[Design] | type[Generation], row_id: int) -> bool:
    session.expire_all()
    return session.get(model, row_id) is not None


def counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (Design, StoredFile, Generation, StorageDeletion)
    }


# ----------------------------------------------------------------------- what goes, what stays
def test_an_old_unordered_design_goes_with_its_upload_and_preview(
    app: Flask, session: Session, storage: Storage, redis: Redis
) -> None:
    """Made through the storefront API, as a shopper makes it."""
    from tests.integration.storefront.conftest import small_template as storefront_template

    shop = make_shop(session, domain="abandoned-cart.myshopify.com")
    made = storefront_template(session, storage, shop, "gid://shopify/Product/7")
    settle(session)
    proxy = proxy_caller(app.test_client(), shop)
    sent = proxy.post("/uploads", data={"file": (io.BytesIO(png((200, 200))), "me.png")})
    assert sent.status_code == 201, sent.get_data(as_text=True)
    saved = proxy.post(
        "/designs", json={"template_id": made.id, "document": document(image(sent.json["src"]))}
    )
    assert saved.status_code == 201, saved.get_data(as_text=True)
    row = session.scalars(select(Design).where(Design.public_id == saved.json["design_id"])).one()
    photo = session.get(StoredFile, sent.json["file_id"])
    preview = session.get(StoredFile, row.preview_file_id)
    assert photo is not None
    assert preview is not None
    for old in (row, photo, preview):
        age(session, old, OLD)
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (1, 2)
    assert result.bytes == photo.size + preview.size > 0
    assert not exists(session, Design, row.id)
    assert gone(session, storage, photo, preview)
    assert counts(session)["storage_deletions"] == 0


def test_an_ordered_design_of_the_same_age_stays_with_all_its_files(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    photo, preview = upload(session, storage, shop, OLD), upload(session, storage, shop, OLD)
    ordered = design(session, template, OLD, photo, preview=preview)
    make_order(session, shop, ordered)
    frozen = design(
        session, template, OLD, upload(session, storage, shop, OLD), status=DesignStatus.ORDERED
    )
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (0, 0)
    assert exists(session, Design, ordered.id)
    assert exists(session, Design, frozen.id)
    assert kept(session, storage, photo, preview)


def test_a_file_shared_with_a_kept_design_stays(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    shared, own = upload(session, storage, shop, OLD), upload(session, storage, shop, OLD)
    abandoned = design(session, template, OLD, shared, own)
    young = design(session, template, YOUNG, shared)
    by_key = upload(session, storage, shop, OLD)  # named by its storage key, not file:<id>
    by_key_doc = document(image(by_key.key))
    design(session, template, OLD, document=by_key_doc, status=DesignStatus.ORDERED)
    in_meta = upload(session, storage, shop, OLD)  # named only in the editor's free-form state
    design(session, template, YOUNG, document={**layers(), "meta": {"photo_file_id": in_meta.id}})
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (1, 1)
    assert not exists(session, Design, abandoned.id)
    assert exists(session, Design, young.id)
    assert gone(session, storage, own)
    assert kept(session, storage, shared, by_key, in_meta)


def test_a_file_shared_by_abandoned_designs_in_different_batches_goes_with_the_last(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    shared = upload(session, storage, shop, OLD)
    designs = [design(session, template, OLD, shared) for _ in range(5)]
    settle(session)

    result = sweep(app, shop, batch_size=2)

    assert (result.designs, result.files) == (5, 1)
    assert not any(exists(session, Design, d.id) for d in designs)
    assert gone(session, storage, shared)


def test_a_young_design_and_young_files_stay(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    photo, preview = upload(session, storage, shop, YOUNG), upload(session, storage, shop, YOUNG)
    draft = design(session, template, YOUNG, photo, preview=preview, status=DesignStatus.DRAFT)
    edited = design(session, template, YOUNG, upload(session, storage, shop, OLD))
    edited_created = datetime.now(UTC) - timedelta(days=OLD)  # made long ago, changed lately
    session.execute(update(Design).where(Design.id == edited.id).values(created_at=edited_created))
    fresh_upload = upload(session, storage, shop, YOUNG)  # no design uses it (yet)
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (0, 0)
    assert exists(session, Design, draft.id)
    assert exists(session, Design, edited.id)
    assert kept(session, storage, photo, preview, fresh_upload)


def test_orphan_uploads_go_once_old(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    left_behind = upload(session, storage, shop, OLD)
    stray_preview = upload(session, storage, shop, OLD, FileKind.PREVIEW)
    recent = upload(session, storage, shop, YOUNG)
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (0, 2)
    assert gone(session, storage, left_behind, stray_preview)
    assert kept(session, storage, recent)


def test_production_files_mockups_and_exports_are_never_touched(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    ordered = design(session, template, OLD, upload(session, storage, shop, OLD))
    order = make_order(session, shop, ordered)
    job = ProductionJob(shop_id=shop.id, order_item_id=order.items[0].id, design_id=ordered.id)
    session.add(job)
    session.flush()
    produced = {
        fmt: upload(session, storage, shop, 400, kind)
        for fmt, kind in (
            ("png", FileKind.PRINT_PNG),
            ("pdf", FileKind.PRINT_PDF),
            ("glb", FileKind.MODEL_GLB),
            ("preview", FileKind.PREVIEW),  # a preview kind, held by a production file only
        )
    }
    for fmt, stored in produced.items():
        session.add(
            ProductionFile(
                production_job_id=job.id, stored_file_id=stored.id, area_key="front", format=fmt
            )
        )
    # The order line let go of its design (a redaction): the production job still holds it.
    order.items[0].design_id = None
    export = upload(session, storage, shop, 400, FileKind.EXPORT)
    slip = upload(session, storage, shop, 400, FileKind.PACKING_SLIP)
    unused_mockup = upload(session, storage, shop, 400, FileKind.MOCKUP)
    upload_as_mockup = upload(session, storage, shop, 400)  # an old upload an area shows
    template.print_areas[0].mockup_file_id = upload_as_mockup.id
    upload_as_view = upload(session, storage, shop, 400)  # an old upload a view shows
    template.print_areas[0].views.append(
        PrintAreaView(
            shop_id=shop.id,
            name="Back",
            mockup_file_id=upload_as_view.id,
            placement={"x": 0, "y": 0, "width": 10, "height": 10},
        )
    )
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (0, 0)
    assert exists(session, Design, ordered.id)
    assert kept(session, storage, *produced.values(), export, slip, unused_mockup)
    assert kept(session, storage, upload_as_mockup, upload_as_view)


# ------------------------------------------------------------------------------ AI generations
def test_old_generated_images_go_with_their_generations_unless_still_used(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    def ai_image(days: int) -> StoredFile:
        return upload(session, storage, shop, days, FileKind.AI_IMAGE)

    unused, blocked_image = ai_image(OLD), ai_image(OLD)
    placed, cached, recent = ai_image(OLD), ai_image(OLD), ai_image(YOUNG)
    old_unused = generation(session, shop, unused, OLD)
    cache_hit = generation(session, shop, unused, OLD)  # an old cache hit on the same image
    blocked = generation(session, shop, blocked_image, OLD, blocked_at=datetime.now(UTC))
    kept_for_design = generation(session, shop, placed, OLD)
    design(session, template, YOUNG, placed)
    old_source = generation(session, shop, cached, OLD)
    generation(session, shop, cached, YOUNG)  # a recent cache hit keeps the image in the gallery
    young = generation(session, shop, recent, YOUNG)
    refused = generation(session, shop, None, OLD, status=GenerationStatus.REFUSED)
    settle(session)

    dry = sweep(app, shop, dry_run=True)
    result = sweep(app, shop)

    assert (dry.files, dry.generations) == (result.files, result.generations) == (2, 2)
    assert gone(session, storage, unused, blocked_image)
    assert not exists(session, Generation, old_unused.id)
    assert not exists(session, Generation, cache_hit.id)
    still_blocked = session.get(Generation, blocked.id)
    assert still_blocked is not None
    assert (still_blocked.file_id, still_blocked.blocked_at is not None) == (None, True)
    assert kept(session, storage, placed, cached, recent)
    for row in (kept_for_design, old_source, young, refused):
        assert exists(session, Generation, row.id)


# ----------------------------------------------------------------------------- how a run goes
def _abandoned(session: Session, storage: Storage, shop: Shop, template: Template) -> Design:
    photo, preview = upload(session, storage, shop, OLD), upload(session, storage, shop, OLD)
    return design(session, template, OLD, photo, preview=preview)


def test_a_dry_run_reports_what_would_go_and_changes_nothing(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    for _ in range(3):
        _abandoned(session, storage, shop, template)
    generation(session, shop, upload(session, storage, shop, OLD, FileKind.AI_IMAGE), OLD)
    settle(session)
    before = counts(session)
    files = list(session.scalars(select(StoredFile)))
    session.expunge_all()

    dry = sweep(app, shop, dry_run=True, batch_size=2)

    assert (dry.designs, dry.files, dry.generations) == (3, 7, 1)
    assert dry.bytes == sum(f.size for f in files if f.kind is not FileKind.MOCKUP)
    assert counts(session) == before
    assert kept(session, storage, *files)
    real = sweep(app, shop, batch_size=2)
    assert (real.designs, real.files, real.bytes, real.generations) == (
        dry.designs,
        dry.files,
        dry.bytes,
        dry.generations,
    )


def test_a_second_run_is_a_no_op(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    _abandoned(session, storage, shop, template)
    settle(session)
    first = sweep(app, shop)
    after_first = counts(session)

    second = sweep(app, shop)

    assert (first.designs, first.files) == (1, 2)
    assert (second.designs, second.files, second.bytes, second.leftovers) == (0, 0, 0, 0)
    assert counts(session) == after_first


def test_zero_days_disables_the_sweep(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    old = _abandoned(session, storage, shop, template)
    settle(session)
    sweeper = app.extensions["luneo.db"].new_session()

    assert retention.sweep_shop(sweeper, storage, shop.id, 0) is None

    sweeper.close()
    assert exists(session, Design, old.id)


def test_a_sweep_only_touches_its_own_shop(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    other = make_shop(session, domain="neighbour.myshopify.com")
    theirs = _abandoned(session, storage, other, small_template(session, storage, other))
    their_files = list(session.scalars(select(StoredFile).where(StoredFile.shop_id == other.id)))
    mine = _abandoned(session, storage, shop, template)
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files) == (1, 2)
    assert not exists(session, Design, mine.id)
    assert exists(session, Design, theirs.id)
    assert kept(session, storage, *their_files)


def test_a_file_already_missing_from_storage_does_not_fail_the_sweep(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    old = _abandoned(session, storage, shop, template)
    lost = session.get(StoredFile, old.preview_file_id)
    assert lost is not None
    storage.delete(lost.key)
    settle(session)

    result = sweep(app, shop)

    assert (result.designs, result.files, result.pending) == (1, 2, 0)
    assert session.get(StoredFile, lost.id) is None
    assert counts(session)["storage_deletions"] == 0


@dataclass
class FailingDeletes:
    """A storage whose deletes fail (an outage): everything else goes to the real one."""

    inner: Storage

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        return self.inner.put(key, data, content_type)

    def open(self, key: str) -> IO[bytes]:
        return self.inner.open(key)

    def iter_chunks(self, key: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        return self.inner.iter_chunks(key, chunk_size)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def size(self, key: str) -> int:
        return self.inner.size(key)

    def delete(self, key: str) -> None:
        raise ConnectionError("storage is down")

    def download_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str:
        return self.inner.download_url(key, expires_in=expires_in, filename=filename)

    def check(self) -> None:
        self.inner.check()


def test_bytes_left_by_a_failed_or_interrupted_delete_go_on_the_next_run(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    old = _abandoned(session, storage, shop, template)
    keys = list(session.scalars(select(StoredFile.key).where(StoredFile.kind == FileKind.UPLOAD)))
    # A crash after an earlier run's commit: its row is gone, its bytes and the record are not.
    crashed = storage.put(f"shops/{shop.id}/uploads/2020/01/crashed.png", png((4, 4)), "image/png")
    session.add(StorageDeletion(shop_id=shop.id, key=crashed.key, size=crashed.size))
    settle(session)

    outage = sweep(app, shop, FailingDeletes(storage))

    assert (outage.designs, outage.files, outage.pending) == (1, 2, 3)
    assert session.get(Design, old.id) is None
    assert all(storage.exists(key) for key in keys)  # rows gone, bytes still there
    recorded = list(session.scalars(select(StorageDeletion)))
    assert sorted(r.key for r in recorded) == sorted([*keys, crashed.key])
    assert all(r.attempts == 1 and "storage is down" in (r.last_error or "") for r in recorded)

    recovered = sweep(app, shop)

    assert (recovered.designs, recovered.files, recovered.leftovers, recovered.pending) == (
        0,
        0,
        3,
        0,
    )
    assert not any(storage.exists(key) for key in [*keys, crashed.key])
    assert counts(session)["storage_deletions"] == 0


def test_a_pending_key_that_a_row_holds_again_is_forgotten_not_deleted(
    app: Flask, session: Session, storage: Storage, shop: Shop
) -> None:
    held = upload(session, storage, shop, YOUNG)
    session.add(StorageDeletion(shop_id=shop.id, key=held.key, size=held.size))
    settle(session)

    result = sweep(app, shop)

    assert result.leftovers == 1
    assert kept(session, storage, held)
    assert counts(session)["storage_deletions"] == 0


def test_an_order_that_claims_a_design_mid_sweep_keeps_it(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    """The DELETE repeats the rules: a design linked after it was picked is not removed."""
    claimed = _abandoned(session, storage, shop, template)
    settle(session)
    original = retention._ShopSweep._delete_designs

    def order_arrives_first(self: retention._ShopSweep, ids: list[int]) -> list[int]:
        make_order(self.session, shop, self.session.get(Design, claimed.id))
        return original(self, ids)

    retention._ShopSweep._delete_designs = order_arrives_first  # type: ignore[method-assign]
    try:
        result = sweep(app, shop)
    finally:
        retention._ShopSweep._delete_designs = original  # type: ignore[method-assign]

    assert (result.designs, result.files) == (0, 0)
    assert exists(session, Design, claimed.id)


# --------------------------------------------------------------------- job, schedule, CLI
def test_the_daily_job_hands_every_shop_its_own_sweep(
    app: Flask, session: Session, storage: Storage, redis: Redis, shop: Shop, template: Template
) -> None:
    other = make_shop(session, uninstalled_at=datetime.now(UTC))
    old = _abandoned(session, storage, shop, template)
    settle(session)
    periodic = [p for p in PERIODIC if p.func is retention_jobs.sweep_all]
    assert [p.cron for p in periodic] == ["23 3 * * *"]

    with app.app_context():
        assert retention_jobs.sweep_all() == {"shops": 2, "leftovers": 0}
        waiting = sorted(get_queue("default", redis).job_ids)
        result = retention_jobs.sweep_shop(shop.id)

    assert waiting == sorted([f"retention-{shop.id}", f"retention-{other.id}"])
    assert result is not None
    assert (result["designs"], result["files"]) == (1, 2)
    assert not exists(session, Design, old.id)


@pytest.fixture
def retention_off(settings: dict[str, Any]) -> dict[str, Any]:
    settings["DESIGN_RETENTION_DAYS"] = 0
    return settings


def test_with_the_setting_at_zero_the_job_and_the_cli_do_nothing(
    retention_off: dict[str, Any],
    app: Flask,
    session: Session,
    storage: Storage,
    redis: Redis,
    shop: Shop,
    template: Template,
) -> None:
    old = _abandoned(session, storage, shop, template)
    settle(session)
    register_retention_commands(app.cli)

    with app.app_context():
        assert retention_jobs.sweep_all() == {"shops": 0, "leftovers": 0}
        assert retention_jobs.sweep_shop(shop.id) is None
    output = app.test_cli_runner().invoke(args=["retention", "run"])

    assert get_queue("default", redis).job_ids == []
    assert output.exit_code == 0, output.output
    assert "Retention is off (LUNEO_DESIGN_RETENTION_DAYS=0)" in output.output
    assert exists(session, Design, old.id)


def test_the_cli_dry_run_then_run_for_one_shop(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    other = make_shop(session, domain="other.myshopify.com")
    theirs = _abandoned(session, storage, other, small_template(session, storage, other))
    mine = _abandoned(session, storage, shop, template)
    settle(session)
    register_retention_commands(app.cli)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["retention", "run", "--dry-run", "--shop", shop.domain])

    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing is changed" in dry.output
    assert "retention.myshopify.com: 1 designs, 2 files" in dry.output
    assert "would remove (1 shops): 1 designs, 2 files" in dry.output
    assert exists(session, Design, mine.id)

    real = runner.invoke(args=["retention", "run", "--shop", shop.domain])

    assert real.exit_code == 0, real.output
    assert "removed (1 shops): 1 designs, 2 files" in real.output
    assert not exists(session, Design, mine.id)
    assert exists(session, Design, theirs.id)


def test_the_cli_sweeps_every_shop_and_refuses_an_unknown_one(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    other = make_shop(session)
    _abandoned(session, storage, other, small_template(session, storage, other))
    _abandoned(session, storage, shop, template)
    settle(session)
    register_retention_commands(app.cli)
    runner = app.test_cli_runner()

    unknown = runner.invoke(args=["retention", "run", "--shop", "nope.myshopify.com"])
    everything = runner.invoke(args=["retention", "run"])

    assert unknown.exit_code == 1
    assert "no shop with domain nope.myshopify.com" in unknown.output
    assert everything.exit_code == 0, everything.output
    assert "removed (2 shops): 2 designs, 4 files" in everything.output
    assert counts(session)["designs"] == 0


@pytest.mark.parametrize(
    ("_case", "environ", "expected"),
    [
        ("default", {}, 30),
        ("set", {"LUNEO_DESIGN_RETENTION_DAYS": "90"}, 90),
        ("off", {"LUNEO_DESIGN_RETENTION_DAYS": "0"}, 0),
    ],
)
def test_the_setting_comes_from_the_environment(
    _case: str, environ: dict[str, str], expected: int, tmp_path: Any
) -> None:
    from app.config import from_environment

    assert from_environment(environ, tmp_path)["DESIGN_RETENTION_DAYS"] == expected


def test_a_negative_setting_is_refused_at_start_up(settings: dict[str, Any]) -> None:
    from app import create_app

    with pytest.raises(ConfigError, match="LUNEO_DESIGN_RETENTION_DAYS"):
        create_app({**settings, "DESIGN_RETENTION_DAYS": -1})


# ------------------------------------------------------------- photos no design places: hours
HOURS = 6


def hours(n: float) -> float:
    """``n`` hours, in the days the helpers above age rows by."""
    return n / 24


def sweep_photos(app: Flask, shop: Shop, **options: Any) -> ShopResult:
    """One upload sweep in its own session, as the 15-minute job runs it."""
    sweeper = app.extensions["luneo.db"].new_session()
    try:
        result = retention.sweep_uploads(
            sweeper, app.extensions["luneo.storage"], shop.id, HOURS, **options
        )
    finally:
        sweeper.close()
    assert result is not None
    return result


def test_photos_no_design_places_go_hours_after_upload_not_days(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    """The attack: a stream of anonymous uploads nobody places, kept for the design retention."""
    stray = [upload(session, storage, shop, hours(7)) for _ in range(3)]
    by_key = upload(session, storage, shop, hours(7))
    by_id = upload(session, storage, shop, hours(20))
    in_older_design = upload(session, storage, shop, hours(12))
    recent = upload(session, storage, shop, hours(2))
    ai_image = upload(session, storage, shop, hours(7), FileKind.AI_IMAGE)
    preview = upload(session, storage, shop, hours(7), FileKind.PREVIEW)
    placed = design(session, template, hours(1), document=document(image(by_key.key)))
    design(session, template, hours(3), by_id)
    design(session, template, hours(11), in_older_design)
    settle(session)

    result = sweep_photos(app, shop)

    assert (result.designs, result.files, result.generations) == (0, 3, 0)
    assert result.bytes == sum(f.size for f in stray)
    assert gone(session, storage, *stray)
    assert kept(session, storage, by_key, by_id, in_older_design, recent, ai_image, preview)
    assert exists(session, Design, placed.id)
    assert counts(session)["storage_deletions"] == 0


def test_the_upload_sweep_leaves_designs_and_older_photos_to_the_daily_sweep(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    abandoned = _abandoned(session, storage, shop, template)
    forgotten = upload(session, storage, shop, 3)  # past the look-back: the daily sweep's
    settle(session)

    result = sweep_photos(app, shop)

    assert (result.designs, result.files) == (0, 0)
    assert exists(session, Design, abandoned.id)
    assert kept(session, storage, forgotten)


def test_a_dry_upload_sweep_changes_nothing(
    app: Flask, session: Session, storage: Storage, shop: Shop, template: Template
) -> None:
    stray = upload(session, storage, shop, hours(7))
    settle(session)
    before = counts(session)

    result = sweep_photos(app, shop, dry_run=True)

    assert (result.files, result.bytes) == (1, stray.size)
    assert counts(session) == before
    assert kept(session, storage, stray)


def test_photos_uploaded_through_the_storefront_go_with_the_15_minute_job(
    app: Flask, session: Session, storage: Storage, redis: Redis
) -> None:
    from tests.integration.storefront.conftest import small_template as storefront_template

    shop = make_shop(session, domain="anonymous-uploads.myshopify.com")
    storefront_template(session, storage, shop, "gid://shopify/Product/8")
    quiet = make_shop(session, domain="quiet.myshopify.com")
    settle(session)
    proxy = proxy_caller(app.test_client(), shop)
    sent = [
        proxy.post("/uploads", data={"file": (io.BytesIO(png((300, 300))), f"{n}.png")})
        for n in range(5)
    ]
    assert [s.status_code for s in sent] == [201] * 5
    photos = [session.get(StoredFile, s.json["file_id"]) for s in sent]
    for photo in photos:
        assert photo is not None
        age(session, photo, hours(HOURS + 1))
    settle(session)
    periodic = [p for p in PERIODIC if p.func is retention_jobs.sweep_uploads_all]
    assert [p.cron for p in periodic] == ["*/15 * * * *"]

    with app.app_context():
        assert retention_jobs.sweep_uploads_all() == {"shops": 1}
        waiting = get_queue("default", redis).job_ids
        result = retention_jobs.sweep_uploads(shop.id)
        nothing = retention_jobs.sweep_uploads(quiet.id)

    assert waiting == [f"upload-retention-{shop.id}"]
    assert result is not None
    assert (result["designs"], result["files"]) == (0, 5)
    assert nothing is not None
    assert nothing["files"] == 0
    assert gone(session, storage, *[p for p in photos if p is not None])


@pytest.fixture
def upload_retention_off(settings: dict[str, Any]) -> dict[str, Any]:
    settings["UPLOAD_RETENTION_HOURS"] = 0
    return settings


def test_with_upload_retention_at_zero_the_job_does_nothing(
    upload_retention_off: dict[str, Any],
    app: Flask,
    session: Session,
    storage: Storage,
    redis: Redis,
    shop: Shop,
) -> None:
    stray = upload(session, storage, shop, hours(7))
    settle(session)

    with app.app_context():
        assert retention_jobs.sweep_uploads_all() == {"shops": 0}
        assert retention_jobs.sweep_uploads(shop.id) is None

    assert get_queue("default", redis).job_ids == []
    assert kept(session, storage, stray)


def test_the_upload_setting_comes_from_the_environment_and_refuses_negatives(
    settings: dict[str, Any], tmp_path: Any
) -> None:
    from app import create_app
    from app.config import from_environment

    assert from_environment({}, tmp_path)["UPLOAD_RETENTION_HOURS"] == 6
    assert (
        from_environment({"LUNEO_UPLOAD_RETENTION_HOURS": "2"}, tmp_path)["UPLOAD_RETENTION_HOURS"]
        == 2
    )
    with pytest.raises(ConfigError, match="LUNEO_UPLOAD_RETENTION_HOURS"):
        create_app({**settings, "UPLOAD_RETENTION_HOURS": -1})
