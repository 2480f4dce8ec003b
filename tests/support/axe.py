"""axe-core (npm, installed with the widget's tools) run in a Playwright page: WCAG 2.1 A/AA.

Only what blocks or seriously hinders people (axe's "serious" and "critical" impacts) fails a
test; each violation is reported with its rule, help text and the first offending elements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "storefront_widget/node_modules/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page, context: str = "document") -> list[dict[str, Any]]:
    """The serious and critical WCAG A/AA violations in ``context`` (a CSS selector)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    target = "document" if context == "document" else repr(context)
    found: list[dict[str, Any]] = page.evaluate(
        f"""async () => {{
            const result = await axe.run({target}, {{runOnly: {{type: 'tag', values: {TAGS!r}}}}});
            return result.violations.map(v => ({{
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }}));
        }}"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
    )
