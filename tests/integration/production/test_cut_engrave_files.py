"""Issue #20: a job makes the cut-line and engraving files when its template asks for them (and
only then), and the partner API lists them with the other files."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

import ezdxf
import pikepdf
from PIL import Image
from rq.job import Job
from sqlalchemy.orm import Session

from app.fulfilment.jobdata import file_dict
from app.models import FileKind, ProductionFile, ProductionJob, ProductionStatus
from app.storage import Storage

from .conftest import make_setup

Produce = Callable[..., Job]


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 (files these tests just made)


def _files(session: Session, job: ProductionJob) -> dict[str, ProductionFile]:
    session.expire_all()
    fresh = session.get(ProductionJob, job.id)
    assert fresh is not None
    assert fresh.status is ProductionStatus.READY, fresh.error
    return {f"{f.area_key}.{f.format}": f for f in fresh.files}


def test_a_template_without_settings_gets_the_print_files_only(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)

    produce(setup.job)

    assert sorted(_files(session, setup.job)) == [
        "front.pdf", "front.png", "front.preview", "proof.proof"
    ]  # fmt: skip


def test_a_cut_and_engraved_product_gets_its_files(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    setup.template.extra = {
        **(setup.template.extra or {}),
        "cut_line": {"source": "shape", "offset_mm": 1, "shape": "rounded", "corner_mm": 3},
        "engraving": {"method": "threshold", "threshold": 128},
    }
    session.commit()

    produce(setup.job)

    files = _files(session, setup.job)
    kinds = {name: f.stored_file.kind for name, f in files.items()}
    assert kinds == {
        "front.png": FileKind.PRINT_PNG,
        "front.pdf": FileKind.PRINT_PDF,
        "front.cut-svg": FileKind.CUT_SVG,
        "front.cut-dxf": FileKind.CUT_DXF,
        "front.engrave-tiff": FileKind.ENGRAVE_TIFF,
        "front.engrave-svg": FileKind.ENGRAVE_SVG,
        "front.preview": FileKind.PREVIEW,
        "proof.proof": FileKind.PROOF_SHEET,
    }

    def read(name: str) -> bytes:
        with storage.open(files[name].stored_file.key) as stream:
            return stream.read()

    pdf = pikepdf.open(io.BytesIO(read("front.pdf")))
    assert [str(g.Name) for g in pdf.Root.OCProperties.OCGs] == ["CutContour"]
    assert _xml(read("front.cut-svg")).get("width", "").endswith("mm")
    drawing = ezdxf.read(io.StringIO(read("front.cut-dxf").decode("ascii")))
    assert [p.is_closed for p in drawing.modelspace().query("POLYLINE")] == [True]
    assert Image.open(io.BytesIO(read("front.engrave-tiff"))).mode == "1"
    listed = {d["format"]: d for d in map(file_dict, files.values())}
    assert listed["cut-dxf"]["kind"] == "cut_dxf"
    assert listed["cut-dxf"]["filename"].endswith("-front-cut.dxf")
    assert listed["engrave-svg"]["content_type"] == "image/svg+xml"


def test_running_a_cut_job_again_writes_nothing(
    session: Session, storage: Storage, produce: Produce
) -> None:
    # The PDF's cut layer and the traced path are the same bytes on every run.
    setup = make_setup(session, storage)
    setup.template.extra = {**(setup.template.extra or {}), "cut_line": {"offset_mm": 1.5}}
    session.commit()
    produce(setup.job)
    session.expire_all()
    job = session.get(ProductionJob, setup.job.id)
    assert job is not None
    job.move_to(ProductionStatus.QUEUED)
    session.commit()

    rq_job = produce(job)

    assert rq_job.return_value()["written"] == 0
    assert sorted(_files(session, setup.job)) == [
        "front.cut-dxf", "front.cut-svg", "front.pdf", "front.png", "front.preview", "proof.proof",
    ]  # fmt: skip


def test_a_scored_only_product_gets_the_cut_files_with_its_creases(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)
    fold = {"x1_mm": 10, "y1_mm": 0, "x2_mm": 10, "y2_mm": 20}
    setup.template.extra = {**(setup.template.extra or {}), "score_lines": [fold]}
    session.commit()

    produce(setup.job)

    files = _files(session, setup.job)
    assert sorted(files) == [
        "front.cut-dxf", "front.cut-svg", "front.pdf", "front.png", "front.preview", "proof.proof",
    ]  # fmt: skip

    def read(name: str) -> bytes:
        with storage.open(files[name].stored_file.key) as stream:
            return stream.read()

    pdf = pikepdf.open(io.BytesIO(read("front.pdf")))
    assert [str(g.Name) for g in pdf.Root.OCProperties.OCGs] == ["Crease"]
    svg = _xml(read("front.cut-svg"))
    assert [g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g")] == ["Crease"]
    drawing = ezdxf.read(io.StringIO(read("front.cut-dxf").decode("ascii")))
    [line] = drawing.modelspace().query("LINE")
    assert line.dxf.layer == "Crease"
