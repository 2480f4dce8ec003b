"""app.wording: every status and audit action has words; codes read as people read them."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import display, wording
from app.config import DEFAULT_SCOPES
from app.design.render_files import ALL_FORMATS
from app.fulfilment.profiles import FORMAT_LABELS
from app.fulfilment.push import SHIPMENT
from app.fulfilment.tracking import TRACKING
from app.models import AssignmentStatus, AuditAction, ProductionStatus, PushStatus

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("enum", "kind"),
    [(AssignmentStatus, "assignment"), (ProductionStatus, "production"), (PushStatus, "push")],
)
def test_every_status_has_words(enum: type, kind: str) -> None:
    for status in enum:  # type: ignore[attr-defined]
        words = wording.status_words(status, kind)
        assert words, status
        assert "_" not in words
        assert wording.status_words(status.value, kind) == words  # the stored text reads the same


def test_a_partner_job_status_reads_as_the_merchant_says_it() -> None:
    assert wording.status_words(AssignmentStatus.NEW) == "Waiting for the partner"
    assert wording.status_words("printing") == "Printing"
    assert wording.status_words("shipped") == "Shipped"
    assert {wording.partner_status_tone(s) for s in AssignmentStatus} <= {
        "info",
        "warning",
        "success",
        "danger",
    }


def test_every_audit_action_has_words() -> None:
    for action in AuditAction:
        words = wording.audit_words(action)
        assert words
        assert words == wording.AUDIT_ACTION_WORDS[action]
        assert action.value not in words
        assert "_" not in words
    # every status a partner can report is an action of its own
    assert {f"status_{s.value}" for s in AssignmentStatus} <= {a.value for a in AuditAction}


# A push (app.fulfilment.push) names its actions "<kind>_<what>": call_store records "started"
# and "retrying", failed() "failed", and each caller its own through event().
PUSH_KINDS = {"SHIPMENT": SHIPMENT, "TRACKING": TRACKING}


def _recorded_actions() -> set[str]:
    """The literal actions app/ hands to audit.record and its wrappers."""
    found: set[str] = {
        f"{kind.action}_{what}"
        for kind in PUSH_KINDS.values()
        for what in ("started", "retrying", "failed")
    }
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            kind = node.args[1] if name == "event" and len(node.args) > 4 else None
            if isinstance(kind, ast.Name) and kind.id in PUSH_KINDS:
                what = node.args[4]
                if isinstance(what, ast.Constant) and isinstance(what.value, str):
                    found.add(f"{PUSH_KINDS[kind.id].action}_{what.value}")
                continue
            position = {"record": 2, "_record": 0, "_event": 3}.get(name)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
            elif isinstance(argument, ast.IfExp):
                found |= {
                    branch.value
                    for branch in (argument.body, argument.orelse)
                    if isinstance(branch, ast.Constant) and isinstance(branch.value, str)
                }
    return found


def test_every_action_the_code_records_is_an_audit_action() -> None:
    recorded = _recorded_actions()
    assert {"download_packing_slip", "team_invited", "push_retrying", "claim"} <= recorded
    assert recorded <= {a.value for a in AuditAction}


def test_audit_words_name_the_person_and_the_file_format() -> None:
    assert wording.audit_words("status_shipped") == "Marked shipped"
    assert wording.audit_words("download_packing_slip") == "Downloaded the packing slip"
    assert wording.audit_words("team_invited", {"email": "ann@print.test"}) == (
        "Invited ann@print.test to the team"
    )
    assert wording.audit_words("download_file", {"format": "pdf"}) == (
        "Downloaded the print file (PDF)"
    )
    assert wording.audit_words("download_file") == "Downloaded a print file"
    # an action added later without words still reads without underscores
    assert wording.audit_words("label_reprinted") == "Label reprinted"
    assert wording.audit_words("tracking_corrected") == "Corrected the tracking"
    assert wording.audit_words("design.changed", {"by": "merchant"}) == (
        "The store changed the design after the order"
    )


def test_every_file_format_has_words_and_files_are_named_by_their_area() -> None:
    for fmt in (*ALL_FORMATS, *FORMAT_LABELS, "proof"):
        assert fmt in wording.FORMAT_WORDS, fmt
    assert wording.file_label("Wrap-around", "png") == "Wrap-around — print file (PNG)"
    assert wording.file_label("Front", "cut-svg") == "Front — cut line (SVG)"
    assert wording.file_label("Lid", "engrave-tiff") == "Lid — engraving (TIFF)"
    assert wording.file_label("Front", "proof") == "Proof sheet (PDF)"
    # the 3D and AR models show the whole product: no area ("model — 3D model (GLB)" before)
    assert wording.file_label("model", "glb") == "3D model (GLB)"
    assert wording.file_label("model", "usdz") == "AR model (USDZ)"


def test_every_scope_luneo_asks_for_says_what_it_lets_luneo_do() -> None:
    for scope in DEFAULT_SCOPES.split(","):
        assert scope in wording.SCOPE_WORDS, scope
        assert "_" not in wording.scope_words(scope)
    assert wording.scope_words("read_inventory") == "See your inventory"
    assert wording.scope_words("write_discounts") == "Change your discounts"


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "Python (requests)"),
        ("PrintLine/2.1 (+https://print.example)", "PrintLine"),
        ("Mozilla/5.0 (Windows NT 10.0)", "A browser on Windows"),
        ("???", "An unknown program"),
        (None, ""),
    ],
)
def test_a_user_agent_reads_as_browser_and_system(agent: str | None, words: str) -> None:
    assert wording.browser_words(agent) == words


def test_a_push_that_will_be_retried_says_when_and_which_attempt() -> None:
    text = wording.push_problem(
        PushStatus.PUSHING,
        4,
        "Attempt 4 failed (RetryableError: Shopify still failing after 6 attempts: "
        "ConnectionError); it will be retried.",
        platform="shopify",
        tried_at=datetime(2026, 12, 6, 14, 0, tzinfo=UTC),
        intervals=(10, 60, 300, 300, 3600),
    )
    assert (
        text == "Couldn't reach Shopify; Luneo will try again at 2:05\u202fPM UTC (attempt 4 of 6)."
    )
    assert "RetryableError" not in text


def test_a_failed_push_says_what_to_do_without_the_exception() -> None:
    down = wording.push_problem(
        "failed",
        6,
        "The store did not answer: ConnectionError: boom",
        platform="woocommerce",
        tried_at=None,
        intervals=(10,) * 5,
    )
    assert down == "Couldn't reach WooCommerce after 6 attempts; retry when it is back."
    refused = wording.push_problem(
        PushStatus.FAILED,
        1,
        "The store refused the shipment: 422",
        platform="shopify",
        tried_at=None,
        intervals=(),
    )
    assert refused.startswith("Shopify refused the shipment")
    assert (
        wording.push_problem("pushed", 1, None, platform="shopify", tried_at=None, intervals=())
        == ""
    )


def test_a_render_crash_reads_as_a_sentence_and_a_refusal_as_written() -> None:
    retrying = wording.job_problem("Attempt 2 failed (MemoryError: vips); it will be retried.")
    assert retrying == "Making the print files failed; Luneo will try again (attempt 2 so far)."
    crashed = wording.job_problem("Rendering failed after 3 attempt(s): OSError: disk full")
    assert "OSError" not in crashed
    assert "3 times" in crashed
    written = "The picture on Front is 40 dpi; upload a larger one."
    assert wording.job_problem(written) == written


@pytest.mark.parametrize(
    ("size", "locale", "words"),
    [
        (512, "en", "512 bytes"),
        (2_400_000, "en", "2.4 MB"),
        (2_400_000, "fr", "2,4\u202fMo"),
        (1_500, "en", "1.5 kB"),
        (123_456_789, "en", "123 MB"),
        (None, "en", ""),
    ],
)
def test_file_sizes_read_in_units(size: int | None, locale: str, words: str) -> None:
    assert display.filesize(size, locale) == words
