"""The one error a JSON API answers with, raised by views and the services and scopes they call.

It lives apart from ``app.errors`` (which answers it) so that models and services can raise it
without importing Flask's error plumbing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """A JSON API's 4xx/5xx: views raise it, ``handle_api_error`` answers it, the same everywhere.

    ``fields`` maps an input field to its problem (the admin's forms), ``problems`` lists
    field-level errors (the storefront widget), ``headers`` go on the answer (``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        problems: list[dict[str, str]] | None = None,
        *,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.problems, self.headers = fields, problems, headers

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields is not None:
            error["fields"] = dict(self.fields)
        if self.problems is not None:
            error["errors"] = self.problems
        return {"error": error}


class NotFound(ApiError):
    """404 ``not_found`` (or a more precise code) for a row this caller cannot see."""

    def __init__(self, message: str, code: str = "not_found") -> None:
        super().__init__(404, code, message)


class LinkInvalid(NotFound):
    """404 ``link_invalid``: a signed link that opens nothing (forged, cut short, or naming what
    no longer exists), the same answer whichever it is."""

    def __init__(self) -> None:
        super().__init__("This link is not valid. Check that you opened all of it.", "link_invalid")
