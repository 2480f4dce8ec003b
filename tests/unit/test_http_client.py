"""The outbound HTTP client: timeouts, no redirects, and no calls to private addresses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from connectors.http import BlockedDestination, HttpClient, is_public_address


class _Redirecting(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_loopback_is_refused_for_merchant_supplied_urls(local_server: str) -> None:
    client = HttpClient()

    with pytest.raises(BlockedDestination):
        client.get(local_server)


def test_operator_origins_may_be_local_but_redirects_are_not_followed(local_server: str) -> None:
    client = HttpClient(allow_private=True)

    response = client.get(local_server)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://169.254.169.254/")


@responses.activate
def test_every_request_has_a_timeout_and_our_user_agent() -> None:
    responses.get("https://shop.test/ping", body="pong")

    response = HttpClient(timeout=(1.0, 2.0)).get("https://shop.test/ping")

    assert response.text == "pong"
    sent = responses.calls[0].request
    assert sent.headers["User-Agent"].startswith("Luneo/")
    assert sent.req_kwargs["timeout"] == (1.0, 2.0)


@pytest.mark.parametrize(
    ("_case", "address", "public"),
    [
        ("loopback", "127.0.0.1", False),
        ("private", "10.1.2.3", False),
        ("link-local metadata", "169.254.169.254", False),
        ("v4-mapped loopback", "::ffff:127.0.0.1", False),
        ("v6 loopback", "::1", False),
        ("public v4", "23.227.38.65", True),
        ("public v6", "2606:4700::6810:85e5", True),
    ],
)
def test_public_address_classification(_case: str, address: str, public: bool) -> None:
    assert is_public_address(address) is public
