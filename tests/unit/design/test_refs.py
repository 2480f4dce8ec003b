"""What a design document names: files by ``file:<id>``, by storage key, or by ``*file_id``."""

from __future__ import annotations

from typing import Any

import pytest

from app.design.refs import file_id_of, referenced_file_ids, referenced_srcs

PHOTO = {"type": "image", "src": "file:12", "x_mm": 0, "y_mm": 0, "width_mm": 5, "height_mm": 5}
BY_KEY = {**PHOTO, "src": "shops/3/uploads/2026/01/abc.png"}
CLIPART = {**PHOTO, "type": "clipart", "src": "clipart:animals/cat"}


def doc(*layers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"version": 1, "areas": {"front": {"layers": list(layers)}}, **extra}


@pytest.mark.parametrize(
    ("_case", "document", "srcs", "ids"),
    [
        ("empty", doc(), set(), set()),
        ("photo", doc(PHOTO), {"file:12"}, set()),
        ("key and clipart", doc(BY_KEY, CLIPART), {BY_KEY["src"], CLIPART["src"]}, set()),
        ("editor state", doc(meta={"last": {"photo_file_id": 7, "file_id": "8"}}), set(), {7}),
        ("not a document", ["file:1", {"src": 3}], set(), set()),
        ("booleans are not ids", doc(meta={"file_id": True}), set(), set()),
    ],
)
def test_references_are_read_from_the_raw_json(
    _case: str, document: Any, srcs: set[str], ids: set[int]
) -> None:
    assert referenced_srcs(document) == srcs
    assert referenced_file_ids(document) == ids


@pytest.mark.parametrize(
    ("src", "expected"),
    [("file:12", 12), ("file:", None), ("file:12x", None), ("shops/1/a.png", None)],
)
def test_file_id_of_reads_only_file_refs(src: str, expected: int | None) -> None:
    assert file_id_of(src) == expected
