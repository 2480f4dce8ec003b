"""Bulk operations: start an export, wait for it, and rebuild parent/child trees from its JSONL.

In the result file every object is one line; a nested connection's objects carry ``__parentId``.
From API 2026-01 ``groupObjects`` defaults to false, so a child is not guaranteed to follow its
parent (and Shopify says not to rely on line order). The lines are therefore spooled into a
temporary SQLite file as they stream in and read back grouped by parent: memory stays flat
whatever the catalog size, and the order of the lines does not matter.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.base import AuthError, PlatformError, Progress, RetryableError
from connectors.shopify import queries
from connectors.shopify.client import ShopifyGraphQL

log = logging.getLogger(__name__)

Json = dict[str, Any]

_FAILED = {"FAILED", "CANCELED", "CANCELING", "EXPIRED"}
_BATCH = 1000


@dataclass(frozen=True)
class Tree:
    root: Json
    children: list[Json]


@dataclass(frozen=True)
class BadLine:
    reason: str


def start(client: ShopifyGraphQL, bulk_query: str) -> str:
    """Start a bulk query; returns the operation id."""
    data = client.execute(queries.BULK_RUN, {"query": bulk_query})
    payload = data.get("bulkOperationRunQuery")  # nullable, as is its bulkOperation
    if not isinstance(payload, dict):
        raise PlatformError("unexpected GraphQL answer: bulkOperationRunQuery returned no payload")
    errors = payload.get("userErrors") or []
    if errors:
        codes = {e.get("code") for e in errors}
        message = "; ".join(str(e.get("message")) for e in errors)
        if codes & {"OPERATION_IN_PROGRESS", "LIMIT_REACHED"}:
            raise RetryableError(f"bulk operation refused for now: {message}")
        raise PlatformError(f"bulk operation refused: {message}")
    operation = payload.get("bulkOperation")
    operation_id = operation.get("id") if isinstance(operation, dict) else None
    if not isinstance(operation_id, str):
        raise PlatformError("bulk operation neither started nor refused (no bulkOperation)")
    return operation_id


def wait(
    client: ShopifyGraphQL,
    operation_id: str,
    *,
    total: int = 0,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    timeout: float = 3000.0,
    first_poll: float = 0.5,
    max_poll: float = 5.0,
) -> str | None:
    """Poll until the operation completes; returns its result URL (None: nothing matched)."""
    deadline = clock() + timeout
    interval = first_poll
    while True:
        data = client.execute(queries.BULK_OPERATION, {"id": operation_id})
        operation = data.get("bulkOperation")
        if not isinstance(operation, dict):
            raise PlatformError(f"bulk operation {operation_id} not found")
        status = operation.get("status")
        if progress is not None:
            progress(int(operation.get("rootObjectCount") or 0), total, f"exporting ({status})")
        if status == "COMPLETED":
            url = operation.get("url")
            return url if isinstance(url, str) else None
        if status in _FAILED:
            _raise_failed(operation_id, status, operation.get("errorCode"))
        if clock() + interval > deadline:
            raise RetryableError(f"bulk operation {operation_id} still {status} after {timeout}s")
        sleep(interval)
        interval = min(max_poll, interval * 1.5)


def _raise_failed(operation_id: str, status: str, code: Any) -> None:
    message = f"bulk operation {operation_id} ended {status} ({code})"
    if code == "ACCESS_DENIED":
        raise AuthError(message)
    if code == "INTERNAL_SERVER_ERROR" or code == "TIMEOUT" or status != "FAILED":
        raise RetryableError(message)
    raise PlatformError(message)


def reassemble(lines: Iterable[bytes]) -> Iterator[Tree | BadLine]:
    """Each root object with its direct children, roots in file order; unreadable lines flagged."""
    with tempfile.TemporaryDirectory(prefix="luneo-bulk-") as folder:
        db = sqlite3.connect(Path(folder) / "lines.sqlite3")
        try:
            db.execute(
                "CREATE TABLE lines (seq INTEGER PRIMARY KEY, id TEXT, parent TEXT, body TEXT)"
            )
            yield from _spool(db, lines)
            db.execute("CREATE INDEX lines_parent ON lines (parent)")
            yield from _trees(db)
        finally:
            db.close()


def _spool(db: sqlite3.Connection, lines: Iterable[bytes]) -> Iterator[BadLine]:
    batch: list[tuple[str | None, str | None, str]] = []
    for raw in lines:
        try:
            item = json.loads(raw)
        except ValueError:
            yield BadLine("unreadable line in the bulk result")
            continue
        if not isinstance(item, dict):
            yield BadLine("bulk result line is not an object")
            continue
        parent = item.get("__parentId")
        batch.append((item.get("id"), parent if isinstance(parent, str) else None, raw.decode()))
        if len(batch) >= _BATCH:
            db.executemany("INSERT INTO lines (id, parent, body) VALUES (?, ?, ?)", batch)
            batch.clear()
    db.executemany("INSERT INTO lines (id, parent, body) VALUES (?, ?, ?)", batch)


def _trees(db: sqlite3.Connection) -> Iterator[Tree]:
    attached = 0
    roots = db.execute("SELECT id, body FROM lines WHERE parent IS NULL ORDER BY seq")
    for root_id, body in roots:
        children = db.execute(
            "SELECT body FROM lines WHERE parent = ? ORDER BY seq", (root_id,)
        ).fetchall()
        attached += len(children)
        yield Tree(json.loads(body), [json.loads(child) for (child,) in children])
    (nested,) = db.execute("SELECT count(*) FROM lines WHERE parent IS NOT NULL").fetchone()
    if nested > attached:  # children of children, or of a parent missing from the file
        log.warning("bulk result lines not under a root", extra={"count": nested - attached})
