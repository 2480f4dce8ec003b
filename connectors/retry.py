"""The one retry mechanism: the Shopify and WooCommerce clients and the AI provider use it.

``tenacity`` runs the loop; this module only says how long to wait. The server's word comes
first (``Retry-After``, Shopify's bucket refill time), else exponential backoff, with equal
jitter for the connectors (workers that failed together must not retry together). Attempts are
bounded, and so is the time spent when a ``deadline`` is given: a wait that would end past it is
not started. The last error propagates unchanged; callers decide what it becomes. Sleep, clock
and randomness are injected so tests never really wait.

It lives in ``connectors/`` because the app imports connectors, never the other way round.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from connectors.base import RetryableError

T = TypeVar("T")

#: The wait (seconds) the server asked for after the ``attempt``-th failure, or None to back off.
ServerWait = Callable[[BaseException, int], float | None]
#: Told (attempt, seconds about to be waited, error) before each wait.
OnRetry = Callable[[int, float, BaseException], None]


@dataclass(frozen=True)
class Backoff:
    """Up to ``attempts`` calls; between them ``base_delay`` doubling per attempt up to
    ``max_delay``, with equal jitter (half fixed, half random) unless ``jitter`` is off."""

    attempts: int
    base_delay: float
    max_delay: float
    jitter: bool = True

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed ``attempt`` (1-based) when the server said nothing."""
        ceiling = float(min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1)))
        return ceiling / 2 + rand() * ceiling / 2 if self.jitter else ceiling


def retry_after_seconds(raw: str | None) -> float | None:
    """A ``Retry-After`` header in seconds (None when absent or not a number)."""
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def _no_server_wait(_error: BaseException, _attempt: int) -> float | None:
    return None


def _ignore(_attempt: int, _wait: float, _error: BaseException) -> None:
    return None


def call_with_retries(
    call: Callable[[], T],
    backoff: Backoff,
    *,
    retryable: Callable[[BaseException], bool],
    server_wait: ServerWait = _no_server_wait,
    on_retry: OnRetry = _ignore,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
    clock: Callable[[], float] = time.monotonic,
    deadline: float | None = None,
) -> T:
    """``call()``'s result; ``retryable`` errors are tried again, others and the last propagate.

    ``deadline`` is a ``clock()`` reading: no wait is started that would end after it.
    """

    def error_of(state: RetryCallState) -> BaseException:
        error = state.outcome.exception() if state.outcome is not None else None
        if error is None:  # tenacity waits only after an attempt that raised
            raise RuntimeError("a retry without an error")
        return error

    def wait(state: RetryCallState) -> float:
        asked = server_wait(error_of(state), state.attempt_number)
        return backoff.delay(state.attempt_number, rand) if asked is None else asked

    def stop(state: RetryCallState) -> bool:
        """Attempts spent, or the wait would end past the deadline (it is computed first)."""
        if state.attempt_number >= backoff.attempts:
            return True
        return deadline is not None and clock() + state.upcoming_sleep > deadline

    def before_sleep(state: RetryCallState) -> None:
        on_retry(state.attempt_number, state.upcoming_sleep, error_of(state))

    retrying = Retrying(
        stop=stop,
        wait=wait,
        retry=retry_if_exception(retryable),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)


class TryAgain(Exception):
    """An HTTP attempt that may succeed if repeated. ``problem`` names it (for the log and the
    final error); ``wait`` is the server's wait, fixed or per attempt (None: back off)."""

    def __init__(
        self, problem: str, wait: float | Callable[[int], float | None] | None = None
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.wait = wait

    def server_wait(self, attempt: int) -> float | None:
        return self.wait(attempt) if callable(self.wait) else self.wait


def _server_wait_of(error: BaseException, attempt: int) -> float | None:
    return error.server_wait(attempt) if isinstance(error, TryAgain) else None


def with_http_retries(
    platform: str,
    attempt: Callable[[], T],
    backoff: Backoff,
    *,
    log: logging.Logger,
    sleep: Callable[[float], None],
    rand: Callable[[], float],
) -> T:
    """``attempt()``'s result, retried while it raises TryAgain; once the attempts are spent,
    ``RetryableError`` hands the retry to the job queue. Other errors propagate at once."""
    tries = 0

    def counted() -> T:
        nonlocal tries
        tries += 1
        return attempt()

    def retrying(number: int, wait: float, error: BaseException) -> None:
        log.info(
            "%s request will be retried",
            platform.lower(),
            extra={"problem": str(error), "attempt": number, "delay_s": round(wait, 3)},
        )

    try:
        return call_with_retries(
            counted,
            backoff,
            retryable=lambda error: isinstance(error, TryAgain),
            server_wait=_server_wait_of,
            on_retry=retrying,
            sleep=sleep,
            rand=rand,
        )
    except TryAgain as last:
        raise RetryableError(
            f"{platform} still failing after {tries} attempts: {last.problem}"
        ) from None
