"""GLB and USDZ for templates with a 3D model, when the 3D render modules are there.

``app.design.mesh`` (GLB, trimesh) and ``app.design.usdz`` (usd-core) are imported lazily: on a
host without them, production still makes every 2D file and logs that it skipped the 3D ones.
For the same reason a 3D model that cannot be made (an unknown model id, an area the model has
no place for) never fails print work: ``ModelSkipped`` tells the pipeline to note it as a
preflight warning and go on.
"""

from __future__ import annotations

import importlib
import logging
import struct
from collections.abc import Callable
from types import ModuleType
from typing import Any

from app.design import Design, DesignError, RenderInputs, TemplateSpec
from app.models import FileKind
from app.production.outputs import Output

log = logging.getLogger(__name__)

Planned = tuple[str, str, Callable[[], Output]]
MODEL_AREA = "model"  # ProductionFile.area_key of the files that show the whole product
TEXTURE_PX = 1024


class ModelSkipped(Exception):
    """The 3D model could not be made from this template: a warning, not a failed job."""


def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        log.info("3D output module unavailable", extra={"python_module": module, "error": str(exc)})
        return None


class _Model:
    """The textured model, built once and shared by the GLB and the USDZ."""

    def __init__(
        self, mesh: ModuleType, spec: TemplateSpec, design: Design, inputs: RenderInputs
    ) -> None:
        self.mesh, self.spec, self.design, self.inputs = mesh, spec, design, inputs
        self._built: Any = None
        self._skipped: ModelSkipped | None = None

    def get(self) -> Any:
        if self._skipped is not None:
            raise self._skipped
        if self._built is None:
            try:
                self._built = self.mesh.design_model(
                    self.design, self.spec, self.inputs, TEXTURE_PX
                )
            except DesignError as exc:
                self._skipped = ModelSkipped(f"the 3D model could not be made: {exc}")
                raise self._skipped from None
        return self._built


def planned_outputs(
    spec: TemplateSpec,
    design: Design,
    inputs: RenderInputs,
    filename: Callable[[str, str], str],
) -> list[Planned]:
    """(area, format, render) for the GLB and USDZ of a 3D template; empty without a model."""
    if not spec.extra.get("model_3d"):
        return []
    mesh = _optional("app.design.mesh")
    if mesh is None:
        return []
    model = _Model(mesh, spec, design, inputs)
    planned: list[Planned] = [
        _planned(
            "glb",
            FileKind.MODEL_GLB,
            "model/gltf-binary",
            filename,
            lambda: mesh.glb_bytes(model.get()),
        )
    ]
    usdz = _optional("app.design.usdz")
    if usdz is not None:
        planned.append(
            _planned(
                "usdz",
                FileKind.MODEL_USDZ,
                "model/vnd.usdz+zip",
                filename,
                lambda: stable_zip_times(usdz.usdz_bytes(model.get())),
            )
        )
    return planned


def _planned(
    fmt: str,
    kind: FileKind,
    content_type: str,
    filename: Callable[[str, str], str],
    build: Callable[[], Any],
) -> Planned:
    def render() -> Output:
        data = build()
        name = filename(MODEL_AREA, f".{fmt}")
        return Output(MODEL_AREA, fmt, kind, content_type, fmt, name, bytes(data))

    return MODEL_AREA, fmt, render


_DOS_DATE_1980_01_01 = (1 << 5) | 1
_LOCAL, _CENTRAL, _END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"


def stable_zip_times(data: bytes) -> bytes:
    """The USDZ (a zip) with every entry dated 1980-01-01 00:00, in place.

    The packager stamps entries with the temporary files' times, so identical models differ
    byte for byte and a re-run could not re-use the stored file. Patching the fixed-size date
    fields keeps the 64-byte data alignment AR Quick Look requires (rewriting the zip would not).
    Anything that does not parse as a plain zip is returned unchanged.
    """
    out = bytearray(data)
    end = out.rfind(_END)
    if end < 0 or end + 22 > len(out):
        return data
    count, _, directory = struct.unpack_from("<HII", out, end + 10)
    position = directory
    for _ in range(count):
        if out[position : position + 4] != _CENTRAL:
            return data
        struct.pack_into("<HH", out, position + 12, 0, _DOS_DATE_1980_01_01)
        (local,) = struct.unpack_from("<I", out, position + 42)
        if out[local : local + 4] != _LOCAL:
            return data
        struct.pack_into("<HH", out, local + 10, 0, _DOS_DATE_1980_01_01)
        names, extras, comment = struct.unpack_from("<HHH", out, position + 28)
        position += 46 + names + extras + comment
    return bytes(out)
