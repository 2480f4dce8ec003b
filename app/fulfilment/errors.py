"""Errors the fulfilment services raise on purpose, each with its HTTP status and API code."""

from __future__ import annotations


class FulfilmentError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(FulfilmentError):
    status = 404
    code = "not_found"


class Conflict(FulfilmentError):
    status = 409
    code = "conflict"


class Invalid(FulfilmentError):
    status = 422
    code = "invalid"
