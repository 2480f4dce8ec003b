"""The curated clipart shoppers can place: open-licence SVG sets installed from npm.

A design names a piece as ``clipart:<set>/<name>``; a template offers whole sets. The sets, their
pieces and labels are curated in ``clipart/sets.json``; the SVG files come from the npm package it
names (``scripts/install-assets`` runs ``npm ci`` in ``clipart/``), so the widget's picker, the
browser preview and the print all use the same file. Single-colour pieces draw in
``currentColor``, which :func:`recolor` sets to the colour the shopper chose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.design.errors import ClipartNotInstalled

CLIPART_DIR = Path(__file__).parent / "clipart"
REF_PREFIX = "clipart:"
_REF = re.compile(r"clipart:([a-z0-9-]{1,40})/([a-z0-9-]{1,64})")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")


@dataclass(frozen=True)
class ClipartItem:
    set_key: str
    name: str
    label: str
    path: Path

    @property
    def ref(self) -> str:
        return f"{REF_PREFIX}{self.set_key}/{self.name}"


@dataclass(frozen=True)
class ClipartSet:
    key: str
    label: str
    items: tuple[ClipartItem, ...]


@dataclass(frozen=True)
class ClipartLibrary:
    sets: tuple[ClipartSet, ...]
    licence: str
    attribution: str

    def set(self, key: str) -> ClipartSet | None:
        return next((s for s in self.sets if s.key == key), None)

    @property
    def set_keys(self) -> frozenset[str]:
        return frozenset(s.key for s in self.sets)

    def item(self, ref: str) -> ClipartItem | None:
        """The piece a ``clipart:<set>/<name>`` ref names, or None."""
        parsed = parse_ref(ref)
        found = self.set(parsed[0]) if parsed else None
        if parsed is None or found is None:
            return None
        return next((i for i in found.items if i.name == parsed[1]), None)

    def read(self, ref: str) -> bytes:
        """The SVG of a piece; LookupError for a ref that names none."""
        found = self.item(ref)
        if found is None:
            raise LookupError(ref)
        return found.path.read_bytes()


def is_clipart_ref(ref: str) -> bool:
    return ref.startswith(REF_PREFIX)


def parse_ref(ref: str) -> tuple[str, str] | None:
    """``(set, name)`` of a well-formed clipart ref, else None."""
    match = _REF.fullmatch(ref)
    return (match.group(1), match.group(2)) if match else None


def recolor(svg: bytes, color: str) -> bytes:
    """Draw a single-colour SVG in ``color``; other files (a PNG) come back unchanged.

    Only ``#rgb``/``#rrggbb`` ever reaches the SVG text.
    """
    if not _COLOR.fullmatch(color):
        raise ValueError(f"not a colour: {color!r}")
    if not svg.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return svg
    return svg.replace(b"currentColor", color.encode("ascii"))


def load_library(root: Path = CLIPART_DIR) -> ClipartLibrary:
    """Read the curated sets; raise ClipartNotInstalled when the npm files are missing."""
    manifest: dict[str, Any] = json.loads((root / "sets.json").read_text(encoding="utf-8"))
    package_dir = root / "node_modules" / manifest["source"] / "icons"
    if not package_dir.is_dir():
        raise ClipartNotInstalled(str(package_dir))
    sets = []
    for raw in manifest["sets"]:
        items = tuple(
            ClipartItem(raw["key"], name, label, package_dir / f"{icon}.svg")
            for name, icon, label in raw["items"]
        )
        missing = [i.path.name for i in items if not i.path.is_file()]
        if missing:
            raise ClipartNotInstalled(f"{package_dir} (missing {', '.join(missing)})")
        sets.append(ClipartSet(raw["key"], raw["label"], items))
    return ClipartLibrary(tuple(sets), manifest["licence"], manifest["attribution"])


@cache
def default_library() -> ClipartLibrary:
    return load_library()
