"""The one API error type and the one CSRF guard (issue #17): every surface answers alike."""

from __future__ import annotations

from typing import NoReturn

import pytest
from flask import Flask
from flask.typing import ResponseReturnValue

from app.csrf import HEADER, CsrfGuard, csrf_token
from app.errors import ApiError, NotFound, register
from app.fulfilment.errors import Conflict, FulfilmentError, Invalid
from app.fulfilment.errors import NotFound as JobNotFound


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TESTING=True)
    register(app)

    @app.get("/plain/<kind>")
    def raising(kind: str) -> ResponseReturnValue:
        errors: dict[str, Exception] = {
            "api": ApiError(409, "taken", "That name is taken."),
            "fields": ApiError(400, "invalid", "Check the name.", fields={"name": "Too long."}),
            "problems": ApiError(422, "invalid_design", "Bad.", [{"path": "x", "message": "m"}]),
            "headers": ApiError(401, "unauthorized", "Key?", headers={"WWW-Authenticate": "B"}),
            "not_found": NotFound("There is no such thing."),
            "conflict": Conflict("Already done.", code="already"),
            "job": JobNotFound("There is no job with this id."),
        }
        raise errors[kind]

    return app


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("api", 409, {"code": "taken", "message": "That name is taken."}),
        (
            "fields",
            400,
            {"code": "invalid", "message": "Check the name.", "fields": {"name": "Too long."}},
        ),
        (
            "problems",
            422,
            {
                "code": "invalid_design",
                "message": "Bad.",
                "errors": [{"path": "x", "message": "m"}],
            },
        ),
        ("not_found", 404, {"code": "not_found", "message": "There is no such thing."}),
        ("conflict", 409, {"code": "already", "message": "Already done."}),
        ("job", 404, {"code": "not_found", "message": "There is no job with this id."}),
    ],
)
def test_a_raised_api_error_is_answered_as_json_by_the_one_handler(
    app: Flask, kind: str, status: int, error: dict[str, object]
) -> None:
    # A path outside /api/ and a browser's Accept: still JSON, as the views built it before.
    response = app.test_client().get(f"/plain/{kind}", headers={"Accept": "text/html"})

    assert response.status_code == status
    assert response.json == {"error": error}


def test_an_api_errors_headers_go_on_the_answer(app: Flask) -> None:
    response = app.test_client().get("/plain/headers")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "B"


def test_fulfilment_errors_are_api_errors_with_their_class_status() -> None:
    assert issubclass(FulfilmentError, ApiError)
    assert (Invalid("x").status, Invalid("x").code) == (422, "invalid")
    assert Invalid("x", code="invalid_json").code == "invalid_json"


class Refused(Exception):
    pass


def _refuse() -> NoReturn:
    raise Refused


@pytest.fixture
def guarded_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TESTING=True)
    plain, trusting = CsrfGuard(_refuse), CsrfGuard(_refuse, trusted=lambda: True)
    other = CsrfGuard(_refuse, session_key="other_csrf")

    @app.route("/token", methods=["GET"])
    def token() -> str:
        return csrf_token()

    @app.route("/plain", methods=["GET", "POST", "DELETE"])
    @plain
    def plain_view() -> str:
        return "done"

    @app.post("/trusting")
    @trusting
    def trusting_view() -> str:
        return "done"

    @app.post("/other")
    @other
    def other_view() -> str:
        return "done"

    @app.errorhandler(Refused)
    def refused(_exc: Refused) -> ResponseReturnValue:
        return "refused", 499

    return app


def test_the_guard_lets_safe_methods_and_token_echoing_writes_through(guarded_app: Flask) -> None:
    client = guarded_app.test_client()
    token = client.get("/token").text

    assert client.get("/plain").text == "done"
    assert client.post("/plain", headers={HEADER: token}).text == "done"
    assert client.post("/plain", data={"csrf_token": token}).text == "done"
    assert client.delete("/plain", headers={HEADER: token}).text == "done"


@pytest.mark.parametrize(
    "forged",
    [{}, {"headers": {HEADER: "guess"}}, {"data": {"csrf_token": "guess"}}],
    ids=["no token", "wrong header", "wrong field"],
)
def test_the_guard_refuses_a_write_without_the_sessions_token(
    guarded_app: Flask, forged: dict[str, dict[str, str]]
) -> None:
    client = guarded_app.test_client()
    client.get("/token")

    assert client.post("/plain", **forged).status_code == 499  # type: ignore[arg-type]
    assert client.delete("/plain", **forged).status_code == 499  # type: ignore[arg-type]


def test_a_trusted_request_needs_no_token(guarded_app: Flask) -> None:
    assert guarded_app.test_client().post("/trusting").text == "done"


def test_a_token_kept_under_another_session_key_does_not_count(guarded_app: Flask) -> None:
    client = guarded_app.test_client()
    token = client.get("/token").text  # the signed-in surfaces' token, not "other_csrf"

    assert client.post("/other", headers={HEADER: token}).status_code == 499
