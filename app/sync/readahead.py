"""Read a connector's records on a thread of their own while the caller writes them.

A sync alternates between two kinds of waiting: on the platform (requests, throttle pauses,
decoding and reassembling what came back) and on the database (each batch's upsert). Run one
after the other, a sync costs their sum; with the reading on a background thread the database
writes one batch while the next is read, mapped and checked, and a sync costs about the larger.

The reader thread touches only the connector: every database write, and every progress report
(RQ's current job is the calling thread's), stays on the calling thread. Records cross over in
chunks through a bounded queue, so memory holds at most ``depth`` chunks however large the
catalog. An error on the reader's side is raised on the caller's at the point it was reached;
a caller that stops early (its own error) stops the reader at its next record.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.base import Progress

T = TypeVar("T")

CHUNK = 250  # records per hand-over: fewer queue operations, still a steady flow
DEPTH = 8  # chunks read ahead at most (the memory bound)
POLL = 0.2  # seconds a blocked reader waits before checking whether the caller stopped


@dataclass(frozen=True)
class _Report:
    args: tuple[int, int, str]


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_END = object()


class _Stopped(Exception):
    """The caller went away: the reader thread ends quietly."""


def read_ahead(
    produce: Callable[[Progress], Iterable[T]],
    progress: Progress,
    *,
    chunk: int = CHUNK,
    depth: int = DEPTH,
) -> Iterator[T]:
    """The records of ``produce(report)``, read on a background thread; the reports it makes
    reach ``progress`` on the calling thread, in order with the records."""
    handover: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item: Any) -> None:
        while True:
            if stopped.is_set():
                raise _Stopped
            try:
                handover.put(item, timeout=POLL)
                return
            except queue.Full:
                continue

    def read() -> None:
        pending: list[T] = []

        def report(done: int, total: int, message: str) -> None:
            if pending:
                put(pending.copy())
                pending.clear()
            put(_Report((done, total, message)))

        try:
            for record in produce(report):
                pending.append(record)
                if len(pending) >= chunk:
                    put(pending.copy())
                    pending.clear()
            if pending:
                put(pending)
            put(_END)
        except _Stopped:
            return
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it
            try:
                if pending:  # what was read before the error is the caller's all the same
                    put(pending)
                put(_Failed(error))
            except _Stopped:
                return

    reader = threading.Thread(target=read, name="luneo-sync-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = handover.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            if isinstance(item, _Report):
                progress(*item.args)
                continue
            yield from item
    finally:
        stopped.set()
        reader.join()
