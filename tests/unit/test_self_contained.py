"""The repository stands on its own: nothing at run or test time reads a path outside the checkout.

A fresh clone has no team workspace beside it (``../shared``), so every file Luneo or its tests read
must be in the checkout; the Shopify reference data is carried, compressed, in tests/data/shopify.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import re
import subprocess
from pathlib import Path

from connectors.shopify import API_VERSION
from tests.support import shopify_reference

REPO = Path(__file__).resolve().parents[2]
# Path(__file__)[.resolve()].parents[N] or .parent.parent…: how far up from the file it climbs
PARENTS_INDEX = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)")
# ../shared and the documents that lived there (a clone has neither), the team's workspace path
OUTSIDE = ("../shared", "/work/", '/ "shared"', "DESIGN.md", "STYLE.md")


def tracked_text_files() -> list[Path]:
    """The files a clone gets (git's list; every file when there is no git), binaries left out."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=30
        ).stdout.decode()
        paths = [REPO / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "node_modules", "instance", "__pycache__"}
        paths = [p for p in REPO.rglob("*") if p.is_file() and not skip & set(p.parts)]
    return [p for p in paths if p.suffix not in {".xz", ".gz", ".png", ".jpg", ".ttf", ".glb"}]


def text(path: Path) -> str:
    try:
        return path.read_text()
    except (UnicodeDecodeError, FileNotFoundError):
        return ""


def test_no_tracked_file_names_a_path_outside_the_checkout() -> None:
    offenders = [
        f"{path.relative_to(REPO)}: {needle}"
        for path in tracked_text_files()
        if path.name != Path(__file__).name
        for needle in OUTSIDE
        if needle in text(path)
    ]

    assert offenders == []


def test_no_python_file_climbs_above_the_repository_root() -> None:
    climbing = []
    for path in tracked_text_files():
        if path.suffix != ".py" and not text(path).startswith("#!/usr/bin/env python"):
            continue
        levels = len(path.relative_to(REPO).parts)  # .parent climbed `levels` times: the root
        source = text(path)
        ups = [int(n) + 1 for n in PARENTS_INDEX.findall(source)]
        ups += [chain.count(".parent") for chain in PARENT_CHAIN.findall(source)]
        climbing += [f"{path.relative_to(REPO)}: {up} up" for up in ups if up > levels]

    assert climbing == []


def test_the_shopify_reference_data_is_in_the_checkout_for_the_pinned_version() -> None:
    reference = shopify_reference.REFERENCE
    manifest = json.loads((reference / "manifest.json").read_text())

    assert reference.is_relative_to(REPO)
    assert manifest["apiVersion"] == API_VERSION
    assert [p.name for p in shopify_reference.SCHEMAS.iterdir()] == [API_VERSION]
    for name, digest in manifest["sha256"].items():
        data = lzma.decompress((reference / f"{name}.xz").read_bytes())
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_the_readme_links_the_architecture_document_in_the_repository() -> None:
    links = re.findall(r"\]\(([^)#]+)", (REPO / "README.md").read_text())
    local = [link for link in links if "://" not in link and not link.startswith("mailto:")]

    assert "ARCHITECTURE.md" in local
    assert [link for link in local if not (REPO / link).exists()] == []
