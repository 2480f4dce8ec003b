"""A thin GraphQL Admin API client that runs as fast as the shop's bucket allows, and no faster.

Shopify meters GraphQL by calculated query cost with a leaky bucket per app and shop: a query
runs only if the bucket holds its *requested* cost, the difference to the *actual* cost is
refunded afterwards, and the bucket refills at ``restoreRate`` points per second up to
``maximumAvailable``. Every response reports that state in ``extensions.cost.throttleStatus``,
so before sending a document again the client waits exactly until the bucket has refilled to
that document's last requested cost. A ``THROTTLED`` error (another worker shared the bucket)
waits for the deficit plus jitter; 429/5xx and connection errors back off exponentially with
jitter; both are bounded (``connectors.retry``), after which ``RetryableError`` hands the retry
to the job queue. Clock, sleep and randomness are injected so tests never really wait.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.base import AuthError, PlatformError, RetryableError
from connectors.http import HttpClient
from connectors.retry import Backoff, TryAgain, retry_after_seconds, with_http_retries

log = logging.getLogger(__name__)

Json = dict[str, Any]


@dataclass(frozen=True)
class ThrottleStatus:
    """The bucket as Shopify last reported it, and when we heard."""

    maximum: float
    available: float
    restore_rate: float
    observed_at: float

    def available_at(self, now: float) -> float:
        refilled = self.available + self.restore_rate * max(0.0, now - self.observed_at)
        return min(self.maximum, refilled)

    def seconds_until(self, cost: float, now: float) -> float:
        """How long until the bucket holds ``cost`` points (capped at its size)."""
        if self.restore_rate <= 0:
            return 0.0
        deficit = min(cost, self.maximum) - self.available_at(now)
        return max(0.0, deficit / self.restore_rate)


def parse_throttle(extensions: Any, now: float) -> tuple[ThrottleStatus | None, float | None]:
    """(bucket state, requested cost) from a response's ``extensions``, when present."""
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    if not isinstance(cost, dict):
        return None, None
    status = cost.get("throttleStatus")
    requested = cost.get("requestedQueryCost")
    throttle = None
    if isinstance(status, dict):
        try:
            throttle = ThrottleStatus(
                maximum=float(status["maximumAvailable"]),
                available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                observed_at=now,
            )
        except (KeyError, TypeError, ValueError):
            throttle = None
    return throttle, float(requested) if isinstance(requested, int | float) else None


def _error_codes(errors: Any) -> set[str]:
    codes = set()
    for error in errors if isinstance(errors, list) else []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and isinstance(extensions.get("code"), str):
            codes.add(extensions["code"])
        elif isinstance(error, dict) and error.get("message") == "Throttled":
            codes.add("THROTTLED")  # older responses carried only the message
    return codes


def _error_messages(errors: Any) -> str:
    items = errors if isinstance(errors, list) else []
    return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in items)


@dataclass(frozen=True)
class QueryCost:
    """``extensions.cost`` of the last answer: what was asked for, what was charged."""

    requested: float | None
    actual: float | None
    throttle: ThrottleStatus | None


class CostExceeded(PlatformError):
    """MAX_COST_EXCEEDED: the document's requested cost is over the single-query limit; Shopify
    says both (``cost``, ``limit``) when it can, so a smaller page can be sent instead."""

    def __init__(self, message: str, cost: float | None, limit: float | None) -> None:
        super().__init__(message)
        self.cost = cost
        self.limit = limit


def _cost_exceeded(errors: Any) -> tuple[float | None, float | None]:
    for error in errors if isinstance(errors, list) else []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and extensions.get("code") == "MAX_COST_EXCEEDED":
            cost, limit = extensions.get("cost"), extensions.get("maxCost")
            return (
                float(cost) if isinstance(cost, int | float) else None,
                float(limit) if isinstance(limit, int | float) else None,
            )
    return None, None


class AccessDenied(AuthError):
    """ACCESS_DENIED: the token is fine, the operation is not allowed (a scope not granted, or
    a condition of the shop such as Checkout Extensibility for cart transforms)."""


class TokenSource(Protocol):
    """Where a client gets its shop's offline token (the app renews expiring ones there)."""

    def current(self) -> str:
        """A token good for the next request (renewed first when about to expire)."""
        ...

    def renew(self, rejected: str) -> str:
        """A token other than ``rejected`` (Shopify just answered 401 to it); else AuthError."""
        ...


class _Unauthorized(Exception):
    """Shopify answered 401 to the token sent (handled once per document by renewing it)."""


