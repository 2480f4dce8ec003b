"""Store a job's outputs: one ProductionFile per (area, format), re-using identical bytes.

Two phases, so the database is written only briefly at the end of a run (on SQLite a write
transaction locks out every other writer, and renders take seconds): ``put`` writes bytes to
storage as each output is rendered, ``link`` then records the rows in one go.

Re-running a job renders the same bytes (the renderer is deterministic), finds them by sha256
among the files this job (or its design's preview) already has, and writes nothing. A file
whose bytes did change replaces the old one, whose row and bytes are then removed. Files are
deliberately not shared across jobs: a customer's redaction deletes their job's files, and must
never take away another order's print file that happened to have the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.models import Design, FileKind, ProductionFile, ProductionJob, ShopScope, StoredFile
from app.storage import Storage, new_key

STORAGE_KIND = "production"  # the key prefix segment: shops/<id>/production/…
PRODUCED_KINDS = frozenset(
    {
        FileKind.PRINT_PNG,
        FileKind.PRINT_PDF,
        FileKind.PRINT_TIFF,
        FileKind.PROOF_SHEET,
        FileKind.CUT_SVG,
        FileKind.CUT_DXF,
        FileKind.ENGRAVE_TIFF,
        FileKind.ENGRAVE_SVG,
        FileKind.PREVIEW,
        FileKind.MODEL_GLB,
        FileKind.MODEL_USDZ,
    }
)


@dataclass(frozen=True)
class Output:
    area: str
    format: str  # png, pdf, preview, glb, usdz: ProductionFile.format
    kind: FileKind
    content_type: str
    ext: str
    filename: str  # what a download is called
    data: bytes


@dataclass(frozen=True)
class Stored:
    """An output whose bytes are in storage; ``existing`` when they were already recorded."""

    area: str
    format: str
    kind: FileKind
    content_type: str
    filename: str
    key: str
    size: int
    sha256: str
    existing: StoredFile | None


class StorageMismatch(RuntimeError):
    """Storage reported other bytes than we sent: never record a file we cannot vouch for."""


@dataclass
class FileStore:
    """One job's outputs; remembers the keys it created so a failed run can remove them."""

    scope: ShopScope
    storage: Storage
    job: ProductionJob
    extra_candidates: list[StoredFile] = field(default_factory=list)
    created_keys: list[str] = field(default_factory=list)
    written: int = 0

    # ------------------------------------------------------------ phase 1: bytes

    def put(self, output: Output) -> Stored:
        """Make sure ``output``'s bytes are in storage (re-using identical ones); no DB writes."""
        digest = hashlib.sha256(output.data).hexdigest()
        existing = self._identical(digest, output)
        if existing is not None:
            if not self.storage.exists(existing.key):  # the row outlived its bytes: restore
                self._write(existing.key, digest, output)
            key = existing.key
        else:
            key = new_key(self.scope.shop_id, STORAGE_KIND, output.ext)
            self._write(key, digest, output)
            self.created_keys.append(key)
        return Stored(
            output.area,
            output.format,
            output.kind,
            output.content_type,
            output.filename[:255],
            key,
            len(output.data),
            digest,
            existing,
        )

    def _identical(self, digest: str, output: Output) -> StoredFile | None:
        candidates = [f.stored_file for f in self.job.files] + self.extra_candidates
        wanted = (digest, len(output.data), output.kind, self.scope.shop_id)
        return next(
            (f for f in candidates if (f.sha256, f.size, f.kind, f.shop_id) == wanted), None
        )

    def _write(self, key: str, digest: str, output: Output) -> None:
        written = self.storage.put(key, output.data, output.content_type)
        self.written += 1
        if (written.sha256, written.size) != (digest, len(output.data)):
            raise StorageMismatch(f"storage stored other bytes under {key!r}")

    # ------------------------------------------------------------ phase 2: rows

    def link(
        self, outputs: list[Stored]
    ) -> tuple[dict[tuple[str, str], StoredFile], list[StoredFile]]:
        """Record every output as the job's (area, format) file; drop pairs not produced.

        Returns the StoredFile per (area, format), and the files replaced (for ``drop_unused``).
        """
        linked = {(f.area_key, f.format): f for f in self.job.files}
        rows: dict[tuple[str, str], StoredFile] = {}
        replaced: list[StoredFile] = []
        for out in outputs:
            stored = out.existing or self._row(out)
            if out.existing is not None and out.existing.original_name != out.filename:
                stored.original_name = out.filename  # the same bytes under the partner's name
            rows[(out.area, out.format)] = stored
            current = linked.pop((out.area, out.format), None)
            if current is None:
                self.job.files.append(
                    ProductionFile(stored_file=stored, area_key=out.area, format=out.format)
                )
            elif current.stored_file is not stored:
                replaced.append(current.stored_file)
                current.stored_file = stored
        for gone in linked.values():
            replaced.append(gone.stored_file)
            self.job.files.remove(gone)
        return rows, replaced

    def _row(self, out: Stored) -> StoredFile:
        return self.scope.add(
            StoredFile(
                key=out.key,
                kind=out.kind,
                content_type=out.content_type,
                size=out.size,
                sha256=out.sha256,
                original_name=out.filename,
            )
        )

    def drop_unused(self, files: list[StoredFile]) -> list[str]:
        """Delete the rows of replaced files nothing uses any more; returns their keys.

        Delete those keys' bytes only after the commit (``delete_keys``), so a failed commit
        never leaves a row pointing at deleted bytes.
        """
        session = self.scope.session
        session.flush()
        keys: list[str] = []
        for old in {f.id: f for f in files}.values():
            used = session.scalar(
                select(func.count()).where(ProductionFile.stored_file_id == old.id)
            ) or session.scalar(select(func.count()).where(Design.preview_file_id == old.id))
            if not used and old.kind in PRODUCED_KINDS:
                session.delete(old)
                keys.append(old.key)
        return keys

    # ------------------------------------------------------------ cleanup

    def delete_keys(self, keys: list[str]) -> None:
        """Best effort: a leftover file is harmless, a failure here must not fail the job."""
        for key in keys:
            try:
                self.storage.delete(key)
            except Exception:  # noqa: S112 - see the docstring
                continue

    def discard_created(self) -> None:
        """After a failed run: bytes no committed row will ever point at."""
        self.delete_keys(self.created_keys)
        self.created_keys.clear()
