"""Every job the code enqueues names a function of the job layer that exists.

Services name jobs by dotted path (``JobSpec.func``, RQ imports it in the worker) so that they
never import ``jobs``; a typo or a renamed job would only show in a worker, as a failed job.
This reads every string constant in app/ and jobs/ that looks like a job path and resolves it.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOB_PATH = re.compile(r"jobs(\.[a-z_][a-z0-9_]*){2}")


def job_paths() -> dict[str, str]:
    """Each job path in the code, with the first file that names it."""
    found: dict[str, str] = {}
    for package in ("app", "jobs"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
                if is_text and JOB_PATH.fullmatch(node.value):
                    found.setdefault(node.value, str(path.relative_to(ROOT)))
    return found


def resolve(path: str) -> object:
    module_name, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), name, None)


def test_the_scan_finds_the_jobs_services_enqueue() -> None:
    paths = job_paths()
    for expected in ("jobs.sync.sync_order", "jobs.production.produce", "jobs.mail.deliver"):
        assert expected in paths
    assert len(paths) >= 25


@pytest.mark.parametrize(("path", "where"), sorted(job_paths().items()))
def test_every_job_path_names_a_job_function(path: str, where: str) -> None:
    assert callable(resolve(path)), f"{where} enqueues {path}, which is not a function in jobs/"


def test_a_misspelt_job_path_does_not_resolve() -> None:
    assert resolve("jobs.sync.sync_orders") is None