class ShopifyGraphQL:
    """POSTs documents to one shop's ``/admin/api/{version}/graphql.json`` and returns ``data``."""

    def __init__(
        self,
        origin: str,
        access_token: str | TokenSource,
        api_version: str,
        *,
        http: HttpClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        max_attempts: int = 6,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        self.endpoint = f"{origin.rstrip('/')}/admin/api/{api_version}/graphql.json"
        self._tokens = access_token
        self.http = http or HttpClient(allow_private=True)
        self.clock = clock
        self.sleep = sleep
        self.rand = rand
        self.backoff = Backoff(max_attempts, base_delay, max_delay)
        self.throttle: ThrottleStatus | None = None
        self._requested: dict[str, float] = {}  # document -> its last requested cost
        self.last_cost: QueryCost | None = None  # the last answer's, for page sizing

    # ------------------------------------------------------------------------ pacing
    def pause_before(self, query: str, expected: float | None = None) -> float:
        """Seconds to wait so the bucket holds this document's requested cost (0 if unknown):
        ``expected`` when the caller knows it (a page sized anew), else its last one."""
        cost = expected if expected is not None else self._requested.get(query)
        if cost is None or self.throttle is None:
            return 0.0
        return self.throttle.seconds_until(cost, self.clock())

    def _throttled_wait(self, query: str, attempt: int) -> float | None:
        """The bucket's refill time for this document plus jitter (None: unknown, back off)."""
        if self.throttle is None:
            return None
        jitter = self.rand() * min(self.backoff.max_delay, 0.25 * 2.0 ** (attempt - 1))
        return self.pause_before(query) + jitter

    def _observe(self, query: str, body: Any) -> None:
        extensions = body.get("extensions") if isinstance(body, dict) else None
        throttle, requested = parse_throttle(extensions, self.clock())
        cost = extensions.get("cost") if isinstance(extensions, dict) else None
        actual = cost.get("actualQueryCost") if isinstance(cost, dict) else None
        self.last_cost = QueryCost(
            requested, float(actual) if isinstance(actual, int | float) else None, throttle
        )
        if throttle is not None:
            self.throttle = throttle
        if requested is not None:
            self._requested[query] = requested

    # ----------------------------------------------------------------------- requests
    def _token(self) -> str:
        return self._tokens if isinstance(self._tokens, str) else self._tokens.current()

    def _send(
        self, query: str, variables: Mapping[str, Any] | None, expected: float | None = None
    ) -> Json:
        """One attempt, paced by the bucket; a 401 renews the token once (a refresh can race the
        expiry) and resends. TryAgain when the request may be retried."""
        wait = self.pause_before(query, expected)
        if wait > 0:
            self.sleep(wait)
        token = self._token()
        try:
            return self._attempt(query, variables, token)
        except _Unauthorized:
            if isinstance(self._tokens, str):
                raise AuthError(
                    "Shopify answered 401: the access token is no longer accepted"
                ) from None
            renewed = self._tokens.renew(token)
        try:
            return self._attempt(query, variables, renewed)
        except _Unauthorized:
            raise AuthError("Shopify answered 401 to a freshly renewed access token") from None

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        expected_cost: float | None = None,
    ) -> Json:
        """Run one document; returns its ``data``. Raises AuthError/RetryableError/PlatformError.

        ``expected_cost``: its requested cost when the caller knows it better than the last
        answer to the same document did (the first attempt waits for that much in the bucket).
        """
        return with_http_retries(
            "Shopify",
            lambda: self._send(query, variables, expected_cost),
            self.backoff,
            log=log,
            sleep=self.sleep,
            rand=self.rand,
        )

    def _attempt(self, query: str, variables: Mapping[str, Any] | None, token: str) -> Json:
        """The data; TryAgain (with the server's wait, if it gave one) when it may be retried."""
        headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}
        payload = {"query": query, "variables": dict(variables or {})}
        try:
            response = self.http.post(self.endpoint, json=payload, headers=headers)
        except OSError as exc:  # requests' errors are OSErrors: connection refused, timeouts
            raise TryAgain(type(exc).__name__) from None
        status = response.status_code
        if status == 401:
            raise _Unauthorized
        if status == 403:
            raise AuthError(f"Shopify answered {status}: the access token is no longer accepted")
        body = _json_or_none(response)
        self._observe(query, body)
        if status == 429:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None:
                raise TryAgain("HTTP 429", retry_after)
            raise TryAgain("HTTP 429", lambda attempt: self._throttled_wait(query, attempt))
        if status >= 500:
            raise TryAgain(f"HTTP {status}")
        if status != 200:
            raise PlatformError(f"Shopify answered HTTP {status} to a GraphQL request")
        if body is None:  # a proxy's error page, a truncated body: worth another try
            raise TryAgain("unreadable response body")
        return self._data(query, body)

    def _data(self, query: str, body: Json) -> Json:
        errors = body.get("errors")
        if errors:
            codes = _error_codes(errors)
            if "THROTTLED" in codes:
                raise TryAgain("THROTTLED", lambda attempt: self._throttled_wait(query, attempt))
            if "ACCESS_DENIED" in codes:
                raise AccessDenied(f"Shopify denied access: {_error_messages(errors)}")
            if "INTERNAL_SERVER_ERROR" in codes:
                raise TryAgain("INTERNAL_SERVER_ERROR")
            if "MAX_COST_EXCEEDED" in codes:
                cost, limit = _cost_exceeded(errors)
                raise CostExceeded(f"GraphQL errors: {_error_messages(errors)}", cost, limit)
            raise PlatformError(f"GraphQL errors: {_error_messages(errors)}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise PlatformError("GraphQL response without data")
        return data

    def stream_lines(self, url: str) -> Iterator[bytes]:
        """The lines of a bulk-operation result file, streamed (no token: it's a signed URL)."""
        response = self.http.get(url, stream=True)
        try:
            if response.status_code != 200:
                raise RetryableError(f"bulk result download answered HTTP {response.status_code}")
            for line in response.iter_lines(chunk_size=64 * 1024):
                if line:
                    yield line
        finally:
            response.close()

    def close(self) -> None:
        self.http.close()


def _json_or_none(response: Any) -> Json | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
