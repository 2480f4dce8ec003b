"""Streaming vs read-all: memory and time of LocalStorage.put / iter_chunks on a 200 MB file.

Each case runs in its own subprocess so its peak RSS (``ru_maxrss``) is its own; the figure is
the peak's growth over the RSS once imports are done. The baselines do what naive code does:
``data = stream.read(); open(path, "wb").write(data)`` and ``open(path, "rb").read()``.
Linux only (``ru_maxrss`` in KiB). Run: ``.venv/bin/python bench/storage_stream.py [--mb 200]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench/big.bin"
MB = 1024 * 1024


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def run_case(case: str, source: Path, workdir: Path) -> dict[str, float]:
    """One measured case, in this (fresh) process."""
    sys.path.insert(0, str(ROOT))
    from app.storage import LocalStorage  # noqa: PLC0415

    storage = LocalStorage(workdir / "files", "bench")
    naive_path = workdir / "naive.bin"
    start_rss = _rss_bytes()
    started = time.perf_counter()
    if case == "put":
        with source.open("rb") as stream:
            storage.put(KEY, stream, "application/octet-stream")
    elif case == "naive-put":
        with source.open("rb") as stream, naive_path.open("wb") as out:
            data = stream.read()
            out.write(data)
    elif case == "iter_chunks":
        digest = hashlib.sha256()
        for chunk in storage.iter_chunks(KEY):
            digest.update(chunk)
    elif case == "naive-read":
        with naive_path.open("rb") as handle:
            hashlib.sha256(handle.read())
    else:
        raise SystemExit(f"unknown case {case}")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"peak_growth": max(0, peak - start_rss), "seconds": seconds}


def _measure(case: str, source: Path, workdir: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, str(source), str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(out))
    return {k: statistics.median(r[k] for r in runs) for k in ("peak_growth", "seconds")}


def _make_source(path: Path, size_mb: int) -> None:
    block = os.urandom(MB)
    with path.open("wb") as out:
        for i in range(size_mb):
            out.write(i.to_bytes(8, "big") + block[8:])


def _report(label: str, size_mb: int, streamed: dict[str, float], naive: dict[str, float]) -> None:
    ratio = streamed["peak_growth"] / naive["peak_growth"]
    print(
        f"{label} {size_mb}MB: peak memory {ratio:.2f}x of read-all baseline "
        f"({streamed['peak_growth'] / MB:.1f} MB vs {naive['peak_growth'] / MB:.1f} MB); "
        f"time {streamed['seconds'] / naive['seconds']:.1f}x "
        f"({streamed['seconds']:.2f}s vs {naive['seconds']:.2f}s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.paths[0]), Path(args.paths[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="luneo-bench-") as tmp:
        workdir = Path(tmp)
        source = workdir / "source.bin"
        _make_source(source, args.mb)
        results = {
            case: _measure(case, source, workdir, args.repeat)
            for case in ("naive-put", "put", "naive-read", "iter_chunks")
        }
    _report("storage.put", args.mb, results["put"], results["naive-put"])
    _report("storage.iter_chunks", args.mb, results["iter_chunks"], results["naive-read"])
    print("(put also hashes sha256 and fsyncs before its atomic rename; the baseline does neither)")


if __name__ == "__main__":
    main()
