"""Logs: structured, tagged with the request id, and never carrying a secret."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.logging import JsonFormatter, RedactingFilter


def _record(msg: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("luneo.test", logging.INFO, __file__, 1, msg, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


@pytest.mark.parametrize(
    ("_case", "message"),
    [
        ("shopify token", "calling with shpat_a1b2c3d4e5f6a7b8c9d0"),
        ("stripe key", "stripe said no to sk_test_51Habcdefghijkl"),
        ("openai key", "key sk-proj-abcdefghijklmnopqrstu"),
        ("woo secret", "consumer cs_0123456789abcdef0123456789abcdef01234567"),
        ("bearer", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"),
        ("query param", "GET /oauth?code=1&access_token=abcd1234efgh&x=1"),
        ("json field", '{"client_secret": "hush-hush-value"}'),
    ],
)
def test_token_shapes_are_masked(_case: str, message: str) -> None:
    record = _record(message)

    RedactingFilter([]).filter(record)

    assert "[redacted]" in record.getMessage()
    for secret in (
        "a1b2c3d4e5f6",
        "51Habcdef",
        "proj-abcdef",
        "0123456789abcdef",
        "payload",
        "abcd1234efgh",
        "hush-hush",
    ):
        assert secret not in record.getMessage()


def test_configured_secret_values_are_masked_in_messages_and_extras() -> None:
    record = _record("secret is plain-config-secret", url="https://x/?k=plain-config-secret")

    RedactingFilter(["plain-config-secret"]).filter(record)

    assert record.getMessage() == "secret is [redacted]"
    assert record.url == "https://x/?k=[redacted]"


def test_json_formatter_emits_one_object_with_extras() -> None:
    record = _record("synced", shop="demo.myshopify.com", count=3)
    record.request_id = "abc123def"

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "synced"
    assert line["level"] == "info"
    assert line["shop"] == "demo.myshopify.com"
    assert line["count"] == 3
    assert line["request_id"] == "abc123def"


def test_request_id_is_generated_and_echoed(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert len(response.headers["X-Request-ID"]) == 16


def test_sane_incoming_request_id_is_kept_and_odd_one_replaced(client: FlaskClient) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c01"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"})

    assert kept.headers["X-Request-ID"] == "lb-7f3a9c01"
    assert replaced.headers["X-Request-ID"] != "<script>"


def test_app_logs_carry_the_request_id(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/_log_probe")
    def _probe() -> str:
        logging.getLogger("luneo.probe").info("probe with shpat_a1b2c3d4e5f6a7b8c9d0")
        return "ok"

    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "luneo")
    caplog.handler.filters = handler.filters
    with caplog.at_level(logging.INFO):
        app.test_client().get("/_log_probe", headers={"X-Request-ID": "req-12345678"})

    record = next(r for r in caplog.records if r.name == "luneo.probe")
    assert record.request_id == "req-12345678"
    assert "shpat_" not in record.getMessage()
