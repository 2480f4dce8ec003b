"""ARCHITECTURE.md stays true to the tree: what it should describe is named, what it names exists.

A document of the architecture only helps while it is whole and current. These tests turn "added a
package, forgot the document" and "renamed a module, left the old name in the prose" into
failures: every top-level directory and package must be named in it, every entry of ``app/``,
``connectors/`` and ``jobs/`` in the section about its folder, and every repository path it names
must exist.
"""

from __future__ import annotations

import re
import subprocess
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "ARCHITECTURE.md"
# Directories whose every module and package the document describes one by one.
DESCRIBED_ONE_BY_ONE = ("app", "connectors", "jobs")
NOT_ENTRIES = {"__init__.py", "__pycache__"}
# A path the document names, from the repository root (``app/sync/store.py``, ``jobs/*_cli.py``);
# not a URL path (``/app``) nor a path inside another one (``src/app/…``).
ROOTS = (
    "app",
    "connectors",
    "jobs",
    "standins",
    "tests",
    "scripts",
    "bench",
    "migrations",
    "storefront_widget",
    "sdk",
    "requirements",
    ".ci",
)
ANY_ROOT = "|".join(map(re.escape, ROOTS))
NAMED_PATH = re.compile(rf"(?<![\w./-])((?:{ANY_ROOT})/[\w./*-]*)")


@cache
def tracked_files() -> frozenset[str]:
    """The checkout's files as git sees them, new ones included and ignored ones left out (every
    file on disk when there is no git)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout.decode()
        names = [name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "node_modules", "instance", "__pycache__"}
        names = [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not skip & set(path.relative_to(ROOT).parts)
        ]
    # A file deleted but not yet committed is gone for the document too.
    return frozenset(name for name in names if (ROOT / name).exists())


def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def entries(directory: str | None) -> set[str]:
    """What ``directory`` (the root when None) holds: ``name/`` for folders, ``name`` for files."""
    prefix = f"{directory}/" if directory else ""
    found = set()
    for name in tracked_files():
        if not name.startswith(prefix):
            continue
        first, *rest = name[len(prefix) :].split("/")
        if first not in NOT_ENTRIES:
            found.add(f"{first}/" if rest else first)
    return found


def is_named(entry: str, directory: str | None, text: str) -> bool:
    """``entry`` appears on its own (``name.py``, ``name/``) or with its path (``app/name``)."""
    bare = entry.rstrip("/")
    alone = rf"(?<![\w./-]){re.escape(entry)}" + ("" if entry.endswith("/") else r"(?![\w-])")
    patterns = [alone]
    if directory:
        module = bare.removesuffix(".py")
        patterns.append(
            rf"(?<![\w./-]){re.escape(directory)}/{re.escape(module)}(?:\.py)?(?![\w-])"
        )
    if any(re.search(pattern, text) for pattern in patterns):
        return True
    path = f"{directory}/{bare}" if directory else bare
    return any("*" in named and fnmatch(path, named) for named in NAMED_PATH.findall(text))


def exists(named: str) -> bool:
    """On disk in the checkout (``app/errors`` for ``app/errors.py`` too): a file may be named
    before it is committed."""
    path = named.rstrip("/")
    if "*" in path:
        return any(ROOT.glob(path)) or any(fnmatch(name, path) for name in tracked_files())
    return (ROOT / path).exists() or (ROOT / f"{path}.py").is_file()


def test_every_top_level_directory_and_module_is_named() -> None:
    text = document()
    top_level = {
        entry
        for entry in entries(None)
        if not entry.startswith(".") and (entry.endswith("/") or entry.endswith(".py"))
    }
    assert {"app/", "connectors/", "jobs/", "tests/", "wsgi.py"} <= top_level
    missing = sorted(entry for entry in top_level if not is_named(entry, None, text))
    assert missing == [], f"ARCHITECTURE.md does not describe {missing}"


def section(directory: str, text: str) -> str:
    """The document's section about ``directory``: from its heading (``### `app/`…``) to the
    next heading of the same level or above."""
    heading = re.search(rf"^(#+) `{re.escape(directory)}/`.*$", text, flags=re.MULTILINE)
    assert heading, f"ARCHITECTURE.md has no section headed `{directory}/`"
    rest = text[heading.end() :]
    end = re.search(rf"^#{{1,{len(heading.group(1))}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def test_every_entry_of_app_connectors_and_jobs_is_named_in_its_section() -> None:
    text = document()
    missing = sorted(
        f"{directory}/{entry}"
        for directory in DESCRIBED_ONE_BY_ONE
        for entry in entries(directory)
        if not is_named(entry, directory, section(directory, text))
    )
    assert missing == [], f"ARCHITECTURE.md does not describe {missing} in their sections"


def test_every_path_the_document_names_exists() -> None:
    named = {path.rstrip(".,;:") for path in NAMED_PATH.findall(document())}
    assert len(named) > 20  # the pattern still finds the document's paths
    gone = sorted(path for path in named if not exists(path))
    assert gone == [], f"ARCHITECTURE.md names paths that do not exist: {gone}"
