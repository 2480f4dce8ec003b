"""A round-trip job operators run to prove the worker fleet works end to end.

`luneo queue check` enqueues it and waits: it touches the database and file storage from
inside a worker and reports progress at each step, exactly like real jobs do.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from app.extensions import get_db, get_storage
from app.queue import report_progress


def roundtrip(probe_id: str) -> dict[str, Any]:
    steps = ("database", "storage")
    report_progress(0, len(steps), "starting")
    started = time.perf_counter()
    get_db().ping()
    report_progress(1, len(steps), "database answered")
    storage = get_storage()
    key = f"diagnostics/{probe_id}.txt"
    stored = storage.put(key, probe_id.encode(), "text/plain")
    storage.delete(key)
    report_progress(2, len(steps), "storage answered")
    return {
        "probe_id": probe_id,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "stored_sha256": stored.sha256,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
