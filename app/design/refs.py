"""What a design document points at: the stored files its layers (or editor state) name.

Two forms are in use: a layer's ``src`` (``file:<StoredFile id>`` from the storefront, or a
storage key ``shops/<id>/…``; clipart refs name no stored file), and any ``…file_id`` key holding
an integer, anywhere, including the free-form ``meta`` the editor keeps. Both are read from the
raw JSON, not the parsed design, so a document saved before a schema change still counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

FILE_REF = re.compile(r"file:([0-9]{1,18})")


def _nodes(document: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of every object inside ``document``, depth first."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                yield str(key), value
                stack.append(value)


def referenced_file_ids(document: Any) -> set[int]:
    """Stored files named by id under any ``*file_id`` key (photos, AI images, mockups)."""
    return {
        value for key, value in _nodes(document) if key.endswith("file_id") and type(value) is int
    }


def referenced_srcs(document: Any) -> set[str]:
    """Pictures a design's image and clipart layers place, by ``src`` (storage key or file:id)."""
    return {value for key, value in _nodes(document) if key == "src" and isinstance(value, str)}


def file_id_of(src: str) -> int | None:
    """The StoredFile id in a ``file:<id>`` ref; None for a storage key or clipart."""
    match = FILE_REF.fullmatch(src)
    return int(match.group(1)) if match else None
