"""The built stylesheet lets ``hidden`` win over every class's ``display`` (issue #16).

The editor hides its "Try again" button and its saved-preview image with the ``hidden``
attribute; a class rule such as ``.luneo-secondary{display:inline-flex}`` beats the browser's own
``[hidden]{display:none}``, which left both visible and reachable with Tab at editor open.
"""

from __future__ import annotations

import re

from tests.integration.widget.conftest import WIDGET

CSS = (WIDGET / "assets" / "luneo-editor.css").read_text()
SCOPED_HIDDEN = {".luneo-backdrop[hidden]", ".luneo-backdrop [hidden]"}


def rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """(selectors, declarations) of every style rule, with @media blocks flattened."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", r"\1", css)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for part in body.split(";"):
            name, colon, value = part.partition(":")
            if colon:
                declarations[name.strip()] = value.strip()
        found.append(([s.strip() for s in selector.split(",")], declarations))
    return found


def test_hidden_elements_of_the_editor_are_never_displayed() -> None:
    hiding = [
        selectors
        for selectors, declarations in rules(CSS)
        if set(selectors) >= SCOPED_HIDDEN
        and re.fullmatch(r"none\s*!\s*important", declarations.get("display", ""))
    ]
    assert hiding, "luneo-editor.css must carry `.luneo-backdrop [hidden]{display:none!important}`"


def test_no_other_rule_can_outweigh_the_hidden_rule() -> None:
    """An ``!important`` display elsewhere would beat the scoped rule on specificity."""
    competing = [
        (selectors, declarations["display"])
        for selectors, declarations in rules(CSS)
        if "!important" in declarations.get("display", "").replace(" ", "")
        and not set(selectors) >= SCOPED_HIDDEN
    ]
    assert competing == []


def test_every_displayed_class_is_covered_by_the_hidden_rule() -> None:
    """Every class that sets a display lives in the editor, so under the scoped rule."""
    for selectors, declarations in rules(CSS):
        if "display" in declarations:
            for selector in selectors:
                assert selector.startswith((".luneo-", "[hidden]")), selector


def test_the_rule_parser_sees_the_stylesheet() -> None:
    parsed = rules(CSS)
    assert len(parsed) > 30
    assert any(".luneo-secondary" in s for s, d in parsed if d.get("display") == "inline-flex")
