"""Start-up of the command line: `luneo --help` and `luneo render --help` against a bare
`python -c "import flask.cli"` run beside them.

Each figure is the median wall time of ``--runs`` fresh processes and the largest resident memory
of one of them (``wait4``'s ``ru_maxrss``), and its ratio to the baseline. Targets: ≤ 0.5 s and
< 60 MB for both commands on this machine (issues #20 and #22).

Run: ``.venv/bin/python bench/cli_startup.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUNEO = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())"]
COMMANDS = {
    "baseline: import flask.cli": [sys.executable, "-c", "import flask.cli"],
    "luneo --help": [*LUNEO, "--help"],
    "luneo render --help": [*LUNEO, "render", "--help"],
}


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident megabytes of one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LUNEO_ENV": "development"}
    start = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def measure(runs: int) -> dict[str, tuple[float, float]]:
    """Interleaved, so a busy moment on the machine weighs on every command alike."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    memory: dict[str, float] = dict.fromkeys(COMMANDS, 0.0)
    for _ in range(runs):
        for name, command in COMMANDS.items():
            seconds, megabytes = run_once(command)
            times[name].append(seconds)
            memory[name] = max(memory[name], megabytes)
    return {name: (statistics.median(times[name]), memory[name]) for name in COMMANDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = measure(args.runs)
    base_time, base_memory = next(iter(results.values()))
    print(f"{'command':<28}{'median s':>10}{'× base':>8}{'peak MB':>10}{'× base':>8}")
    for name, (seconds, megabytes) in results.items():
        print(
            f"{name:<28}{seconds:>10.3f}{seconds / base_time:>8.2f}"
            f"{megabytes:>10.1f}{megabytes / base_memory:>8.2f}"
        )


if __name__ == "__main__":
    main()
