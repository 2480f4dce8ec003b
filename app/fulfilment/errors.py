"""Errors the fulfilment services raise on purpose, each with its HTTP status and API code.

They are ``ApiError``s: a partner API or admin view that lets one through answers it as
``app.errors`` answers every API error; the portal's pages catch them to show a message.
"""

from __future__ import annotations

from app.api_error import ApiError


class FulfilmentError(ApiError):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(type(self).status, code or type(self).code, message, fields=fields)


class NotFound(FulfilmentError):
    status = 404
    code = "not_found"


class Conflict(FulfilmentError):
    status = 409
    code = "conflict"


class Invalid(FulfilmentError):
    status = 422
    code = "invalid"
