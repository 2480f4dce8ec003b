"""The one error the render core raises for anything a caller sent: it names where it went wrong.

``path`` is a JSON-ish path into the design document (``areas.front.layers[2].size_mm``) so the
editor can point at the field and a partner can read it in a log; the API layer maps it to a 4xx.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

_LAYER_PATH = re.compile(r"^areas\.([^.\[]+)(?:\.layers\[(\d+)\])?")


class DesignError(ValueError):
    """A design (or template) that cannot be rendered as sent; never a crash."""

    def __init__(self, path: str, message: str, *, others: Sequence[DesignError] = ()) -> None:
        self.path = path
        self.message = message
        # Further problems found in the same pass (schema validation reports them all).
        self.others = tuple(others)
        super().__init__(f"{path}: {message}" if path else message)

    @property
    def area(self) -> str | None:
        match = _LAYER_PATH.match(self.path)
        return match.group(1) if match else None

    @property
    def layer(self) -> int | None:
        match = _LAYER_PATH.match(self.path)
        return int(match.group(2)) if match and match.group(2) is not None else None

    @property
    def all(self) -> tuple[DesignError, ...]:
        return (self, *self.others)


class RenderTimedOut(RuntimeError):
    """The render ran past the caller's deadline (``RenderInputs.deadline``) and was abandoned.

    Not a DesignError: the document was valid, the time ran out (a busy machine, or a design the
    caller's own limits let through); the caller decides what to answer.
    """


def check_deadline(deadline: float | None) -> None:
    """RenderTimedOut once ``time.monotonic()`` has passed ``deadline`` (None: no deadline)."""
    if deadline is not None and time.monotonic() > deadline:
        raise RenderTimedOut("the render ran out of time")


class FontsNotInstalled(RuntimeError):
    """The curated fonts are missing from this machine: a setup problem, not bad input."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"Luneo's fonts are not installed (looked in {where}). Run scripts/install-assets "
            "(make setup does it)."
        )


class ClipartNotInstalled(RuntimeError):
    """The curated clipart is missing from this machine: a setup problem, not bad input."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"Luneo's clipart is not installed (looked in {where}). Run scripts/install-assets "
            "(make setup does it)."
        )


def layer_path(area: str, index: int, field: str | None = None) -> str:
    """``areas.<area>.layers[<i>]`` plus an optional field: the one spelling used everywhere."""
    base = f"areas.{area}.layers[{index}]"
    return f"{base}.{field}" if field else base
