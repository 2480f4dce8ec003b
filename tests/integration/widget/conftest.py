"""Node 24 and the widget's npm tools, as scripts/install-widget-tools installs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

WIDGET = Path(__file__).resolve().parents[3] / "storefront_widget"
VENV_BIN = Path(sys.executable).parent


def node_env() -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "SHOPIFY_CLI_NO_ANALYTICS": "1",
        "NO_COLOR": "1",
    }


def run_node_tool(*args: str | Path, cwd: Path = WIDGET) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=node_env(), capture_output=True, text=True, timeout=300
    )


def run_node_json(script: str, payload: Any, *, timeout: int = 60) -> Any:
    """Run ``script`` (an ES module) with ``payload`` as JSON on stdin; its stdout as JSON."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(payload),
        cwd=WIDGET,
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def widget_tools() -> Path:
    """storefront_widget/node_modules/.bin, after `make setup` (scripts/install-widget-tools)."""
    bin_dir = WIDGET / "node_modules" / ".bin"
    node = VENV_BIN / "node"
    if not (bin_dir / "shopify").exists() or not node.exists() or shutil.which("node") is None:
        pytest.fail(
            "the widget's tools are missing: run `make setup` (scripts/install-widget-tools)"
        )
    return bin_dir
