"""The render core stays pure: no Flask, database, Redis or network import in app/design."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import app.design
from app.design import FontRegistry, FontsNotInstalled

BANNED = {"flask", "sqlalchemy", "redis", "rq", "requests", "httpx", "boto3", "socket", "urllib"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(Path(app.design.__file__).parent.rglob("*.py")), ids=lambda p: p.name
)
def test_render_modules_import_nothing_from_the_web_db_or_network(path: Path) -> None:
    imports = _imports(path)

    assert {name.split(".")[0] for name in imports} & BANNED == set()
    assert [n for n in imports if n.startswith("app.") and not n.startswith("app.design")] == []


def test_missing_fonts_say_how_to_install_them(tmp_path: Path) -> None:
    with pytest.raises(FontsNotInstalled, match="Run scripts/install-assets"):
        FontRegistry.load(tmp_path)
