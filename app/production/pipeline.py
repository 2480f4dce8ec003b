"""One production job, start to finish: preflight, render, store, and the status it ends in.

QUEUED → RENDERING (attempts + 1) → READY, or FAILED with a reason a merchant can read. What
counts as what:

- Bad input (a DesignError: unknown font, missing or corrupt picture, invalid document, a
  preflight error) fails the job for good: a retry would fail the same way. The job function
  returns normally, so RQ does not retry it; the merchant retries once the cause is fixed.
- Anything else (storage, database, fonts not installed) is an infrastructure problem: the job
  goes back to QUEUED with a note while RQ will retry it, or to FAILED once it will not, and the
  exception propagates so RQ applies its backoff.

Safe to run twice: a job already READY/PRINTING/SHIPPED (or FAILED: retrying is explicit) is
left alone, and a re-render re-uses the identical files it stored before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from app.db import utcnow
from app.design import (
    FORMATS,
    Design,
    DesignError,
    Finding,
    FontRegistry,
    PixelCache,
    RenderInputs,
    Request,
    TemplateSpec,
    for_print_runs,
    parse_design,
    preflight_document,
    preview,
    render_output,
)
from app.design.color import builtin_cmyk
from app.design.cutline import cut_contours
from app.design.outputs import wanted
from app.design.proof import ProofInfo, proof_sheet
from app.fulfilment import proofs
from app.fulfilment.profiles import DEFAULT as DEFAULT_PROFILE
from app.fulfilment.profiles import FORMAT_LABELS, FileProfile
from app.fulfilment.routing import files_profile_for
from app.models import (
    Design as DesignRow,
)
from app.models import (
    FileKind,
    OrderItem,
    ProductionJob,
    ProductionStatus,
    ShopScope,
    StoredFile,
    Template,
)
from app.product_templates.render_spec import mockups_for, print_spec
from app.production import quota_gate, three_d
from app.production.assets import shop_assets
from app.production.outputs import FileStore, Output, Stored
from app.storage import Storage

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

LEFT_ALONE = frozenset(
    {
        ProductionStatus.READY,
        ProductionStatus.PRINTING,
        ProductionStatus.SHIPPED,
        ProductionStatus.FAILED,
    }
)
NO_3D_IN_PLAN = (
    "3D/AR files (GLB, USDZ) are not included in this store's plan; upgrade in Plan & billing."
)
# The print files a partner's profile may ask for (``app.fulfilment.profiles``); cut and
# engraving files only when the template asks (``OutputFormat.needs``: a cut line or score
# lines for die-cut and folded products, an engraving setting for laser-engraved ones).
PRINT_KINDS = {
    "png": FileKind.PRINT_PNG,
    "pdf": FileKind.PRINT_PDF,
    "pdf-cmyk": FileKind.PRINT_PDF,
    "tiff": FileKind.PRINT_TIFF,
    "cut-svg": FileKind.CUT_SVG,
    "cut-dxf": FileKind.CUT_DXF,
    "engrave-tiff": FileKind.ENGRAVE_TIFF,
    "engrave-svg": FileKind.ENGRAVE_SVG,
}
MAX_REASON = 1000
PROOF_AREA = "proof"  # ProductionFile.area_key of the job's proof sheet


def _no_progress(done: int, total: int, message: str) -> None:
    return None


class Refused(Exception):
    """Input that cannot be printed: the job fails for good with ``message``."""

    def __init__(self, message: str, preflight: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.preflight = preflight


@dataclass(frozen=True)
class Outcome:
    """What a run did; RQ keeps it as the job's result, the CLI prints it."""

    job_id: int
    status: str  # ready, failed, skipped, missing, waiting (for the plan's quota)
    message: str = ""
    files: int = 0  # files linked to the job
    written: int = 0  # storage writes in this run (0 on an identical re-run)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- preflight report


def preflight_report(findings: list[Finding]) -> dict[str, Any]:
    """The JSON kept in ``ProductionJob.preflight`` for the admin and the partner."""
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    return {
        "findings": [f.as_dict() for f in findings],
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
    }


