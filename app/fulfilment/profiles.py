"""What a fulfilment partner wants from Luneo's files: its file profile.

A print shop states it once (the partner API's ``PUT /profile`` or the portal's settings) and
every job routed to it is made that way: which formats (``app.design.FORMATS``: print PNG, vector
PDF, PDF/X-4, CMYK TIFF, cut and engraving files), which CMYK characterisation, its own bleed,
crop marks or none, the cut line in the PDFs or not, and how files are named. A partner that has
said nothing gets what every job got before profiles existed (``DEFAULT``). Stored as the
partner's ``file_profile`` JSON; ``digest`` names a profile so a job knows which one its files
were made for (``ProductionJob.files_profile``).
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from app.design import FORMATS, TemplateSpec
from app.design.color import BUILTIN_CMYK
from app.fulfilment import audit
from app.fulfilment.errors import Invalid
from app.models import Partner

# What every job got before partners could ask: the print PNG and PDF, and the cut and engraving
# files of the products that have them.
DEFAULT_FORMATS = ("png", "pdf", "cut-svg", "cut-dxf", "engrave-tiff", "engrave-svg")
# What a print shop reads for each format (the portal's choices, the admin's partner list).
FORMAT_LABELS = {
    "png": "Print PNG (RGB, transparent)",
    "pdf": "Vector PDF (RGB)",
    "pdf-cmyk": "PDF/X-4 (CMYK)",
    "tiff": "CMYK TIFF",
    "cut-svg": "Cut line (SVG)",
    "cut-dxf": "Cut line (DXF)",
    "engrave-tiff": "Engraving (1-bit TIFF)",
    "engrave-svg": "Engraving (SVG)",
}
DEFAULT_NAME = "order-{order}-item-{item}-{area}"
NAME_FIELDS = frozenset({"order", "item", "area", "job"})
NAME_CHARACTERS = re.compile(r"[A-Za-z0-9._{}-]+")
MAX_NAME = 120
MAX_BLEED_MM = 20.0


@dataclass(frozen=True)
class FileProfile:
    formats: tuple[str, ...] = DEFAULT_FORMATS
    cmyk_profile: str | None = None  # a BUILTIN_CMYK name; None: Luneo's default
    bleed_mm: float | None = None  # None: the template's bleed
    crop_marks: bool = True
    cut_lines: bool = True  # the template's cut line on its CutContour layer in the PDFs
    file_name: str = DEFAULT_NAME

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["formats"] = list(self.formats)
        return out

    @property
    def digest(self) -> str:
        """A short, stable name for this profile (what a job's files were made for)."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def name(self, *, order: str, item: int, area: str, job: int) -> str:
        """A file's name without its suffix (which says the format): the pattern filled in."""
        return self.file_name.format(order=order, item=item, area=area, job=job)

    def spec_for(self, spec: TemplateSpec) -> TemplateSpec:
        """The template as this partner prints it: its own bleed, the cut line or not."""
        if self.bleed_mm is not None:
            areas = tuple(replace(a, bleed_mm=self.bleed_mm) for a in spec.areas)
            spec = replace(spec, areas=areas)
        if not self.cut_lines and spec.cut_line is not None:
            spec = replace(spec, cut_line=None)
        return spec


DEFAULT = FileProfile()


def of_partner(raw: Mapping[str, Any] | None) -> FileProfile:
    """The stored profile (checked when it was saved); what a partner never set is the default."""
    if not raw:
        return DEFAULT
    return parse(raw)


def parse(raw: Any) -> FileProfile:
    """A profile from a client's JSON, or Invalid naming every field that is wrong."""
    if not isinstance(raw, Mapping):
        raise Invalid("The profile must be a JSON object.")
    problems: dict[str, str] = {}
    unknown = sorted(set(raw) - set(DEFAULT.as_dict()))
    for key in unknown:
        problems[key] = "Unknown setting."
    formats = raw.get("formats", list(DEFAULT_FORMATS))
    if (
        not isinstance(formats, list)
        or not formats
        or not all(isinstance(f, str) and f in FORMATS for f in formats)
    ):
        problems["formats"] = f"A non-empty list of: {', '.join(FORMATS)}."
    elif len(set(formats)) != len(formats):
        problems["formats"] = "Each format once."
    cmyk = raw.get("cmyk_profile")
    if cmyk is not None and cmyk not in BUILTIN_CMYK:
        problems["cmyk_profile"] = f"One of: {', '.join(BUILTIN_CMYK)} (or null: the default)."
    bleed = raw.get("bleed_mm")
    if bleed is not None and (
        isinstance(bleed, bool)
        or not isinstance(bleed, int | float)
        or not 0 <= bleed <= MAX_BLEED_MM
    ):
        problems["bleed_mm"] = f"A number of millimetres from 0 to {MAX_BLEED_MM:g} (or null)."
    for flag in ("crop_marks", "cut_lines"):
        if not isinstance(raw.get(flag, True), bool):
            problems[flag] = "true or false."
    name = raw.get("file_name", DEFAULT_NAME)
    name_problem = _name_problem(name)
    if name_problem:
        problems["file_name"] = name_problem
    if problems:
        raise Invalid("The file profile has problems.", fields=problems)
    return FileProfile(
        formats=tuple(formats),
        cmyk_profile=cmyk,
        bleed_mm=float(bleed) if bleed is not None else None,
        crop_marks=bool(raw.get("crop_marks", True)),
        cut_lines=bool(raw.get("cut_lines", True)),
        file_name=name,
    )


def _name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        return f"A pattern of 1 to {MAX_NAME} characters."
    if not NAME_CHARACTERS.fullmatch(name) or name.startswith("."):
        return "Letters, digits, '.', '_', '-' and {fields} only."
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(name) if f is not None}
    except ValueError:
        return "Unbalanced braces."
    if not fields <= NAME_FIELDS:
        return f"Fields: {', '.join('{' + f + '}' for f in sorted(NAME_FIELDS))}."
    if not {"item", "job"} & fields or "area" not in fields:
        return "Include {area} and {item} (or {job}) so that no two files share a name."
    return None


def save(session: Session, partner: Partner, raw: Any, actor: audit.Actor) -> FileProfile:
    """Check and keep a partner's profile (from the API or the portal), with an audit entry."""
    profile = parse(raw)
    partner.file_profile = profile.as_dict()
    detail = {"formats": list(profile.formats), "digest": profile.digest}
    audit.record(session, actor, "file_profile_updated", partner_id=partner.id, detail=detail)
    return profile


def summary(partner: Partner) -> str:
    """The profile in a line a merchant reads: "PDF/X-4 (CMYK), Cut line (SVG); GRACoL…"."""
    profile = of_partner(partner.file_profile)
    parts = [", ".join(FORMAT_LABELS.get(f, f) for f in profile.formats)]
    if profile.cmyk_profile:
        parts.append(f"CMYK {profile.cmyk_profile.upper()}")
    if profile.bleed_mm is not None:
        parts.append(f"bleed {profile.bleed_mm:g} mm")
    if not profile.crop_marks:
        parts.append("no crop marks")
    return "; ".join(parts)
