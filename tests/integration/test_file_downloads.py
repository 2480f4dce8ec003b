"""Signed download links for locally stored files, through the real app and its /files route."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import signing
from app.file_downloads import make_url_builder
from app.storage import LocalStorage, S3Storage, storage_from_config

KEY = "shops/12/print_png/2025/03/abc.png"
DATA = bytes(range(256)) * 4096  # 1 MiB, every byte value


class Clock:
    """A clock the test moves by hand, so expiry is exact without sleeping."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(1_700_000_000.0)


@pytest.fixture
def storage(app: Flask, clock: Clock) -> LocalStorage:
    """The app's own storage settings, with the test's clock."""
    storage = storage_from_config(app.config, url_builder=make_url_builder(app), clock=clock)
    assert isinstance(storage, LocalStorage)
    app.extensions["luneo.storage"] = storage
    storage.put(KEY, DATA, "image/png")
    return storage


def _path_and_query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def _get(client: FlaskClient, path: str, query: dict[str, str], **kwargs: Any) -> Any:
    # buffered: the file is read and closed inside the call, as a real server would.
    return client.get(f"{path}?{urlencode(query)}", buffered=True, **kwargs)


def test_the_app_wires_a_local_storage_under_storage_url(
    app: Flask, settings: dict[str, Any]
) -> None:
    storage = app.extensions["luneo.storage"]
    assert isinstance(storage, LocalStorage)
    assert storage.root == Path(settings["STORAGE_URL"])


def test_download_url_is_absolute_and_outside_a_request(storage: LocalStorage) -> None:
    # when
    url = storage.download_url(KEY, expires_in=600, filename="front.png")
    # then
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "luneo.test", f"/files/{KEY}")
    assert sorted(parse_qs(parts.query)) == ["expires", "filename", "signature"]
    assert parse_qs(parts.query)["expires"] == ["1700000600"]


def test_a_signed_url_downloads_the_exact_bytes(client: FlaskClient, storage: LocalStorage) -> None:
    # given
    path, query = _path_and_query(storage.download_url(KEY, expires_in=600))
    # when
    response = _get(client, path, query)
    # then
    assert response.status_code == 200
    assert response.data == DATA
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "private, max-age=600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Disposition"] == "inline; filename=abc.png"


def test_a_filename_makes_it_an_attachment(client: FlaskClient, storage: LocalStorage) -> None:
    # given
    path, query = _path_and_query(
        storage.download_url(KEY, expires_in=600, filename="Tasse für Oma.png")
    )
    # when
    response = _get(client, path, query)
    # then
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Tasse fur Oma.png\"; filename*=UTF-8''Tasse%20f%C3%BCr%20Oma.png"
    )


@pytest.mark.parametrize(
    ("_case", "tamper"),
    [
        ("signature changed", lambda p, q: (p, {**q, "signature": "A" + q["signature"][1:]})),
        ("signature missing", lambda p, q: (p, {k: v for k, v in q.items() if k != "signature"})),
        ("expires missing", lambda p, q: (p, {k: v for k, v in q.items() if k != "expires"})),
        ("expires extended", lambda p, q: (p, {**q, "expires": str(int(q["expires"]) + 3600)})),
        ("expires not a number", lambda p, q: (p, {**q, "expires": "1e12"})),
        ("filename added", lambda p, q: (p, {**q, "filename": "evil.html"})),
        ("other key", lambda p, q: (p.replace("abc.png", "abd.png"), q)),
        ("other shop", lambda p, q: (p.replace("/shops/12/", "/shops/13/"), q)),
        ("traversal", lambda p, q: (p.replace("/shops/12/", "/shops/12/../12/"), q)),
    ],
)
def test_a_tampered_link_is_refused_and_serves_nothing(
    client: FlaskClient, storage: LocalStorage, _case: str, tamper: Any
) -> None:
    # given
    storage.put("shops/12/print_png/2025/03/abd.png", b"other", "image/png")
    storage.put("shops/13/print_png/2025/03/abc.png", b"other shop", "image/png")
    path, query = tamper(*_path_and_query(storage.download_url(KEY, expires_in=600)))
    # when
    response = _get(client, path, query)
    # then
    assert response.status_code == 403
    assert response.json is not None
    assert response.json["error"]["code"] == "invalid_signature"
    assert "Content-Disposition" not in response.headers


def test_the_link_works_until_it_expires(
    client: FlaskClient, storage: LocalStorage, clock: Clock
) -> None:
    # given
    path, query = _path_and_query(storage.download_url(KEY, expires_in=60))
    # when one second before expiry
    clock.now += 59
    before = _get(client, path, query)
    # and at expiry
    clock.now += 1
    after = _get(client, path, query)
    # then
    assert before.status_code == 200
    assert before.headers["Cache-Control"] == "private, max-age=1"
    assert after.status_code == 403
    assert after.json == {
        "error": {"code": "link_expired", "message": "the download link has expired"}
    }


def test_a_link_built_already_expired_is_refused(
    client: FlaskClient, storage: LocalStorage
) -> None:
    # given
    path, query = _path_and_query(storage.download_url(KEY, expires_in=-1))
    # when
    response = _get(client, path, query)
    # then
    assert response.status_code == 403
    assert response.json is not None
    assert response.json["error"]["code"] == "link_expired"


