"""Retention: designs nobody ordered go after N days, with the shopper files nothing else uses.

Most designs are never ordered (abandoned carts), yet their photos, previews and generated
images would otherwise stay in storage forever: a cost, and personal pictures kept with no
purpose. ``sweep_shop`` removes, for one shop and a cutoff of ``days`` days ago:

1. **Designs** not changed since the cutoff (``updated_at``) that are not ORDERED and that no
   order line and no production job refers to.
2. **Shopper files** (kinds upload, ai_image, preview) created before the cutoff that nothing
   refers to any more: no design's preview, no design's document (``file:<id>``, a storage key,
   or any ``*file_id``; every design of the shop counts, including old ones a later batch will
   remove), no production file, no print area's mockup or view picture, no generation made
   since the cutoff.
   That takes the removed designs' previews, photos and AI images, uploads no design ever
   used, and AI images nobody placed. A generated image that goes takes its generation rows
   with it, except those the merchant blocked: they stay, for the record, without the image.

Never touched: files of any other kind (print files, 3D models, packing slips, exports,
mockups), ordered designs and everything they use, and anything newer than the cutoff.

Work goes in batches of ``batch_size`` rows, one short transaction each. Each DELETE repeats its
conditions in SQL, so a design an order claimed a moment ago, or a file a new generation or
production job took, is left alone. Bytes are removed after each commit through
``app.stored_files`` (a crash in between leaves a pending deletion that the next run finishes).
A dry run reads the same rows, writes nothing and reports what a real run would remove.

``sweep_uploads`` is the same file sweep, sooner and narrower: shoppers' photos (kind upload only)
older than ``hours`` that nothing refers to — uploaded and never placed, or dropped from the
design — go within hours instead of days, so anonymous uploads cannot pile up for a month. It
looks only at photos uploaded in the day before its cutoff (``UPLOAD_LOOKBACK``; older ones are
the daily sweep's), and a design can only name a photo that existed when it was saved, so it
reads only designs changed since then: a run stays small however many designs a shop keeps.
AI images keep the daily rule: their generation rows are the merchant's gallery and usage.

``sweep_analytics`` deletes analytics counters (``app.analytics``) older than 13 months, for
every shop at once: the dashboard reads 12 months back.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, select, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.design.refs import file_id_of, referenced_file_ids, referenced_srcs
from app.models import (
    AnalyticsCounter,
    Design,
    DesignStatus,
    EventKind,
    FileKind,
    Generation,
    OrderItem,
    PrintArea,
    PrintAreaView,
    ProductionFile,
    ProductionJob,
    Shop,
    StorageDeletion,
    StoredFile,
)
from app.queue import JobSpec
from app.storage import Storage, key_belongs_to_shop
from app.stored_files import delete_pending_bytes, queue_byte_deletions

log = logging.getLogger(__name__)

SHOPPER_KINDS = (FileKind.UPLOAD, FileKind.AI_IMAGE, FileKind.PREVIEW)
UPLOAD_KINDS = (FileKind.UPLOAD,)
UPLOAD_LOOKBACK = timedelta(days=1)
BATCH_SIZE = 500
# Designs saved since the run began (less this margin, for other hosts' clocks) are read again
# before each batch of files: the first pass over the documents could not see them.
CLOCK_MARGIN = timedelta(minutes=15)

Progress = Callable[[int, int, str], None]


def _quiet(done: int, total: int, message: str) -> None:
    return None


@dataclass
class ShopResult:
    """What one shop's sweep removed (or, in a dry run, would remove)."""

    shop_id: int
    domain: str
    designs: int = 0
    files: int = 0
    bytes: int = 0
    generations: int = 0  # generation rows removed with their image
    leftovers: int = 0  # storage deletions of an earlier, interrupted run finished now
    pending: int = 0  # storage deletions that failed (or, dry run: are waiting): next run

    @property
    def removed_anything(self) -> bool:
        return bool(self.designs or self.files or self.generations or self.leftovers)

    def count(self, name: str) -> int:
        return int(getattr(self, name))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Summary:
    days: int
    dry_run: bool
    shops: list[ShopResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(shop.count(name) for shop in self.shops)

    def as_dict(self) -> dict[str, Any]:
        names = ("designs", "files", "bytes", "generations", "leftovers", "pending")
        return {
            "days": self.days,
            "dry_run": self.dry_run,
            "shops": len(self.shops),
            **{name: self.total(name) for name in names},
        }


def document_refs(document: Any, shop_id: int) -> tuple[set[int], set[str]]:
    """The StoredFile ids and this shop's storage keys a design document names."""
    ids = referenced_file_ids(document)
    keys: set[str] = set()
    for src in referenced_srcs(document):
        file_id = file_id_of(src)
        if file_id is not None:
            ids.add(file_id)
        elif key_belongs_to_shop(src, shop_id):
            keys.add(src)
    return ids, keys


@dataclass
class DocumentRefs:
    """How many of a shop's designs name each file in their document, by id and by key."""

    shop_id: int
    ids: Counter[int] = field(default_factory=Counter)
    keys: Counter[str] = field(default_factory=Counter)

    def add(self, document: Any, count: int = 1) -> None:
        ids, keys = document_refs(document, self.shop_id)
        self.ids.update(dict.fromkeys(ids, count))
        self.keys.update(dict.fromkeys(keys, count))

    def remove(self, document: Any) -> None:
        self.add(document, -1)

    def names(self, file_id: int, key: str) -> bool:
        return self.ids[file_id] > 0 or self.keys[key] > 0


def shop_ids(session: Session) -> list[int]:
    """Every shop, installed or not: data minimisation does not stop at an uninstall."""
    return list(session.scalars(select(Shop.id).order_by(Shop.id)))


def sweep_shop(
    session: Session,
    storage: Storage,
    shop_id: int,
    days: int,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress = _quiet,
) -> ShopResult | None:
    """Sweep one shop (see the module docstring); None if the shop is gone or ``days`` is 0.

    Commits after every batch (a dry run rolls back instead, having written nothing).
    """
    if days <= 0:
        return None
    shop = session.get(Shop, shop_id)
    if shop is None:
        return None
    sweep = _ShopSweep(
        session,
        storage,
        ShopResult(shop.id, shop.domain),
        cutoff=(now or utcnow()) - timedelta(days=days),
        fresh_since=(now or utcnow()) - CLOCK_MARGIN,
        dry_run=dry_run,
        batch_size=batch_size,
        progress=progress,
    )
    result = sweep.run()
    log.info(
        "retention sweep%s",
        " (dry run)" if dry_run else "",
        extra={"retention": result.as_dict(), "days": days},
    )
    return result


def sweep_uploads(
    session: Session,
    storage: Storage,
    shop_id: int,
    hours: int,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> ShopResult | None:
    """Remove the shop's photos older than ``hours`` that nothing uses (module docstring); None
    if the shop is gone or ``hours`` is 0. Designs are never removed here."""
    if hours <= 0:
        return None
    shop = session.get(Shop, shop_id)
    if shop is None:
        return None
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    sweep = _ShopSweep(
        session,
        storage,
        ShopResult(shop.id, shop.domain),
        cutoff=cutoff,
        fresh_since=(now or utcnow()) - CLOCK_MARGIN,
        dry_run=dry_run,
        batch_size=batch_size,
        progress=_quiet,
        kinds=UPLOAD_KINDS,
        files_since=cutoff - UPLOAD_LOOKBACK,
    )
    result = sweep.run()
    if result.removed_anything or result.pending:
        log.info("upload sweep", extra={"retention": result.as_dict(), "hours": hours})
    return result


@dataclass(frozen=True)
class _File:
    id: int
    key: str
    size: int


@dataclass
class _ShopSweep:
    session: Session
    storage: Storage
    result: ShopResult
    cutoff: datetime
    fresh_since: datetime
    dry_run: bool
    batch_size: int
    progress: Progress
    kinds: tuple[FileKind, ...] = SHOPPER_KINDS
    # Only files created since (and so only designs changed since) this; None: all (designs too).
    files_since: datetime | None = None
    refs: DocumentRefs = field(init=False)
    gone_designs: set[int] = field(default_factory=set)  # removed (or, dry run: would be)
    done: int = 0
    total: int = 0

    def __post_init__(self) -> None:
        self.refs = DocumentRefs(self.shop_id)

    @property
    def shop_id(self) -> int:
        return self.result.shop_id

    def run(self) -> ShopResult:
        self._finish_leftovers()
        designs = 0
        if self.files_since is None:
            designs = self._count(select(func.count(Design.id)).where(*self._design_rules()))
        files = self._count(select(func.count(StoredFile.id)).where(*self._file_candidate()))
        self.total = designs + files
        # References matter only for weighing files; with none old enough, skip the pass (the
        # design batches then count down from zero, which nothing reads).
        if files:
            self._read_document_refs()
        if self.files_since is None:
            self._sweep_designs()
        if files:
            self._sweep_files()
        self.progress(self.total, self.total, "done")
        return self.result

    # ------------------------------------------------------------------ plumbing

    def _end_batch(self) -> None:
        """Close the batch's transaction: commit it, or (dry run) drop whatever it read."""
        if self.dry_run:
            self.session.rollback()
        else:
            self.session.commit()

    def _count(self, stmt: Any) -> int:
        return int(self.session.scalar(stmt) or 0)

    def _advance(self, rows: int, message: str) -> None:
        self.done += rows
        self.total = max(self.total, self.done)
        self.progress(self.done, self.total, message)

    def _finish_leftovers(self) -> None:
        if self.dry_run:
            stmt = select(func.count(StorageDeletion.id))
            self.result.pending = self._count(stmt.where(StorageDeletion.shop_id == self.shop_id))
            return
        drained = delete_pending_bytes(self.session, self.storage, shop_id=self.shop_id)
        self.result.leftovers += drained.deleted
        self.result.pending += drained.failed

    # ------------------------------------------------------------------ designs

    def _design_rules(self) -> tuple[ColumnElement[bool], ...]:
        return (
            Design.shop_id == self.shop_id,
            Design.updated_at < self.cutoff,
            Design.status != DesignStatus.ORDERED,
            ~exists().where(OrderItem.design_id == Design.id),
            ~exists().where(ProductionJob.design_id == Design.id),
        )

    def _read_document_refs(self) -> None:
        """One pass over every design of the shop: which files their documents name."""
        stmt = select(Design.document).where(Design.shop_id == self.shop_id)
        if self.files_since is not None:  # a design names only files that existed when saved
            stmt = stmt.where(Design.updated_at >= self.files_since - CLOCK_MARGIN)
        for document in self.session.scalars(stmt.execution_options(yield_per=1000)):
            self.refs.add(document)
        self.session.rollback()  # a read: nothing to keep, and no snapshot held open

    def _sweep_designs(self) -> None:
        after = 0
        while True:
            stmt = select(Design.id, Design.document).where(
                *self._design_rules(), Design.id > after
            )
            rows = self.session.execute(stmt.order_by(Design.id).limit(self.batch_size)).all()
            if not rows:
                return
            after = rows[-1].id
            documents = {row.id: row.document for row in rows}
            gone = list(documents) if self.dry_run else self._delete_designs(list(documents))
            self._end_batch()
            for design_id in gone:
                self.refs.remove(documents[design_id])
            self.gone_designs.update(gone)
            self.result.designs += len(gone)
            self._advance(len(rows), f"{self.result.designs} designs")

    def _delete_designs(self, ids: list[int]) -> list[int]:
        stmt = (
            delete(Design)
            .where(Design.id.in_(ids), *self._design_rules())
            .returning(Design.id)
            .execution_options(synchronize_session=False)
        )
        return list(self.session.scalars(stmt))

    # ------------------------------------------------------------------ files

    def _file_candidate(self) -> tuple[ColumnElement[bool], ...]:
        rules = (
            StoredFile.shop_id == self.shop_id,
            StoredFile.kind.in_(self.kinds),
            StoredFile.created_at < self.cutoff,
        )
        if self.files_since is None:
            return rules
        return (*rules, StoredFile.created_at >= self.files_since)

    def _unused_in_sql(self) -> tuple[ColumnElement[bool], ...]:
        """What ``_used`` checks, as conditions on a StoredFile row (for the DELETE itself)."""
        return (
            ~exists().where(Design.preview_file_id == StoredFile.id),
            ~exists().where(ProductionFile.stored_file_id == StoredFile.id),
            ~exists().where(PrintArea.mockup_file_id == StoredFile.id),
            ~exists().where(PrintAreaView.mockup_file_id == StoredFile.id),
            ~exists().where(
                Generation.file_id == StoredFile.id, Generation.created_at >= self.cutoff
            ),
        )

    def _sweep_files(self) -> None:
        after = 0
        while True:
            stmt = select(StoredFile.id, StoredFile.key, StoredFile.size).where(
                *self._file_candidate(), StoredFile.id > after
            )
            found = self.session.execute(stmt.order_by(StoredFile.id).limit(self.batch_size))
            rows = [_File(row.id, row.key, row.size) for row in found]
            if not rows:
                return
            after = rows[-1].id
            used = self._used([row.id for row in rows]) | self._named_by_fresh_designs(rows)
            unused = [r for r in rows if r.id not in used and not self.refs.names(r.id, r.key)]
            self._remove_files(unused)
            self._advance(len(rows), f"{self.result.files} files")

    def _used(self, ids: list[int]) -> set[int]:
        """Which of ``ids`` a row still points at (any shop's row: erring on keeping is free)."""
        previews = self.session.execute(
            select(Design.id, Design.preview_file_id).where(Design.preview_file_id.in_(ids))
        )
        used = {file_id for design_id, file_id in previews if design_id not in self.gone_designs}
        for column, extra in (
            (ProductionFile.stored_file_id, ()),
            (PrintArea.mockup_file_id, ()),
            (PrintAreaView.mockup_file_id, ()),
            (Generation.file_id, (Generation.created_at >= self.cutoff,)),
        ):
            used.update(self.session.scalars(select(column).where(column.in_(ids), *extra)))
        return {file_id for file_id in used if file_id is not None}

    def _named_by_fresh_designs(self, rows: Iterable[_File]) -> set[int]:
        """Files named by designs saved since the run began (their refs were not read yet)."""
        fresh = DocumentRefs(self.shop_id)
        stmt = select(Design.document).where(
            Design.shop_id == self.shop_id, Design.updated_at >= self.fresh_since
        )
        for document in self.session.scalars(stmt):
            fresh.add(document)
        return {row.id for row in rows if fresh.names(row.id, row.key)}

    def _remove_files(self, rows: list[_File]) -> None:
        ids = [row.id for row in rows]
        generations = (
            self.session.execute(
                select(Generation.id, Generation.file_id, Generation.blocked_at).where(
                    Generation.file_id.in_(ids)
                )
            ).all()
            if ids
            else []
        )
        removed = rows if self.dry_run or not ids else self._delete_files(ids)
        gone = {row.id for row in removed}
        dropped = [g.id for g in generations if g.file_id in gone and g.blocked_at is None]
        blocked = [g.id for g in generations if g.file_id in gone and g.blocked_at is not None]
        if not self.dry_run and gone:
            self._let_go_of_generations(dropped, blocked)
            queue_byte_deletions(self.session, self.shop_id, [(r.key, r.size) for r in removed])
        self._end_batch()
        self.result.files += len(removed)
        self.result.bytes += sum(row.size for row in removed)
        self.result.generations += len(dropped)
        if not self.dry_run and removed:
            keys = [row.key for row in removed]
            drained = delete_pending_bytes(self.session, self.storage, keys=keys)
            self.result.pending += drained.failed

    def _delete_files(self, ids: list[int]) -> list[_File]:
        stmt = (
            delete(StoredFile)
            .where(StoredFile.id.in_(ids), *self._file_candidate(), *self._unused_in_sql())
            .returning(StoredFile.id, StoredFile.key, StoredFile.size)
            .execution_options(synchronize_session=False)
        )
        return [_File(row.id, row.key, row.size) for row in self.session.execute(stmt)]

    def _let_go_of_generations(self, dropped: list[int], blocked: list[int]) -> None:
        """Old generations whose image went: removed, or (blocked ones) kept without it."""
        if dropped:
            self.session.execute(
                delete(Generation)
                .where(Generation.shop_id == self.shop_id, Generation.id.in_(dropped))
                .execution_options(synchronize_session=False)
            )
        if blocked:  # ON DELETE SET NULL did this already; said here so no one relies on it
            self.session.execute(
                update(Generation)
                .where(Generation.shop_id == self.shop_id, Generation.id.in_(blocked))
                .values(file_id=None)
                .execution_options(synchronize_session=False)
            )


def shops_with_uploads_to_weigh(
    session: Session, hours: int, now: datetime | None = None
) -> list[int]:
    """Shops holding photos ``sweep_uploads`` would look at now: the only ones worth a job."""
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    stmt = (
        select(StoredFile.shop_id)
        .where(
            StoredFile.kind.in_(UPLOAD_KINDS),
            StoredFile.created_at < cutoff,
            StoredFile.created_at >= cutoff - UPLOAD_LOOKBACK,
        )
        .distinct()
        .order_by(StoredFile.shop_id)
    )
    return list(session.scalars(stmt))


# ------------------------------------------------------------------------------ analytics
ANALYTICS_MONTHS = 13  # the dashboard reads 12 months back; one more for a whole last month


def analytics_cutoff(today: date) -> date:
    """The first day kept: the same day ``ANALYTICS_MONTHS`` months earlier (the month's last
    day when that month is shorter)."""
    months = today.year * 12 + today.month - 1 - ANALYTICS_MONTHS
    year, month = divmod(months, 12)
    month += 1
    last = monthrange(year, month)[1]
    return date(year, month, min(today.day, last))


def sweep_analytics(session: Session, today: date | None = None) -> int:
    """Delete every shop's analytics counters older than ``ANALYTICS_MONTHS`` months, one shop
    and kind per transaction (each a range of the counters' key: shop, kind, key, day); how
    many rows went. Run daily, each transaction holds about a day of one kind's counters.
    Counters name no shopper: this is data minimisation and a bounded table, not a privacy
    duty."""
    cutoff = analytics_cutoff(today or utcnow().date())
    removed = 0
    for shop_id in shop_ids(session):
        for kind in EventKind:
            old = delete(AnalyticsCounter).where(
                AnalyticsCounter.shop_id == shop_id,
                AnalyticsCounter.kind == str(kind),
                AnalyticsCounter.day < cutoff,
            )
            removed += session.execute(old).rowcount  # type: ignore[attr-defined]
            session.commit()
    return removed


# ------------------------------------------------------------------------------ the jobs
SHOP_TIMEOUT = 3600  # a first sweep of a large shop's backlog can take a while
UPLOAD_TIMEOUT = 600  # a day of one shop's photos, and the designs changed since


def sweep_spec(shop_id: int) -> JobSpec:
    return JobSpec(
        "default",
        "jobs.retention.sweep_shop",
        (shop_id,),
        job_id=f"retention-{shop_id}",
        timeout=SHOP_TIMEOUT,
        description=f"retention sweep of shop {shop_id}",
        meta={"shop_id": shop_id},
    )


def sweep_uploads_spec(shop_id: int) -> JobSpec:
    return JobSpec(
        "default",
        "jobs.retention.sweep_uploads",
        (shop_id,),
        job_id=f"upload-retention-{shop_id}",
        timeout=UPLOAD_TIMEOUT,
        description=f"sweep of unplaced photos of shop {shop_id}",
        meta={"shop_id": shop_id},
    )
