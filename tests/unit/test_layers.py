"""Every module of app/ sits in one layer of the import-linter contract (pyproject.toml).

``lint-imports`` only checks the modules a layer names: a new module nobody placed would be
free to import anything. This keeps the list whole, so placing it is part of adding it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Package faces that compose what is below them (create_app, blueprint registration).
FACES = {"app", "app.accounts", "app.billing", "app.generation", "app.shopify", "app.woocommerce"}


def layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [[m for m in re.split(r"[\s:|]+", layer) if m] for layer in contract["layers"]]


def module_names() -> set[str]:
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_app_module_is_in_a_layer() -> None:
    placed = [m for layer in layers() for m in layer]
    unplaced = sorted(
        name
        for name in module_names() - FACES
        if not any(name == m or name.startswith(f"{m}.") for m in placed)
    )
    assert unplaced == []


def test_no_module_is_in_two_layers() -> None:
    placed = [m for layer in layers() for m in layer]
    assert len(placed) == len(set(placed))
    for name in placed:
        assert not any(name.startswith(f"{other}.") for other in placed), name
