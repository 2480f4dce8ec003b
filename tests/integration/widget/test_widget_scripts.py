"""The widget refuses the same text as the server, in the same words (issue #19).

``storefront_widget/src/editor/scripts.js`` classifies text by Unicode script before a save;
``app/design/scripts.py`` refuses it on the server (422, preflight). Run under node on the same
samples, the widget's English message must be the server's, and text the print holds must pass
both. A template's text field with such a value is a form problem (``localProblems``) too.
"""

from __future__ import annotations

import json
from typing import Any

from app.design.fonts import default_registry
from app.design.scripts import text_problem
from tests.integration.widget.conftest import WIDGET, run_node_json

SAMPLES = [
    "مرحبا",  # Arabic
    "שלום",  # Hebrew (Open Sans has its letters; the layout cannot order them)
    "नमस्ते",  # Devanagari (conjuncts)
    "สวัสดี",  # Thai
    "你好",  # Chinese
    "こんにちは",  # Japanese
    "안녕하세요",  # Korean
    "Anna 🎉",  # emoji
    "I ❤️ you",  # a symbol shown as emoji
    "Happy birthday Zoë",
    "Καλημέρα",
    "Привет",
    "Tiếng Việt",
]

RUNNER = """
import { scriptProblem } from %s;
import { t } from %s;
import { localProblems } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { samples, template } = JSON.parse(input);
const messages = samples.map((s) => {
  const p = scriptProblem(s);
  return p ? t("script_" + p.key, { name: p.name }) : null;
});
const form = samples.map((s) => localProblems(template, { name: s }));
process.stdout.write(JSON.stringify({ messages, form }));
"""

TEMPLATE = {
    "print_areas": [{"key": "front", "width_mm": 100, "height_mm": 60}],
    "fields": [
        {
            "id": "name",
            "kind": "text",
            "label": "Name",
            "area": "front",
            "box": {"x_mm": 10, "y_mm": 20, "width_mm": 80, "height_mm": 20},
        }
    ],
}


def _run() -> dict[str, Any]:
    editor = WIDGET / "src" / "editor"
    script = RUNNER % tuple(
        json.dumps((editor / name).as_uri()) for name in ("scripts.js", "i18n.js", "fields.js")
    )
    result: dict[str, Any] = run_node_json(script, {"samples": SAMPLES, "template": TEMPLATE})
    return result


def test_the_widget_refuses_what_the_server_refuses_in_its_words() -> None:
    face = default_registry().face("Inter")
    server = [text_problem(sample, face) for sample in SAMPLES]

    widget = _run()

    assert widget["messages"] == server
    assert sum(m is not None for m in server) == 9
    refused = [s for s, m in zip(SAMPLES, server, strict=True) if m]
    codes = [p[0]["code"] if p else None for p in widget["form"]]
    assert codes == ["script" if s in refused else None for s in SAMPLES]
