"""The GraphQL client: pacing from throttleStatus, bounded retries, and what ends a request."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from connectors.base import AuthError, PlatformError, RetryableError
from connectors.shopify.client import ShopifyGraphQL, ThrottleStatus

ORIGIN = "https://example.myshopify.com"
ENDPOINT = f"{ORIGIN}/admin/api/2026-07/graphql.json"
TOKEN = "shpat_0123456789abcdef0123456789abcdef"
QUERY = "query LuneoProducts { shop { currencyCode } }"
DATA = {"shop": {"currencyCode": "EUR"}}


class FakeTime:
    """A clock that only moves when the client sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


def make_client(time: FakeTime, **overrides: Any) -> ShopifyGraphQL:
    return ShopifyGraphQL(
        ORIGIN, TOKEN, "2026-07", clock=time.clock, sleep=time.sleep, rand=lambda: 0.5, **overrides
    )


def cost(requested: int, actual: int | None, available: float, *, maximum: float = 2000) -> dict:
    throttle = {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": 100.0}
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": throttle,
        }
    }


def ok(requested: int = 863, actual: int = 123, available: float = 1877) -> dict:
    return {"json": {"data": DATA, "extensions": cost(requested, actual, available)}}


def throttled(requested: int = 863, available: float = 63) -> dict:
    error = {"message": "Throttled", "extensions": {"code": "THROTTLED"}}
    return {"json": {"errors": [error], "extensions": cost(requested, None, available)}}


@responses.activate
def test_query_is_posted_with_the_token_to_the_versioned_endpoint(time: FakeTime) -> None:
    responses.post(ENDPOINT, **ok())

    data = make_client(time).execute(QUERY, {"first": 10})

    assert data == DATA
    sent = responses.calls[0].request
    assert sent.headers["X-Shopify-Access-Token"] == TOKEN
    assert json.loads(sent.body) == {"query": QUERY, "variables": {"first": 10}}
    assert time.sleeps == []


@responses.activate
def test_next_query_waits_exactly_until_the_bucket_holds_its_requested_cost(
    time: FakeTime,
) -> None:
    # Given 500 points left after a query that requested 863, refilling at 100/s
    responses.post(ENDPOINT, **ok(requested=863, actual=123, available=500))
    responses.post(ENDPOINT, **ok())
    client = make_client(time)
    client.execute(QUERY)
    time.now += 1.0  # and one second spent elsewhere (storing the page)

    client.execute(QUERY)

    # Then it waits (863 - 500 - 100) / 100 = 2.63 s: no more, no less
    assert time.sleeps == [pytest.approx(2.63)]


@responses.activate
def test_no_wait_while_the_bucket_already_holds_the_cost(time: FakeTime) -> None:
    responses.post(ENDPOINT, **ok(available=1200))
    responses.post(ENDPOINT, **ok(available=1100))
    client = make_client(time)

    client.execute(QUERY)
    client.execute(QUERY)

    assert time.sleeps == []


@responses.activate
def test_a_document_never_sent_before_goes_out_at_once(time: FakeTime) -> None:
    responses.post(ENDPOINT, **ok(available=0))
    responses.post(ENDPOINT, **ok())
    client = make_client(time)
    client.execute(QUERY)

    client.execute("query LuneoOther { shop { currencyCode } }")

    assert time.sleeps == []


def test_throttle_status_refills_at_the_restore_rate_up_to_the_bucket_size() -> None:
    status = ThrottleStatus(maximum=1000, available=100, restore_rate=50, observed_at=10.0)

    assert status.available_at(12.0) == 200
    assert status.available_at(100.0) == 1000
    assert status.seconds_until(400, 12.0) == pytest.approx(4.0)
    assert status.seconds_until(5000, 10.0) == pytest.approx(18.0)  # never more than the bucket


@responses.activate
def test_throttled_query_is_retried_once_the_deficit_has_refilled(time: FakeTime) -> None:
    responses.post(ENDPOINT, **throttled(requested=863, available=63))
    responses.post(ENDPOINT, **ok())

    data = make_client(time).execute(QUERY)

    assert data == DATA
    assert len(responses.calls) == 2
    # (863 - 63) / 100 = 8 s for the bucket, plus jitter 0.5 x 0.25 s
    assert time.sleeps == [pytest.approx(8.125)]


@responses.activate
def test_throttling_that_never_ends_is_bounded_then_left_to_the_job_queue(time: FakeTime) -> None:
    responses.post(ENDPOINT, **throttled())

    with pytest.raises(RetryableError, match="THROTTLED"):
        make_client(time, max_attempts=4).execute(QUERY)

    assert len(responses.calls) == 4
    assert len(time.sleeps) == 3


@pytest.mark.parametrize("status", [401, 403])
@responses.activate
def test_refused_credentials_raise_auth_error_without_retrying(time: FakeTime, status: int) -> None:
    responses.post(
        ENDPOINT, status=status, json={"errors": "[API] Invalid API key or access token"}
    )

    with pytest.raises(AuthError):
        make_client(time).execute(QUERY)

    assert len(responses.calls) == 1
    assert time.sleeps == []


