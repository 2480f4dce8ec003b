"""The outbound HTTP client: timeouts, no redirects, and no calls to private addresses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from app.woocommerce.store_url import InvalidStoreUrl, normalize
from app.woocommerce.store_url import check_allowed as check_store_url
from connectors import http
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
        # IPv6 forms are judged by the IPv4 address they embed (issue #15, item 13)
        ("NAT64 of the metadata address", "64:ff9b::a9fe:a9fe", False),
        ("NAT64 local-use prefix", "64:ff9b:1::a9fe:a9fe", False),
        ("6to4 of the metadata address", "2002:a9fe:a9fe::", False),
        ("6to4 of a private address", "2002:0a00:0001::1", False),
        ("IPv4-compatible metadata", "::169.254.169.254", False),
        ("IPv4-translated private", "::ffff:0:10.0.0.1", False),
        ("Teredo of the metadata address", "2001:0:a9fe:a9fe::1", False),
        ("unspecified v6", "::", False),
        ("NAT64 of a public address", "64:ff9b::808:808", True),
        ("6to4 of a public address", "2002:808:808::1", True),
    ],
)
def test_public_address_classification(_case: str, address: str, public: bool) -> None:
    assert is_public_address(address) is public


class _ConnectedTo:
    """A socket the OS connected to ``peer`` (what the client sees after DNS and connect)."""

    def __init__(self, peer: str) -> None:
        self.peer, self.closed = peer, False

    def getpeername(self) -> tuple[str, int, int, int]:
        return (self.peer, 443, 0, 0)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("peer", ["64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::"])
def test_a_connection_to_an_embedded_internal_address_is_closed_and_refused(peer: str) -> None:
    sock = _ConnectedTo(peer)

    with pytest.raises(BlockedDestination):
        http._check_peer(sock, "shop.example")  # type: ignore[arg-type]

    assert sock.closed


@pytest.mark.parametrize("host", ["[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::]"])
def test_store_urls_naming_an_embedded_internal_address_are_refused(host: str) -> None:
    with pytest.raises(InvalidStoreUrl, match="not a public address"):
        check_store_url(normalize(f"https://{host}/"), "production")


def test_store_names_resolving_to_an_embedded_internal_address_are_refused() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["2606:4700::6810:85e5", "64:ff9b::a9fe:a9fe"]

    with pytest.raises(InvalidStoreUrl, match="not a public address"):
        check_store_url(normalize("https://shop.example/"), "production", resolve)
