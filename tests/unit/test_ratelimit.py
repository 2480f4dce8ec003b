"""The one rate limiter (``app.ratelimit``, issue #17): fixed windows from the first hit, the
``Retry-After`` it gives, weighed hits, and keys that never spend each other's budget."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from limits.storage import MemoryStorage
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from app.ratelimit import Limiter, RateLimited, Window, hit


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_030.0  # not on a minute: windows start with their first hit

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)  # the memory storage's expiries and ours
    return clock


@pytest.fixture
def limiter(clock: Clock) -> Iterator[Limiter]:
    storage = MemoryStorage()
    yield Limiter(storage)
    storage.timer.cancel()


MINUTE = [Window(60, 3)]


def test_a_window_starts_at_its_first_hit_and_refuses_until_it_ends(
    limiter: Limiter, clock: Clock
) -> None:
    for _ in range(3):
        limiter.hit("shop:1", MINUTE, "slow down")
    clock.now += 20
    with pytest.raises(RateLimited, match="slow down") as refused:
        limiter.hit("shop:1", MINUTE, "slow down")
    assert refused.value.retry_after == 40  # what is left of the window, not a whole one

    clock.now += 39.5
    with pytest.raises(RateLimited) as still:
        limiter.hit("shop:1", MINUTE, "slow down")
    assert still.value.retry_after == 1  # never 0: a client told 0 would retry at once

    clock.now += 0.5  # the window that started with the first hit is over
    for _ in range(3):
        limiter.hit("shop:1", MINUTE, "slow down")


def test_the_first_window_over_its_limit_refuses_with_its_own_wait(
    limiter: Limiter, clock: Clock
) -> None:
    windows = [Window(60, 2), Window(3600, 3)]
    limiter.hit("ai:1", windows, "busy")
    limiter.hit("ai:1", windows, "busy")
    clock.now += 61
    limiter.hit("ai:1", windows, "busy")  # a new minute, the hour's third
    with pytest.raises(RateLimited) as refused:
        limiter.hit("ai:1", windows, "busy")
    assert refused.value.retry_after == 3600 - 61


def test_a_hit_weighs_its_cost_and_cost_zero_only_asks(limiter: Limiter) -> None:
    budget = [Window(60, 100)]
    limiter.hit("ms", budget, "busy", cost=0)
    limiter.hit("ms", budget, "busy", cost=100)
    limiter.hit("ms", budget, "busy", cost=0)  # spent, not overspent: still allowed to ask
    with pytest.raises(RateLimited):
        limiter.hit("ms", budget, "busy", cost=1)
    with pytest.raises(RateLimited):
        limiter.hit("ms", budget, "busy", cost=0)  # over: refused before it starts


def test_a_charge_counts_without_refusing(limiter: Limiter) -> None:
    budget = [Window(60, 100)]
    limiter.charge("render", budget, cost=150)  # done already: paid, not refused
    with pytest.raises(RateLimited):
        limiter.hit("render", budget, "busy", cost=0)  # the next one is


def test_a_limit_of_zero_switches_a_window_off(limiter: Limiter) -> None:
    for _ in range(50):
        limiter.hit("off", [Window(60, 0)], "never")
    assert limiter.retry_after("off", Window(60, 0)) == 0


def test_retry_after_counts_failures_up_to_the_limit_and_clear_forgets_them(
    limiter: Limiter, clock: Clock
) -> None:
    failures = Window(900, 2)
    limiter.charge("login:ann", [failures])
    assert limiter.retry_after("login:ann", failures) == 0
    limiter.charge("login:ann", [failures])
    clock.now += 100
    assert limiter.retry_after("login:ann", failures) == 800

    limiter.clear("login:ann", failures)

    assert limiter.retry_after("login:ann", failures) == 0


def test_one_clients_or_shops_flood_spends_nobody_elses_budget(limiter: Limiter) -> None:
    """The attack: one address (or one store) hammering as fast as it can."""
    for _ in range(3):
        limiter.hit("storefront:client:1:attacker", MINUTE, "slow down")
    for _ in range(10):
        with pytest.raises(RateLimited):
            limiter.hit("storefront:client:1:attacker", MINUTE, "slow down")

    for key in ("storefront:client:1:neighbour", "storefront:client:2:attacker", "shop:2"):
        for _ in range(3):
            limiter.hit(key, MINUTE, "slow down")  # each still has its whole budget


def test_the_same_key_under_another_limit_is_another_budget(limiter: Limiter) -> None:
    """A limit is part of its key (``limits``' keys): a changed setting starts a fresh count."""
    for _ in range(3):
        limiter.hit("partner-api:1", [Window(60, 3)], "slow down")
    limiter.hit("partner-api:1", [Window(60, 5)], "slow down")
    limiter.hit("partner-api:1", [Window(30, 3)], "slow down")


def test_redis_down_refuses_to_count_rather_than_letting_requests_through() -> None:
    """No silent fail-open: the error reaches the caller (a 500), as before the library."""
    unreachable = Redis(
        unix_socket_path="/nonexistent/luneo-redis.sock", retry=Retry(NoBackoff(), 0)
    )

    with pytest.raises(RedisConnectionError):
        hit(unreachable, "shop:1", MINUTE, "slow down")
