"""The command line starts without the heavy libraries: `luneo --help` and `luneo render --help`
import neither OpenAI's client, Alembic, SQLAlchemy nor the render core's libvips and
reportlab (which modules load, not how long it takes: the time is in bench/cli_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openai", "alembic", "sqlalchemy", "pyvips", "reportlab", "trimesh", "pxr", "argon2")
RUN = """
import json, sys
from app.cli import cli
args = json.loads(sys.argv[1])
if args:
    try:
        cli.main(args, prog_name="luneo", standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)))
"""


def loaded(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(list(args)), json.dumps(HEAVY)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "LUNEO_ENV": "development", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args", [(), ("--help",), ("render", "--help")], ids=["import", "help", "render help"]
)
def test_starting_the_command_line_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    assert loaded(*args) == []


def test_a_command_still_loads_its_module_when_run() -> None:
    assert "sqlalchemy" in loaded("users", "--help")


def test_the_password_module_hashes_nothing_at_import() -> None:
    code = (
        "from app.accounts import passwords; "
        "print(passwords._dummy_hash.cache_info().currsize); "
        "passwords.verify_password(None, 'x' * 12); "
        "print(passwords._dummy_hash.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.split() == ["0", "1"]
