"""A merchant's own clipart: an SVG made safe, or a PNG with enough pixels to print.

SVG (at most ``MAX_SVG_BYTES``, ``MAX_SVG_ELEMENTS`` elements, ``MAX_SVG_DEPTH`` deep) is parsed
by lxml with no DTD, no entity expansion, no network and no huge-tree mode, and a file that
declares a DOCTYPE or an entity is refused outright (XXE, billion laughs). What is left is
rebuilt from an allow-list: shapes, paths, groups, gradients, clip paths, ``<use>`` of an element
of the same file; presentation attributes and a ``style`` of allowed properties only. Dropped:
scripts, ``<style>`` sheets, ``<foreignObject>``, text, animation, every ``on*`` handler, every
reference that leaves the file (``href``/``xlink:href`` that is not ``#id``, ``url(...)`` that is
not ``url(#id)``), and ``data:`` URLs other than PNG/JPEG pictures in ``<image>``. What was
dropped is reported so the admin can say so.

PNG (at most ``MAX_PNG_BYTES`` and ``MAX_PNG_PIXELS``): a piece can be placed over a whole print
area, so it needs pixels: under ``MIN_PNG_LONG_SIDE`` px on its long side it is refused (about
8.5 cm at 300 dpi); under ``GOOD_PNG_LONG_SIDE`` it is kept with a warning (sharp up to about
17 cm at 300 dpi). An SVG has no such limit.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped]
from PIL import Image

MAX_SVG_BYTES = 1024 * 1024
MAX_SVG_ELEMENTS = 5000
MAX_SVG_DEPTH = 50
MAX_PNG_BYTES = 10 * 1024 * 1024
MAX_PNG_PIXELS = 40_000_000
MIN_PNG_LONG_SIDE = 1000
GOOD_PNG_LONG_SIDE = 2000
PRINT_DPI = 300

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "linearGradient", "radialGradient", "stop", "clipPath", "mask",
    "title", "desc", "image",
}  # fmt: skip
_ATTRIBUTES = {
    "id", "x", "y", "width", "height", "viewBox", "preserveAspectRatio", "d", "points",
    "cx", "cy", "r", "rx", "ry", "x1", "y1", "x2", "y2", "fx", "fy", "offset", "transform",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "opacity", "clip-path", "clip-rule", "mask", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits",
    "maskUnits", "maskContentUnits", "visibility", "display", "color", "version", "style",
    "href",
}  # fmt: skip
_STYLE_PROPERTIES = _ATTRIBUTES - {
    "id", "x", "y", "width", "height", "viewBox", "preserveAspectRatio", "d", "points", "cx",
    "cy", "r", "rx", "ry", "x1", "y1", "x2", "y2", "fx", "fy", "offset", "transform", "version",
    "style", "href", "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits",
    "maskUnits", "maskContentUnits",
}  # fmt: skip
_URL = re.compile(r"url\(\s*([^)]*)\)", re.IGNORECASE)
_LOCAL_URL = re.compile(r"""url\(\s*['"]?#[A-Za-z_][\w.-]*['"]?\s*\)""")
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+")
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*")


class ClipartRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanSvg:
    data: bytes
    width: int  # the view box, rounded
    height: int
    removed: tuple[str, ...] = ()  # what was dropped, for the merchant (``<script>``, ``onload``)


@dataclass(frozen=True)
class CheckedPng:
    width: int
    height: int
    warnings: tuple[str, ...] = field(default=())


def sanitise_svg(data: bytes) -> CleanSvg:
    """The SVG rebuilt from the allow-list, or ClipartRefused."""
    if not data:
        raise ClipartRefused("The file is empty.")
    if len(data) > MAX_SVG_BYTES:
        raise ClipartRefused(f"The SVG is larger than {MAX_SVG_BYTES // 1024} KB.")
    if _DOCTYPE.search(data):
        raise ClipartRefused("The SVG declares a DOCTYPE or entities, which Luneo does not accept.")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ClipartRefused(f"The SVG could not be read ({str(exc)[:100]}).") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ClipartRefused("The file is not an SVG drawing (its root is not <svg>).")
    count = sum(1 for _ in root.iter())
    if count > MAX_SVG_ELEMENTS:
        raise ClipartRefused(f"The SVG has more than {MAX_SVG_ELEMENTS} elements.")
    removed: list[str] = []
    clean = _element(root, removed, 0)
    if clean is None:  # pragma: no cover - the root is an allowed element
        raise ClipartRefused("Nothing drawable is left in the SVG.")
    width, height = _size(clean)
    if not any(
        e.tag.split("}")[-1] not in ("svg", "g", "defs", "title", "desc") for e in clean.iter()
    ):
        raise ClipartRefused("Nothing drawable is left in the SVG once made safe.")
    out = etree.tostring(clean, xml_declaration=False, encoding="utf-8")
    return CleanSvg(out, width, height, tuple(dict.fromkeys(removed)))


def _element(source: etree._Element, removed: list[str], depth: int) -> etree._Element | None:
    if not isinstance(source.tag, str):
        return None  # comments, processing instructions, entities
    namespace, _, name = source.tag.rpartition("}")
    if namespace.lstrip("{") != SVG_NS or name not in _ELEMENTS:
        removed.append(f"<{name}>")
        return None
    if depth > MAX_SVG_DEPTH:
        raise ClipartRefused(f"The SVG nests elements more than {MAX_SVG_DEPTH} deep.")
    clean = etree.Element(f"{{{SVG_NS}}}{name}", nsmap={None: SVG_NS} if depth == 0 else None)
    for key, value in source.attrib.items():
        kept = _attribute(name, str(key), str(value), removed)
        if kept is not None:
            clean.set(*kept)
    if name == "image" and clean.get("href") is None:
        removed.append("<image> without an embedded picture")
        return None
    if name in ("title", "desc"):
        clean.text = (source.text or "")[:200]
    for child in source:
        kept_child = _element(child, removed, depth + 1)
        if kept_child is not None:
            clean.append(kept_child)
    return clean


def _attribute(element: str, key: str, value: str, removed: list[str]) -> tuple[str, str] | None:
    namespace, _, name = key.rpartition("}")
    namespace = namespace.lstrip("{")
    if namespace == XLINK_NS and name == "href":
        name = "href"
    elif namespace:
        removed.append(f"{name} attribute")
        return None
    if name.lower().startswith("on"):
        removed.append(f"{name} handler")
        return None
    if name not in _ATTRIBUTES:
        removed.append(f"{name} attribute")
        return None
    if name == "href":
        return _href(element, value, removed)
    if name == "style":
        style = _style(value, removed)
        return ("style", style) if style else None
    if _URL.search(value) and not _only_local_urls(value):
        removed.append("a reference outside the file")
        return None
    if len(value) > 200_000:
        removed.append(f"{name} attribute")
        return None
    return name, value


def _href(element: str, value: str, removed: list[str]) -> tuple[str, str] | None:
    value = value.strip()
    if element == "image":
        if _DATA_IMAGE.fullmatch(value):
            return "href", value
        removed.append("a picture outside the file")
        return None
    if element in ("use", "linearGradient", "radialGradient") and re.fullmatch(
        r"#[A-Za-z_][\w.-]*", value
    ):
        return "href", value
    removed.append("a link outside the file")
    return None


def _only_local_urls(value: str) -> bool:
    return all(_LOCAL_URL.fullmatch(m.group(0)) for m in _URL.finditer(value))


def _style(value: str, removed: list[str]) -> str:
    kept = []
    for declaration in value.split(";"):
        prop, _, raw = declaration.partition(":")
        prop, raw = prop.strip().lower(), raw.strip()
        if not prop:
            continue
        if prop not in _STYLE_PROPERTIES or "\\" in raw or "expression" in raw.lower():
            removed.append(f"style {prop}")
            continue
        if _URL.search(raw) and not _only_local_urls(raw):
            removed.append("a reference outside the file")
            continue
        kept.append(f"{prop}:{raw}")
    return ";".join(kept)


def _size(root: etree._Element) -> tuple[int, int]:
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            width = height = 0.0
        if width > 0 and height > 0:
            return max(1, round(width)), max(1, round(height))
    sizes = [_NUMBER.fullmatch(root.get(k) or "") for k in ("width", "height")]
    if sizes[0] and sizes[1]:
        width, height = float(sizes[0].group(1)), float(sizes[1].group(1))
        if width > 0 and height > 0:
            root.set("viewBox", f"0 0 {width:g} {height:g}")
            return max(1, round(width)), max(1, round(height))
    raise ClipartRefused("The SVG has no viewBox and no width and height in pixels.")


def check_png(data: bytes) -> CheckedPng:
    """A PNG's size checked for print (the module's rule), or ClipartRefused."""
    if not data:
        raise ClipartRefused("The file is empty.")
    if len(data) > MAX_PNG_BYTES:
        raise ClipartRefused(f"The PNG is larger than {MAX_PNG_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ClipartRefused("The file is not a PNG or an SVG.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PNG_PIXELS:
                raise ClipartRefused("The PNG has too many pixels.")
            image.load()
    except ClipartRefused:
        raise
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ClipartRefused(f"The PNG could not be read ({str(exc)[:100]}).") from None
    long_side = max(width, height)
    if long_side < MIN_PNG_LONG_SIDE:
        raise ClipartRefused(
            f"The PNG is {width}×{height} pixels: clipart needs at least {MIN_PNG_LONG_SIDE} "
            "pixels on its long side to print sharply. Upload a larger picture or an SVG."
        )
    warnings = []
    if long_side < GOOD_PNG_LONG_SIDE:
        cm = long_side / PRINT_DPI * 2.54
        warnings.append(
            f"At {width}×{height} pixels it prints sharply up to about {cm:.0f} cm "
            f"({PRINT_DPI} dpi); shoppers placing it larger get a softer print."
        )
    return CheckedPng(width, height, tuple(warnings))
