"""Structured logging: JSON lines in production, readable lines in development.

Every record carries the request id (from ``X-Request-ID`` when a proxy set a sane one, else a new
one), and every record is passed through a filter that masks configured secrets and anything
shaped like a token, so a careless ``log.info(url)`` cannot leak an access token.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from app.config import secret_values

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

# Token shapes that must never reach a log: Shopify tokens, Stripe and OpenAI keys, Woo keys,
# bearer tokens and secret-named query/JSON fields.
MASK = "[redacted]"
_TOKEN_PATTERNS = [
    (re.compile(r"\bshp(?:at|ca|pa|ss|ua)_[A-Za-z0-9]{8,}"), MASK),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}"), MASK),
    (re.compile(r"\bwhsec_[A-Za-z0-9]{8,}"), MASK),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), MASK),
    (re.compile(r"\bc[ks]_[a-f0-9]{20,}"), MASK),
    (re.compile(r"\blnp_[a-f0-9]{12}_[A-Za-z0-9_-]{8,}"), MASK),
    (re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    (
        re.compile(
            r"(?i)((?:access_token|refresh_token|client_secret|consumer_secret|password|api_key)"
            r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{4,}"
        ),
        r"\1" + MASK,
    ),
]

# Attributes every LogRecord has; anything else came from ``extra=`` and is logged as a field.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class RedactingFilter(logging.Filter):
    def __init__(self, secrets_to_mask: list[str]) -> None:
        super().__init__()
        self.secrets = sorted(set(secrets_to_mask), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for value in self.secrets:
            text = text.replace(value, MASK)
        for pattern, replacement in _TOKEN_PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        record.request_id = current_request_id()
        return True


def current_request_id() -> str | None:
    if has_request_context():
        rid: str | None = g.get("request_id")
        return rid
    return None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            payload["request_id"] = getattr(record, "request_id", None)
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(rid)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid}]" if rid else ""
        extras = {
            k: v
            for k, v in vars(record).items()
            if k not in _STANDARD_ATTRS and k != "rid" and not k.startswith("_")
        }
        line = super().format(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


def configure_logging(app: Flask) -> None:
    """Route Luneo's and the libraries' logs through one redacting handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())
    handler.addFilter(RedactingFilter(secret_values(app.config)))
    handler.set_name("luneo")
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == "luneo"]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers.clear()  # propagate to root: one format for everything
    app.logger.propagate = True


def install_request_id(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
