"""Install-time only: turn the npm @fontsource WOFF2 files into TTFs and write the manifest.

TTF because the PDF writer embeds TrueType; the coverage ranges let text pick the right subset
file per character without fontTools at run time. Run by ``scripts/install-assets``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from app.design.fonts import BUILD_DIR, FAMILIES, FONTS_DIR, MANIFEST, STYLES, WEIGHTS, Family

SUBSET_ORDER = (
    "latin",
    "latin-ext",
    "vietnamese",
    "greek",
    "greek-ext",
    "cyrillic",
    "cyrillic-ext",
)
MANIFEST_VERSION = 1


def lock_digest() -> str:
    return hashlib.sha256((FONTS_DIR / "package-lock.json").read_bytes()).hexdigest()


def is_current(build: Path = BUILD_DIR) -> bool:
    manifest = build / MANIFEST
    if not manifest.is_file():
        return False
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return bool(data.get("version") == MANIFEST_VERSION and data.get("lock") == lock_digest())


def build(modules: Path = FONTS_DIR / "node_modules", out: Path = BUILD_DIR) -> int:
    faces = [face for family in FAMILIES for face in _faces(family, modules, out)]
    manifest = {"version": MANIFEST_VERSION, "lock": lock_digest(), "faces": faces}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return len(faces)


def _faces(family: Family, modules: Path, out: Path) -> list[dict[str, Any]]:
    source = modules / "@fontsource" / family.package / "files"
    if not source.is_dir():
        raise SystemExit(
            f"{source} is missing: npm ci did not install @fontsource/{family.package}"
        )
    faces = []
    for weight in WEIGHTS:
        for style in STYLES:
            woff2 = sorted(source.glob(f"{family.package}-*-{weight}-{style}.woff2"))
            if woff2:
                faces.append(_face(family, weight, style, _ordered(family, woff2), out))
    return faces


def _ordered(family: Family, files: list[Path]) -> list[Path]:
    def subset(path: Path) -> str:
        return path.name.removeprefix(family.package + "-").rsplit("-", 2)[0]

    def rank(path: Path) -> tuple[int, str]:
        name = subset(path)
        return (SUBSET_ORDER.index(name) if name in SUBSET_ORDER else len(SUBSET_ORDER), name)

    return sorted(files, key=rank)


def _face(family: Family, weight: int, style: str, woff2: list[Path], out: Path) -> dict[str, Any]:
    files = [_convert(path, out / family.package) for path in woff2]
    primary = TTFont(out / files[0]["path"], lazy=True)
    upem = primary["head"].unitsPerEm
    hhea = primary["hhea"]
    return {
        "family": family.name,
        "weight": weight,
        "style": style,
        "licence": family.licence,
        "ascent": hhea.ascent / upem,
        "descent": -hhea.descent / upem,
        "files": files,
    }


def _convert(woff2: Path, folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / woff2.with_suffix(".ttf").name
    font = TTFont(woff2)
    if not target.is_file() or target.stat().st_mtime < woff2.stat().st_mtime:
        font.flavor = None
        font.save(target)
    return {"path": f"{folder.name}/{target.name}", "ranges": _ranges(font.getBestCmap())}


def _ranges(cmap: dict[int, str]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for code in sorted(cmap):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return ranges


def main() -> None:
    if is_current() and "--force" not in sys.argv:
        sys.stdout.write(f"fonts: up to date in {BUILD_DIR}\n")
        return
    count = build()
    sys.stdout.write(f"fonts: {count} faces ready in {BUILD_DIR}\n")


if __name__ == "__main__":
    main()