@pytest.mark.parametrize(
    ("secret", "purpose"),
    [
        *((None, p) for p in signing.Purpose if p is not signing.Purpose.FILE_DOWNLOAD),
        ("another-secret-key", signing.Purpose.FILE_DOWNLOAD),
    ],
)
def test_a_token_made_for_another_purpose_or_with_another_key_opens_no_file(
    app: Flask,
    client: FlaskClient,
    storage: LocalStorage,
    clock: Clock,
    secret: str | None,
    purpose: signing.Purpose,
) -> None:
    # given the very claims of a link to this file, signed for something else or by someone else
    key = secret or app.config["SECRET_KEY"]
    issued = signing.issue(key, purpose, [KEY, ""], ttl=600, now=clock.now)
    query = {"expires": str(issued.expires), "signature": issued.token}
    # when
    response = _get(client, f"/files/{KEY}", query)
    # then
    assert response.status_code == 403
    assert response.json is not None
    assert response.json["error"]["code"] == "invalid_signature"


def test_an_expired_link_to_one_file_is_refused_as_invalid_for_another(
    client: FlaskClient, storage: LocalStorage, clock: Clock
) -> None:
    # given an expired link to this file, pointed at another
    storage.put("shops/12/print_png/2025/03/abd.png", b"other", "image/png")
    path, query = _path_and_query(storage.download_url(KEY, expires_in=60))
    clock.now += 3600
    # when
    response = _get(client, path.replace("abc.png", "abd.png"), query)
    # then
    assert response.status_code == 403
    assert response.json is not None
    assert response.json["error"]["code"] == "invalid_signature"


def test_a_deleted_file_answers_404(client: FlaskClient, storage: LocalStorage) -> None:
    # given
    path, query = _path_and_query(storage.download_url(KEY, expires_in=600))
    storage.delete(KEY)
    # when
    response = _get(client, path, query)
    # then
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["error"]["code"] == "not_found"


def test_a_range_request_returns_206_with_that_slice(
    client: FlaskClient, storage: LocalStorage
) -> None:
    # given
    path, query = _path_and_query(storage.download_url(KEY, expires_in=600))
    # when
    response = _get(client, path, query, headers={"Range": "bytes=1000-1999"})
    # then
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(DATA)}"
    assert response.data == DATA[1000:2000]


def test_a_conditional_request_returns_304(client: FlaskClient, storage: LocalStorage) -> None:
    # given
    path, query = _path_and_query(storage.download_url(KEY, expires_in=600))
    etag = _get(client, path, query).headers["ETag"]
    # when
    response = _get(client, path, query, headers={"If-None-Match": etag})
    # then
    assert response.status_code == 304
    assert response.data == b""


def test_the_route_answers_404_when_files_live_in_s3(app: Flask, client: FlaskClient) -> None:
    # given an S3 backend (never contacted: the route refuses before any request)
    s3 = boto3.session.Session(
        aws_access_key_id="unused", aws_secret_access_key="unused", region_name="us-east-1"
    ).client("s3")
    app.extensions["luneo.storage"] = S3Storage("luneo-test", "", s3)
    # when
    response = client.get(f"/files/{KEY}?expires=9999999999&signature=x")
    # then
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["error"]["code"] == "not_found"


STORE_ORIGIN = "https://mug-shop.example"
Ask = tuple[str, dict[str, str], dict[str, str]]  # path, query, headers


def _the_file(storage: LocalStorage, client: FlaskClient, path: str, query: dict[str, str]) -> Ask:
    return path, query, {}


def _a_range(storage: LocalStorage, client: FlaskClient, path: str, query: dict[str, str]) -> Ask:
    return path, query, {"Range": "bytes=0-99"}


def _unchanged(storage: LocalStorage, client: FlaskClient, path: str, query: dict[str, str]) -> Ask:
    return path, query, {"If-None-Match": _get(client, path, query).headers["ETag"]}


def _tampered(storage: LocalStorage, client: FlaskClient, path: str, query: dict[str, str]) -> Ask:
    return path, {**query, "signature": "A" + query["signature"][1:]}, {}


def _expired(storage: LocalStorage, client: FlaskClient, path: str, query: dict[str, str]) -> Ask:
    return path, {**query, "expires": "1"}, {}


def _deleted(storage: LocalStorage, client: FlaskClient, path: str, query: dict[str, str]) -> Ask:
    storage.delete(KEY)
    return path, query, {}


@pytest.mark.parametrize(
    ("ask", "status"),
    [
        (_the_file, 200),
        (_a_range, 206),
        (_unchanged, 304),
        (_tampered, 403),
        (_expired, 403),
        (_deleted, 404),
    ],
)
def test_every_answer_is_readable_from_a_store_page(
    client: FlaskClient, storage: LocalStorage, ask: Any, status: int
) -> None:
    """Issue #16: the widget, on the store's origin, draws mockups and AI images on a canvas
    (CORS), and must be able to read why a link was refused."""
    # given
    path, query, headers = ask(
        storage, client, *_path_and_query(storage.download_url(KEY, expires_in=600))
    )
    # when
    response = _get(client, path, query, headers={"Origin": STORE_ORIGIN, **headers})
    # then
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers  # the link is the key
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if status == 200:
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
