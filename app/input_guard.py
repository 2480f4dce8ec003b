"""Refusing, as the request is parsed, input no part of Luneo can store or walk: a 400, not a 500.

- NUL characters: PostgreSQL refuses ``\\x00`` in text and ``\\u0000`` in jsonb, so a NUL in the
  path, the query, a form field or a JSON string could only end in a database error. File bytes
  in a multipart upload are not text and are left alone.
- JSON nested deeper than ``MAX_JSON_DEPTH``: Python's parser (and every walk over the result)
  would hit the recursion limit; no document Luneo accepts is nested a tenth as deep.

JSON bodies read through ``request.get_json`` are checked by the request class; receivers that
verify a signature over the raw body call ``loads`` themselves.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Request, request
from werkzeug.exceptions import BadRequest

from app.ids import RowIdConverter

MAX_JSON_DEPTH = 64
NUL = "\x00"


class RejectedJson(ValueError):
    """Valid JSON syntax Luneo still refuses (a ValueError, as ``json.loads`` errors are)."""


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads``, refusing NUL characters and nesting deeper than ``MAX_JSON_DEPTH``."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise RejectedJson("The JSON is nested too deeply.") from None
    _check(value)
    return value


def _check(value: Any) -> None:
    """Walk the parsed value without recursion: depth and NUL characters in keys and strings."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                raise RejectedJson("Text must not contain NUL characters.")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise RejectedJson("The JSON is nested too deeply.")
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if isinstance(key, str) and NUL in key:
                    raise RejectedJson("Text must not contain NUL characters.")
                pending.append((child, depth + 1))


def limited_body(limit: int) -> bytes:
    """The raw body, or RequestEntityTooLarge (413) past ``limit`` bytes, chunked or not.

    Werkzeug applies ``request.max_content_length`` to a body without Content-Length (chunked,
    behind a server that sets ``wsgi.input_terminated``) by stopping at the limit silently; one
    more read past it is what raises. A body of exactly ``limit`` bytes counts as too large.
    """
    request.max_content_length = limit
    data = request.get_data(cache=True)
    if request.content_length is None and len(data) >= limit:
        request.stream.read(1)
    return data


class _RequestJson:
    """What ``request.get_json`` parses with (werkzeug calls ``json_module.loads``). Only request
    bodies: the app's own JSON (the session cookie, responses) keeps Flask's provider."""

    loads = staticmethod(loads)
    dumps = staticmethod(json.dumps)


class GuardedRequest(Request):
    """JSON bodies read through ``loads`` above; form fields (not file bytes) with a NUL are
    refused when the form is first parsed."""

    @property
    def json_module(self) -> Any:
        return _RequestJson

    @json_module.setter
    def json_module(self, _provider: Any) -> None:
        """Flask hands every request the app's provider (ctx.py); request bodies keep ours."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        fields = [*self.form.items(multi=True)]
        fields += [(key, upload.filename or "") for key, upload in self.files.items(multi=True)]
        # A part whose name werkzeug cannot read (a CR in it) comes back named None.
        if any(NUL in (key or "") or NUL in (value or "") for key, value in fields):
            # Nothing of it stays readable, should a caller go on after the 400.
            for upload in self.files.values():
                upload.close()
            self.__dict__["form"] = self.parameter_storage_class()
            self.__dict__["files"] = self.parameter_storage_class()
            raise BadRequest("Form fields must not contain NUL characters.")


def refuse_nul_in_url() -> None:
    """A ``%00`` anywhere in the path or the query string: 400 before any view runs."""
    if NUL in request.path or any(
        NUL in key or NUL in value for key, value in request.args.items(multi=True)
    ):
        raise BadRequest("The address must not contain NUL characters.")


def install(app: Flask) -> None:
    """Call before the blueprints are registered: their ``<int:…>`` rules use the converter."""
    app.url_map.converters["int"] = RowIdConverter
    app.request_class = GuardedRequest
    app.before_request(refuse_nul_in_url)
