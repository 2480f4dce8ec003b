"""The retention service's pure parts: document references per shop, and no Flask."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import app.retention
import app.stored_files
from app.retention import DocumentRefs, document_refs
from jobs.retention_cli import size_text

MINE = "shops/3/uploads/2026/01/mine.png"
THEIRS = "shops/4/uploads/2026/01/theirs.png"


def test_document_refs_keep_ids_and_this_shops_keys_only() -> None:
    layers = [{"src": "file:9"}, {"src": MINE}, {"src": THEIRS}, {"src": "clipart:a/b"}]
    document = {"areas": {"front": {"layers": layers}}, "meta": {"photo_file_id": 5}}

    assert document_refs(document, 3) == ({5, 9}, {MINE})


def test_counts_go_up_and_down_with_the_designs_that_name_a_file() -> None:
    first = {"layers": [{"src": "file:9"}, {"src": "file:9"}]}  # twice in one design: once
    second = {"layers": [{"src": "file:9"}, {"src": MINE}]}
    refs = DocumentRefs(3)
    refs.add(first)
    refs.add(second)

    refs.remove(first)
    assert refs.names(9, "shops/3/other.png")
    assert refs.names(1, MINE)
    refs.remove(second)
    assert not refs.names(9, MINE)


@pytest.mark.parametrize("module", [app.retention, app.stored_files], ids=lambda m: m.__name__)
def test_the_service_imports_no_flask(module: object) -> None:
    source = Path(str(getattr(module, "__file__", ""))).read_text()
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] == "flask"}
    assert not {name for name in imported if name.startswith(("app.extensions", "jobs"))}


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KB"),
        (5 * 1024**2, "5.0 MB"),
        (3 * 1024**3, "3.0 GB"),
    ],
)
def test_sizes_read_like_people_write_them(size: int, text: str) -> None:
    assert size_text(size) == text
