"""The repository stands on its own: nothing at run or test time reads a path outside the checkout.

A fresh clone has nothing beside it, so every file Luneo or its tests read must be in the checkout:
the Shopify reference data is carried, compressed, in standins/data/shopify; documents are linked
inside the repository; no code, script or setting climbs above the repository root.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import re
import subprocess
from pathlib import Path

from connectors.shopify import API_VERSION
from standins import shopify_reference

REPO = Path(__file__).resolve().parents[2]
# Path(__file__)[.resolve()].parents[N] or .parent.parent…: how far up from the file it climbs
PARENTS_INDEX = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)")
# A relative path that climbs (``../x``), as written in code, scripts and settings
CLIMBING = re.compile(r"(?<![\w.])((?:\.\./)+[\w.@-]+)")
# Files whose paths are read from the repository root: the code and what runs it, not the tests'
# own inputs (path-traversal attacks are spelled ``../x`` on purpose there)
RUN_FROM_ROOT = ("app/", "connectors/", "jobs/", "scripts/", "bench/", "migrations/", ".ci/")
ROOT_FILES = ("Makefile", "pyproject.toml", "alembic.ini", "wsgi.py", "tests/conftest.py")


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


def test_no_code_or_script_names_a_path_above_the_checkout() -> None:
    offenders = [
        f"{name}: {found}"
        for path in tracked_text_files()
        if (name := path.relative_to(REPO).as_posix()).startswith(RUN_FROM_ROOT)
        or name in ROOT_FILES
        or name.startswith("tests/support/")
        for found in CLIMBING.findall(text(path))
        if not (REPO / found).resolve().is_relative_to(REPO)
    ]

    assert offenders == []


def test_every_document_link_stays_in_the_checkout() -> None:
    broken = []
    for path in tracked_text_files():
        if path.suffix != ".md":
            continue
        for link in re.findall(r"\]\(([^)#\s]+)", text(path)):
            if "://" in link or link.startswith("mailto:"):
                continue
            target = (path.parent / link).resolve()
            if not (target.is_relative_to(REPO) and target.exists()):
                broken.append(f"{path.relative_to(REPO)}: {link}")

    assert broken == []


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
