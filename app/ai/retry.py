"""Explicit, bounded retries around a provider call: backoff, server-requested waits, a budget.

Used by the job (never in a request). Retryable ProviderErrors (timeouts, 429, 5xx) are tried
again up to ``attempts`` times; the wait is the server's ``retry-after`` when it gave one, else
exponential backoff, and never more than ``max_wait``. The last error propagates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.ai.base import ProviderError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 2.0
    max_wait: float = 30.0


def delay_for(policy: RetryPolicy, attempt: int, error: ProviderError) -> float:
    """Seconds to wait after failed ``attempt`` (1-based)."""
    if error.retry_after is not None:
        return float(min(policy.max_wait, error.retry_after))
    return float(min(policy.max_wait, policy.base_delay * 2 ** (attempt - 1)))


def with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    on_retry: Callable[[int, float, ProviderError], None] = lambda _a, _d, _e: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    attempt = 1
    while True:
        try:
            return call()
        except ProviderError as error:
            if not error.retryable or attempt >= policy.attempts:
                raise
            wait = delay_for(policy, attempt, error)
            on_retry(attempt, wait, error)
            sleep(wait)
            attempt += 1