def _where(finding: Finding) -> str:
    if not finding.area:
        return ""
    layer = f" layer {finding.layer + 1}" if finding.layer is not None else ""
    return f"{finding.area}{layer}: "


def _refusal(errors: list[Finding]) -> str:
    noun = "problem" if len(errors) == 1 else "problems"
    listed = "; ".join(f"{_where(f)}{f.message}" for f in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"Preflight found {len(errors)} {noun} that must be fixed: {listed}{more}"


# ---------------------------------------------------------------- one run


@dataclass
class _Run:
    scope: ShopScope
    storage: Storage
    job: ProductionJob
    store: FileStore
    progress: Progress
    fonts: FontRegistry | None
    # Kept here, not on the job, until the run ends: setting it on the row mid-run would
    # autoflush an UPDATE and hold the database's write lock for the whole render.
    report: dict[str, Any] | None = None
    # What the partner the job goes to wants from its files (set before anything is rendered).
    profile: FileProfile = DEFAULT_PROFILE

    def load(self) -> tuple[DesignRow, Template]:
        job = self.job
        design = self.scope.get(DesignRow, job.design_id) if job.design_id else None
        if design is None:
            raise Refused("The design of this order line no longer exists.")
        template = self.scope.get(Template, design.template_id) if design.template_id else None
        if template is None:
            raise Refused(
                "The product template of this design no longer exists, "
                "so its print areas are unknown."
            )
        return design, template

    def check(self, design: DesignRow, spec: TemplateSpec, inputs: RenderInputs) -> Design:
        findings = preflight_document(design.document, spec, inputs.assets, inputs.registry)
        report = self.report = preflight_report(findings)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise Refused(_refusal(errors), report)
        parsed = parse_design(design.document)  # valid: preflight reported no schema error
        if not any(parsed.areas.get(key) for key in spec.area_keys):
            raise Refused("The design is empty: there is nothing to print.", report)
        return parsed

    def note(self, severity: str, area: str, code: str, message: str) -> None:
        """Add a finding made after preflight (e.g. a skipped 3D model) to the job's report."""
        report = dict(self.report or {})
        finding = {"severity": severity, "area": area, "layer": None, "code": code}
        finding["message"] = message
        if finding in report.get("findings", []):  # GLB and USDZ share one model: noted once
            return
        report["findings"] = [*report.get("findings", []), finding]
        report[f"{severity}s"] = int(report.get(f"{severity}s", 0)) + 1
        self.report = report

    @cached_property
    def order_label(self) -> str:
        """The order as the merchant knows it ("#1001" → "1001"), for download file names."""
        item = self.scope.session.get(OrderItem, self.job.order_item_id)
        name = (item.order.name or item.order.external_id) if item is not None else ""
        return re.sub(r"[^A-Za-z0-9_-]+", "", name.rsplit("/", 1)[-1]) or "order"

    def filename(self, area: str, suffix: str) -> str:
        """A download's name: the partner's pattern (default ``order-1042-item-7-front``)."""
        job = self.job
        name = self.profile.name(
            order=self.order_label, item=job.order_item_id, area=area, job=job.id
        )
        return name + suffix


def _outputs(
    run: _Run,
    design: Design,
    spec: TemplateSpec,
    inputs: RenderInputs,
    mockups: dict[str, bytes],
) -> list[tuple[str, str, Callable[[], Output]]]:
    """(area, format, render) for every file of the job, in the order they are made."""
    planned: list[tuple[str, str, Callable[[], Output]]] = []
    areas = [key for key in spec.area_keys if design.areas.get(key)]
    printed = run.profile.spec_for(spec)  # the partner's bleed, its cut lines or none
    for area in areas:
        for fmt in run.profile.formats:
            if wanted(FORMATS[fmt], printed):
                render = _print_output(run, design, printed, inputs, area, fmt, PRINT_KINDS[fmt])
                planned.append((area, fmt, render))
        planned.append((area, "preview", _preview_output(run, design, spec, inputs, area, mockups)))
    sheet = _proof_output(run, design, printed, inputs, mockups, planned)
    planned.append((PROOF_AREA, "proof", sheet))
    if not quota_gate.with_3d(run.scope.session, run.job.shop_id):
        if spec.extra.get("model_3d"):
            run.note("info", three_d.MODEL_AREA, "model_3d_not_in_plan", NO_3D_IN_PLAN)
        return planned
    return planned + three_d.planned_outputs(spec, design, inputs, run.filename)


def _print_output(
    run: _Run,
    design: Design,
    spec: TemplateSpec,
    inputs: RenderInputs,
    area: str,
    fmt: str,
    kind: FileKind,
) -> Callable[[], Output]:
    spec_format = FORMATS[fmt]

    profile = run.profile
    icc = builtin_cmyk(profile.cmyk_profile).icc if profile.cmyk_profile else None
    request = Request(design, spec, area, inputs, cmyk_profile=icc, marks=profile.crop_marks)

    def render() -> Output:
        data = render_output(fmt, request)
        name = run.filename(area, spec_format.suffix)
        ext = spec_format.suffix.rsplit(".", 1)[-1]
        return Output(area, fmt, kind, spec_format.content_type, ext, name, data)

    return render


def _preview_output(
    run: _Run,
    design: Design,
    spec: TemplateSpec,
    inputs: RenderInputs,
    area: str,
    mockups: dict[str, bytes],
) -> Callable[[], Output]:
    def render() -> Output:
        data = preview(design, spec, area, inputs, mockups.get(area))
        name = run.filename(area, "-preview.png")
        return Output(area, "preview", FileKind.PREVIEW, "image/png", "png", name, data)

    return render


def _proof_output(
    run: _Run,
    design: Design,
    spec: TemplateSpec,
    inputs: RenderInputs,
    mockups: dict[str, bytes],
    planned: list[tuple[str, str, Callable[[], Output]]],
) -> Callable[[], Output]:
    """The proof sheet: every area as printed (the partner's bleed and cut line), its mockup,
    the findings and the files the printer gets, in words."""
    names = {a.key: a.name or a.key for a in spec.areas}
    files = [
        f"{names.get(area, area)}: {FORMAT_LABELS.get(fmt, fmt)}"
        for area, fmt, _ in planned
        if fmt in PRINT_KINDS
    ]

    def render() -> Output:
        report = run.report or {}
        findings = [
            Finding(f["severity"], f["area"], f.get("layer"), f["code"], f["message"])
            for f in report.get("findings", [])
        ]
        cuts = {a.key: cut_contours(design, spec, a.key, inputs) for a in spec.areas}
        item = run.scope.session.get(OrderItem, run.job.order_item_id)
        title = f"Order {run.order_label}" + (f" · {item.title}" if item and item.title else "")
        info = ProofInfo(title, utcnow().date(), findings, files, cuts)
        data = proof_sheet(design, spec, inputs, info, mockups)
        name = run.filename(PROOF_AREA, ".pdf")
        return Output(
            PROOF_AREA, "proof", FileKind.PROOF_SHEET, "application/pdf", "pdf", name, data
        )

    return render


def _render(run: _Run) -> list[Stored]:
    """Preflight, then every output rendered and its bytes stored; no database writes."""
    for_print_runs()
    design_row, template = run.load()
    try:
        spec = print_spec(run.scope, run.storage, template)
    except DesignError as exc:
        raise Refused(f"The product template cannot be used for printing: {exc}") from None
    inputs = RenderInputs(shop_assets(run.scope, run.storage), run.fonts, PixelCache())
    inputs = inputs.for_template(spec)
    design = run.check(design_row, spec, inputs)
    run.profile = files_profile_for(run.scope.session, run.job)
    preview_file = run.scope.get(StoredFile, design_row.preview_file_id or 0)
    run.store.extra_candidates = [preview_file] if preview_file is not None else []
    planned = _outputs(run, design, spec, inputs, mockups_for(run.scope, run.storage, template))
    total = len(planned) + 2
    run.progress(1, total, "preflight passed")
    stored: list[Stored] = []
    for done, (area, fmt, render) in enumerate(planned, start=2):
        try:
            output = render()
        except three_d.ModelSkipped as exc:
            run.note("warning", three_d.MODEL_AREA, "model_3d_skipped", str(exc))
            continue
        except DesignError as exc:
            raise Refused(f"Could not render {area} ({fmt}): {exc}", run.report) from None
        stored.append(run.store.put(output))
        run.progress(done, total, f"{area}: {fmt} stored")
    return stored


def _record(run: _Run, outputs: list[Stored]) -> list[str]:
    """The rows, in one short write: files, the design's preview, the report, READY."""
    rows, replaced = run.store.link(outputs)
    design = run.scope.get(DesignRow, run.job.design_id or 0)
    previews = [rows[(out.area, out.format)] for out in outputs if out.format == "preview"]
    if design is not None and previews:
        design.preview_file_id = previews[0].id
    run.job.preflight = run.report or {}
    run.job.files_profile = run.profile.digest
    run.job.move_to(ProductionStatus.READY)
    proofs.open_for(run.scope.session, run.job)  # approval first, when the template asks
    return run.store.drop_unused(replaced)


# ---------------------------------------------------------------- the entry point


def produce_job(
    session: Session,
    storage: Storage,
    job_id: int,
    *,
    progress: Progress = _no_progress,
    will_retry: Callable[[], bool] = lambda: False,
    fonts: FontRegistry | None = None,
) -> Outcome:
    """Render and store every file of production job ``job_id``; see the module docstring."""
    job = session.get(ProductionJob, job_id)
    if job is None:
        log.info("production job gone", extra={"production_job_id": job_id})
        return Outcome(job_id, "missing", "the production job no longer exists")
    if job.status in LEFT_ALONE:
        return Outcome(job_id, "skipped", f"already {job.status.value}", files=len(job.files))
    admitted = quota_gate.admit(session, job)
    if isinstance(admitted, str):
        quota_gate.hold(job, admitted)
        session.commit()
        log.info("production waits for quota", extra={"production_job_id": job_id})
        return Outcome(job_id, "waiting", admitted)
    if job.status is ProductionStatus.RENDERING:  # a run that died mid-way: start it over
        job.move_to(ProductionStatus.QUEUED)
    job.move_to(ProductionStatus.RENDERING)
    job.quota_blocked_at = None
    session.commit()
    scope = ShopScope(session, job.shop_id)
    run = _Run(scope, storage, job, FileStore(scope, storage, job), progress, fonts)
    try:
        outputs = _render(run)
        replaced = _record(run, outputs)
        session.commit()
    except Refused as exc:
        session.rollback()
        run.store.discard_created()
        return _fail(session, job_id, exc.message, exc.preflight)
    except Exception as exc:
        session.rollback()
        run.store.discard_created()
        _record_crash(session, job_id, exc, will_retry())
        raise
    run.store.delete_keys(replaced)
    progress(1, 1, "ready")
    outcome = Outcome(job_id, "ready", files=len(job.files), written=run.store.written)
    log.info(
        "production job ready",
        extra={"production_job_id": job_id, "files": outcome.files, "written": outcome.written},
    )
    return outcome


def _fail(session: Session, job_id: int, message: str, preflight: dict[str, Any] | None) -> Outcome:
    job = session.get(ProductionJob, job_id)
    if job is None:
        return Outcome(job_id, "missing", "the production job no longer exists")
    if preflight is not None:
        job.preflight = preflight
    if job.can_move_to(ProductionStatus.FAILED):
        job.move_to(ProductionStatus.FAILED, error=message[:MAX_REASON])
    session.commit()
    log.warning("production refused", extra={"production_job_id": job_id, "reason": message})
    return Outcome(job_id, "failed", message)


def _record_crash(session: Session, job_id: int, exc: Exception, retrying: bool) -> None:
    """Show the merchant what happened; the exception itself goes on to RQ."""
    reason = f"{type(exc).__name__}: {exc}"[:500]
    try:
        job = session.get(ProductionJob, job_id)
        if job is None or job.status is not ProductionStatus.RENDERING:
            return
        if retrying:
            job.move_to(ProductionStatus.QUEUED)
            job.error = f"Attempt {job.attempts} failed ({reason}); it will be retried."
        else:
            job.move_to(
                ProductionStatus.FAILED,
                error=f"Rendering failed after {job.attempts} attempt(s): {reason}",
            )
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not record a production failure", extra={"production_job_id": job_id})
