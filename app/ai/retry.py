"""The AI provider's retries, on the shared mechanism (``connectors.retry``).

Used by the job (never in a request). Retryable ProviderErrors (timeouts, 429, 5xx) are tried
again up to ``attempts`` times; the wait is the server's ``retry-after`` when it gave one, else
exponential backoff without jitter (one job makes one call at a time), and never more than
``max_delay`` (AI_RETRY_MAX_WAIT). The last error propagates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from app.ai.base import ProviderError
from connectors.retry import Backoff, call_with_retries

T = TypeVar("T")


def ai_backoff(attempts: int, base_delay: float, max_wait: float) -> Backoff:
    """The AI_RETRY_* settings as a Backoff."""
    return Backoff(attempts, base_delay, max_wait, jitter=False)


def delay_for(backoff: Backoff, attempt: int, error: ProviderError) -> float:
    """Seconds to wait after failed ``attempt`` (1-based)."""
    server = _server_wait(backoff, error)
    return backoff.delay(attempt) if server is None else server


def _server_wait(backoff: Backoff, error: BaseException) -> float | None:
    """The provider's ``retry-after``, capped at ``max_delay`` (None: back off)."""
    if not isinstance(error, ProviderError) or error.retry_after is None:
        return None
    return float(min(backoff.max_delay, error.retry_after))


def _retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


def with_retries(
    call: Callable[[], T],
    backoff: Backoff,
    *,
    on_retry: Callable[[int, float, ProviderError], None] = lambda _a, _d, _e: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    def retrying(attempt: int, wait: float, error: BaseException) -> None:
        if isinstance(error, ProviderError):  # always: only ProviderErrors are retried
            on_retry(attempt, wait, error)

    return call_with_retries(
        call,
        backoff,
        retryable=_retryable,
        server_wait=lambda error, _attempt: _server_wait(backoff, error),
        on_retry=retrying,
        sleep=sleep,
    )
