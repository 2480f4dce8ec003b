"""The embedded Redis: started once per instance folder, shared by every process using it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from app import embedded_redis
from app.redis_connection import connect_redis


def test_server_is_started_on_first_connection_and_reused(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    try:
        web = connect_redis({"REDIS_URL": None}, instance)
        worker = connect_redis({"REDIS_URL": None}, instance)

        web.set("greeting", "hello")

        assert worker.get("greeting") == b"hello"
        assert web.info("server")["process_id"] == worker.info("server")["process_id"]
        assert (instance / "redis" / "redis.pid").exists()
    finally:
        assert embedded_redis.stop(instance) is True
    assert embedded_redis.stop(instance) is False


def test_a_new_connection_to_a_running_server_does_not_check_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new pooled connection used to ping the server through a client of its own before
    connecting (tens of ms per storefront request under load); only a failed connect starts it."""
    instance = tmp_path / "instance"
    try:
        first = connect_redis({"REDIS_URL": None}, instance)
        assert first.ping()
        checks: list[Path] = []
        real = embedded_redis.ensure_running

        def counted(path: Path, **kwargs: Any) -> str:
            checks.append(path)
            return real(path, **kwargs)

        monkeypatch.setattr(embedded_redis, "ensure_running", counted)
        for _ in range(5):
            assert connect_redis({"REDIS_URL": None}, instance).ping()
        assert checks == []

        embedded_redis.stop(instance)  # the server went away: the next connection starts it
        assert connect_redis({"REDIS_URL": None}, instance).ping()
        assert checks == [instance]
    finally:
        embedded_redis.stop(instance)


def test_ensure_running_twice_starts_one_server(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    try:
        url = embedded_redis.ensure_running(instance)
        pid = Redis.from_url(url).info("server")["process_id"]

        assert embedded_redis.ensure_running(instance) == url
        assert Redis.from_url(url).info("server")["process_id"] == pid
    finally:
        embedded_redis.stop(instance)


def test_long_instance_paths_get_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)

    sock = embedded_redis.socket_path(deep)

    assert len(str(sock)) <= 100
    assert sock == embedded_redis.socket_path(deep)