@responses.activate
def test_access_denied_graphql_error_is_an_auth_error(time: FakeTime) -> None:
    error = {"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}
    responses.post(ENDPOINT, json={"errors": [error]})

    with pytest.raises(AuthError, match="Access denied"):
        make_client(time).execute(QUERY)


@responses.activate
def test_server_errors_back_off_exponentially_then_raise_retryable(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=502, body="Bad Gateway")

    with pytest.raises(RetryableError, match="HTTP 502"):
        make_client(time, max_attempts=5).execute(QUERY)

    assert len(responses.calls) == 5
    # equal jitter with rand() = 0.5: 3/4 of 1, 2, 4, 8 seconds
    assert time.sleeps == [0.75, 1.5, 3.0, 6.0]


@responses.activate
def test_backoff_is_capped(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=503)

    with pytest.raises(RetryableError):
        make_client(time, max_attempts=4, max_delay=2.0).execute(QUERY)

    assert time.sleeps == [0.75, 1.5, 1.5]


@responses.activate
def test_server_error_then_success_returns_the_data(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=500)
    responses.post(ENDPOINT, **ok())

    assert make_client(time).execute(QUERY) == DATA
    assert time.sleeps == [0.75]


@responses.activate
def test_connection_errors_are_retried(time: FakeTime) -> None:
    responses.post(ENDPOINT, body=ConnectionRefusedError("connection refused"))
    responses.post(ENDPOINT, **ok())

    assert make_client(time).execute(QUERY) == DATA
    assert len(responses.calls) == 2


@responses.activate
def test_http_429_waits_as_long_as_retry_after_says(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=429, headers={"Retry-After": "2.0"})
    responses.post(ENDPOINT, **ok())

    assert make_client(time).execute(QUERY) == DATA
    assert time.sleeps == [2.0]


@responses.activate
def test_other_graphql_errors_are_not_retried(time: FakeTime) -> None:
    error = {"message": "Field 'nope' doesn't exist on type 'Shop'"}
    responses.post(ENDPOINT, json={"errors": [error]})

    with pytest.raises(PlatformError, match="doesn't exist"):
        make_client(time).execute(QUERY)

    assert len(responses.calls) == 1


@responses.activate
def test_bulk_result_is_streamed_line_by_line_without_the_access_token(time: FakeTime) -> None:
    url = "https://storage.googleapis.com/bulk/123.jsonl?signature=abc"
    responses.get(url, body=b'{"id":"gid://shopify/Product/1"}\n\n{"id":"x","__parentId":"y"}\n')

    lines = list(make_client(time).stream_lines(url))

    assert lines == [b'{"id":"gid://shopify/Product/1"}', b'{"id":"x","__parentId":"y"}']
    assert "X-Shopify-Access-Token" not in responses.calls[0].request.headers


class Tokens:
    """A TokenSource that counts renewals (app.shopify.tokens is the real one)."""

    def __init__(self, renewed: str = "shpat_renewed") -> None:
        self.token, self.renewed = TOKEN, renewed
        self.rejected: list[str] = []

    def current(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str:
        self.rejected.append(rejected)
        self.token = self.renewed
        return self.token


@responses.activate
def test_a_401_renews_the_token_once_and_resends_the_document(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=401, json={"errors": "[API] Invalid API key or access token"})
    responses.post(ENDPOINT, **ok())
    tokens = Tokens()
    client = ShopifyGraphQL(ORIGIN, tokens, "2026-07", clock=time.clock, sleep=time.sleep)

    assert client.execute(QUERY) == DATA

    assert tokens.rejected == [TOKEN]
    sent = [call.request.headers["X-Shopify-Access-Token"] for call in responses.calls]
    assert sent == [TOKEN, "shpat_renewed"]
    assert time.sleeps == []  # a renewal is not a backoff


@responses.activate
def test_a_401_to_the_renewed_token_ends_the_request_without_a_loop(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=401, json={"errors": "[API] Invalid API key or access token"})
    tokens = Tokens()
    client = ShopifyGraphQL(ORIGIN, tokens, "2026-07", clock=time.clock, sleep=time.sleep)

    with pytest.raises(AuthError, match="renewed"):
        client.execute(QUERY)

    assert tokens.rejected == [TOKEN]  # one renewal
    assert len(responses.calls) == 2


@responses.activate
def test_a_403_is_a_missing_permission_not_an_expired_token(time: FakeTime) -> None:
    responses.post(ENDPOINT, status=403, json={"errors": "Forbidden"})
    tokens = Tokens()
    client = ShopifyGraphQL(ORIGIN, tokens, "2026-07", clock=time.clock, sleep=time.sleep)

    with pytest.raises(AuthError):
        client.execute(QUERY)

    assert tokens.rejected == []
    assert len(responses.calls) == 1
