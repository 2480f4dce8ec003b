"""A thin WooCommerce REST API v3 client: authenticated calls, retries, and page-by-page lists.

Why not ``woocommerce.API``: it sends every request with the module-level ``requests.request``
(a new session per call), so our SSRF-guarded adapter cannot be mounted, the connection to a
merchant-supplied address cannot be checked after DNS resolution, and nothing stops redirects.
So requests go through ``connectors.http.HttpClient`` with the same authentication the package
uses, as WooCommerce documents it:

* over HTTPS, HTTP Basic with the consumer key and secret;
* over plain HTTP (only ever a loopback store in development/testing), WooCommerce reads only
  OAuth 1.0a "one-legged" signatures, made by the package's own ``woocommerce.oauth.OAuth``;
  the Basic header is sent too, for local setups behind a TLS-terminating proxy (WooCommerce
  ignores a non-OAuth ``Authorization`` header when it checks OAuth).

401/403 raise ``AuthError`` at once (keys revoked or read-only: retrying cannot help). 429, 5xx,
connection errors and unreadable bodies back off exponentially with jitter (``connectors.retry``),
a 429 or 503 waiting the ``Retry-After`` the store gave instead, up to ``max_attempts``, then
``RetryableError`` hands the retry to the job queue. Sleep and randomness are injected so tests
never wait.

One client may be used from several threads (variations are fetched in parallel): at most
``concurrency`` requests to the store are in flight at once, whatever the threads, because each
attempt holds a slot of one semaphore for the time of the HTTP exchange only (not while it
sleeps before a retry).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from woocommerce.oauth import OAuth

from connectors.base import AuthError, PlatformError
from connectors.http import BlockedDestination, HttpClient
from connectors.retry import Backoff, TryAgain, retry_after_seconds, with_http_retries

log = logging.getLogger(__name__)

API_PREFIX = "wp-json/wc/v3"
PER_PAGE = 100  # the largest page WooCommerce (WordPress) accepts
CONCURRENCY = 4  # requests in flight to one store at once (WOO_CONCURRENCY)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any  # parsed JSON, or None when the body was not JSON


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    total: int | None  # X-WP-Total
    total_pages: int | None  # X-WP-TotalPages


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _error_message(body: Any) -> str:
    if isinstance(body, dict):
        return f"{body.get('code', '')}: {body.get('message', '')}".strip(": ")
    return ""


class WooREST:
    """Calls one store's ``/wp-json/wc/v3/`` with its consumer key and secret."""

    def __init__(
        self,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        http: HttpClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.store_url = store_url.rstrip("/")
        self.base = f"{self.store_url}/{API_PREFIX}/"
        self._key = consumer_key
        self._secret = consumer_secret
        self.http = http or HttpClient()
        self.sleep = sleep
        self.rand = rand
        self.backoff = Backoff(max_attempts, base_delay, max_delay)
        self.concurrency = max(1, concurrency)
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._ahead = ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix="woo-next-page"
        )

    @property
    def _basic(self) -> tuple[str, str]:
        return (self._key, self._secret)

    @property
    def is_https(self) -> bool:
        return self.store_url.startswith("https://")

    # ------------------------------------------------------------------------ auth
    def _signed(
        self, method: str, url: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """(url, params) to send: params as they are over HTTPS, OAuth-signed into the URL else."""
        values = {k: _php_value(v) for k, v in params.items()}
        if self.is_https:
            return url, values
        query = urlencode(values)
        signer = OAuth(
            url=f"{url}?{query}" if query else url,
            consumer_key=self._key,
            consumer_secret=self._secret,
            version="wc/v3",
            method=method,
        )
        return str(signer.get_oauth_url()), {}

    # -------------------------------------------------------------------- requests
    def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Reply:
        """One call, retried on 429/5xx/connection errors; 2xx/4xx (but 401/403) come back."""
        url = self.base + quote(endpoint.lstrip("/"), safe="/")
        return with_http_retries(
            "WooCommerce",
            lambda: self._attempt(method, url, params or {}, json),
            self.backoff,
            log=log,
            sleep=self.sleep,
            rand=self.rand,
        )

    def _attempt(self, method: str, url: str, params: Mapping[str, Any], json: Any) -> Reply:
        """The reply; TryAgain (with the server's Retry-After, if any) when it may be retried."""
        target, query = self._signed(method, url, params)
        headers = {"Accept": "application/json"}
        try:
            with self._slots:  # never more than ``concurrency`` requests in flight
                response = self.http.request(
                    method, target, params=query, json=json, headers=headers, auth=self._basic
                )
        except BlockedDestination as exc:
            raise PlatformError(f"the store's address is not allowed: {exc}") from None
        except OSError as exc:  # requests' errors are OSErrors: refused, reset, timeouts
            raise TryAgain(type(exc).__name__) from None
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if status in (401, 403):
            raise AuthError(f"WooCommerce answered {status} {_error_message(body)}".strip())
        if status in (429, 503):  # rate limited, or overloaded/in maintenance: it may say how long
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            raise TryAgain(f"HTTP {status}", wait)
        if status >= 500:
            raise TryAgain(f"HTTP {status}")
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            raise PlatformError(f"the store redirects its API (HTTP {status} to {location!r})")
        if 200 <= status < 300 and body is None and response.content:
            raise TryAgain("unreadable response body")  # a proxy's error page, a cut-off body
        return Reply(status, response.headers, body)

    # ------------------------------------------------------------------ conveniences
    def call(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        """The JSON of a 2xx answer; PlatformError for any other (404 included)."""
        return _ok(method, endpoint, self.request(method, endpoint, **kwargs)).body

    def get_optional(self, endpoint: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON of a GET, or None when the resource does not exist (404, or 400 invalid id)."""
        reply = self.request("GET", endpoint, params=params)
        if reply.status == 404 or (reply.status == 400 and _is_invalid_id(reply.body)):
            return None
        return _ok("GET", endpoint, reply).body

    def _page(self, endpoint: str, params: Mapping[str, Any] | None, number: int) -> Page:
        query = {**(params or {}), "per_page": PER_PAGE, "page": number}
        reply = _ok("GET", endpoint, self.request("GET", endpoint, params=query))
        if not isinstance(reply.body, list):
            raise PlatformError(f"GET {endpoint} did not answer a list")
        total_pages = _header_int(reply.headers, "X-WP-TotalPages")
        return Page(reply.body, number, _header_int(reply.headers, "X-WP-Total"), total_pages)

    def pages(
        self, endpoint: str, params: Mapping[str, Any] | None = None, *, ahead: int = 1
    ) -> Iterator[Page]:
        """Each page of a collection at ``per_page=100`` up to X-WP-TotalPages (or a short page).

        Up to ``ahead`` following pages are requested while the caller works on this one (more
        than one only once X-WP-TotalPages says they exist), so a long listing costs about one
        round trip per ``ahead`` pages, not one round trip plus the caller's work per page.
        """
        page = self._page(endpoint, params, 1)
        queued: deque[Future[Page]] = deque()
        following = 2  # the next page number not yet requested
        try:
            while True:
                if page.total_pages is not None:
                    last = page.total_pages if page.items else page.number
                    while following <= last and len(queued) < max(1, ahead):
                        queued.append(self._ahead.submit(self._page, endpoint, params, following))
                        following += 1
                elif len(page.items) >= PER_PAGE and not queued:
                    queued.append(self._ahead.submit(self._page, endpoint, params, following))
                    following += 1
                yield page
                if not queued:
                    return
                page = queued.popleft().result()
        finally:  # the caller stopped early, or a page failed: drop the pages nobody will read
            for future in queued:
                future.cancel()

    def close(self) -> None:
        self._ahead.shutdown(wait=True, cancel_futures=True)
        self.http.close()


def _ok(method: str, endpoint: str, reply: Reply) -> Reply:
    if not 200 <= reply.status < 300:
        raise PlatformError(
            f"{method} {endpoint} answered HTTP {reply.status} {_error_message(reply.body)}"
        )
    return reply


def _php_value(value: Any) -> str:
    """Query values as PHP reads them (booleans as "true"/"false", as WordPress parses them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_invalid_id(body: Any) -> bool:
    code = body.get("code") if isinstance(body, dict) else None
    return isinstance(code, str) and code.endswith("_invalid_id")
