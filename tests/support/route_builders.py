"""Werkzeug's URL builders compiled once per suite instead of once per app.

Every test gets a fresh app (``tests/conftest.py``: its own settings, instance folder and
storage), and binding an app's ~230 rules compiles two Python functions per rule (werkzeug's
``Rule._compile_builder``: an AST built and compiled): ~0.15 s of each test's set-up, most of the
suite's time. The function depends only on the rule's text, its parsed parts and its defaults,
never on the app (converters are looked up on the rule when it is called), so the same rule in
the next app takes the function compiled for the first. The app code is untouched: production
builds its one app once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

_ORIGINAL = Rule._compile_builder
_COMPILED: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def _cached_builder(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    defaults = tuple(sorted((str(k), repr(v)) for k, v in (self.defaults or {}).items()))
    key = (self.rule, tuple(self._trace), defaults, append_unknown)
    builder = _COMPILED.get(key)
    if builder is None:
        builder = _COMPILED[key] = _ORIGINAL(self, append_unknown)
    return builder


def install() -> None:
    """Share compiled builders between apps (a no-op if werkzeug's internals have moved)."""
    if callable(getattr(Rule, "_compile_builder", None)):
        Rule._compile_builder = _cached_builder  # type: ignore[method-assign]
