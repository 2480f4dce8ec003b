"""The Redis connection behind the job queues: REDIS_URL, or the embedded server.

The embedded server is started lazily, by the first connection that needs it, so commands that
never touch the queue (``luneo db upgrade``) do not leave a server running.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from redis import ConnectionPool, Redis, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError

from app import embedded_redis


class EmbeddedRedisConnection(UnixDomainSocketConnection):
    """A unix-socket connection that starts the instance's embedded server if it is down."""

    def __init__(self, *, instance_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self.instance_path = Path(instance_path)

    def connect(self) -> None:
        """Connect; only when that fails, start the server (or wait for another process's start)
        and connect again. A running server costs a new connection nothing more than its own."""
        try:
            super().connect()  # type: ignore[no-untyped-call]
        except RedisConnectionError:
            embedded_redis.ensure_running(self.instance_path)
            super().connect()  # type: ignore[no-untyped-call]


def connect_redis(config: Mapping[str, Any], instance_path: Path) -> Redis:
    url = config["REDIS_URL"]
    if url:
        return Redis.from_url(str(url), socket_connect_timeout=5, health_check_interval=30)
    pool = ConnectionPool(
        connection_class=EmbeddedRedisConnection,
        path=str(embedded_redis.socket_path(instance_path)),
        instance_path=str(instance_path),
    )
    return Redis(connection_pool=pool)


def describe(config: Mapping[str, Any], instance_path: Path) -> str:
    """Where the queue lives, for start-up messages (never includes a password)."""
    url = config["REDIS_URL"]
    if not url:
        return f"embedded Redis ({embedded_redis.socket_path(instance_path)})"
    from redis.connection import parse_url

    parts = parse_url(str(url))
    where = parts.get("path") or f"{parts.get('host', '?')}:{parts.get('port', 6379)}"
    return f"Redis at {where} db {parts.get('db', 0)}"
