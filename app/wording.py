"""The words the human pages use for Luneo's internal codes, written once.

Statuses, audit actions, file formats, Shopify access scopes, browsers and the retry messages
of a shipment push are stored as machine values (JSON answers keep them); the admin and the
partner portal read them through the Jinja filters ``install`` registers, so one status reads
the same on every page. The technical value stays on the page one click away, in a
``<details>`` "Technical details" disclosure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from app.display import DEFAULT_LOCALE, moment_time
from app.models import AssignmentStatus, AuditAction, ProductionStatus, PushStatus

# ---------------------------------------------------------------- statuses

# A job as its partner has it: what the merchant and the partner read.
ASSIGNMENT_STATUS_WORDS: dict[AssignmentStatus, str] = {
    AssignmentStatus.NEW: "Waiting for the partner",
    AssignmentStatus.PRINTING: "Printing",
    AssignmentStatus.SHIPPED: "Shipped",
    AssignmentStatus.PROBLEM: "Problem reported",
}
# The badge tone of each (luneo.css badge--*).
ASSIGNMENT_STATUS_TONES: dict[AssignmentStatus, str] = {
    AssignmentStatus.NEW: "info",
    AssignmentStatus.PRINTING: "warning",
    AssignmentStatus.SHIPPED: "success",
    AssignmentStatus.PROBLEM: "danger",
}

PRODUCTION_STATUS_WORDS: dict[ProductionStatus, str] = {
    ProductionStatus.QUEUED: "Queued",
    ProductionStatus.RENDERING: "Rendering",
    ProductionStatus.READY: "Ready",
    ProductionStatus.PRINTING: "Printing",
    ProductionStatus.SHIPPED: "Shipped",
    ProductionStatus.FAILED: "Failed",
}

PUSH_STATUS_WORDS: dict[PushStatus, str] = {
    PushStatus.REPORTED: "Waiting to be sent to the store",
    PushStatus.PUSHING: "Being sent to the store",
    PushStatus.PUSHED: "Sent to the store",
    PushStatus.FAILED: "Not sent to the store",
}

_STATUS_WORDS: dict[str, Mapping[Any, str]] = {
    "assignment": ASSIGNMENT_STATUS_WORDS,
    "production": PRODUCTION_STATUS_WORDS,
    "push": PUSH_STATUS_WORDS,
}


def _plain(code: str) -> str:
    """A code nobody wrote words for yet, at least without underscores: "on_hold" → "On hold"."""
    return code.replace("_", " ").replace("-", " ").strip().capitalize()


_STATUS_ENUMS: dict[str, type] = {
    "assignment": AssignmentStatus,
    "production": ProductionStatus,
    "push": PushStatus,
}


def status_words(status: Any, kind: str | None = None) -> str:
    """A status in words. An enum member says which machine it belongs to; a stored value
    needs ``kind`` (``"assignment"``, the partner's job, unless told)."""
    if status is None or status == "":
        return ""
    if kind is None:
        found = (k for k, enum in _STATUS_ENUMS.items() if isinstance(status, enum))
        kind = next(found, "assignment" if isinstance(status, str) else "")
    if not kind:  # another machine's status (a design's): its value, readable
        return _plain(str(getattr(status, "value", status)))
    words = _STATUS_WORDS[kind]
    for member, text in words.items():
        if status == member or status == member.value:
            return text
    return _plain(str(getattr(status, "value", status)))


def partner_status_tone(status: Any) -> str:
    for member, tone in ASSIGNMENT_STATUS_TONES.items():
        if status == member or status == member.value:
            return tone
    return "info"


# ---------------------------------------------------------------- audit actions

AUDIT_ACTION_WORDS: dict[AuditAction, str] = {
    AuditAction.CLAIM: "Took the job",
    AuditAction.DOWNLOAD_FILE: "Downloaded a print file",
    AuditAction.DOWNLOAD_PACKING_SLIP: "Downloaded the packing slip",
    AuditAction.DOWNLOAD_ZIP: "Downloaded the files as a ZIP",
    AuditAction.STATUS_NEW: "Marked waiting",
    AuditAction.STATUS_PRINTING: "Marked printing",
    AuditAction.STATUS_SHIPPED: "Marked shipped",
    AuditAction.STATUS_PROBLEM: "Reported a problem",
    AuditAction.PUSH_STARTED: "Started sending the shipment to the store",
    AuditAction.PUSH_RETRYING: "Couldn't reach the store; Luneo will try again",
    AuditAction.PUSH_DONE: "Sent the shipment to the store",
    AuditAction.PUSH_FAILED: "Couldn't send the shipment to the store",
    AuditAction.PUSH_RETRY: "Asked to send the shipment again",
    AuditAction.API_KEY_CREATED: "Created an API key",
    AuditAction.API_KEY_REVOKED: "Revoked an API key",
    AuditAction.WEBHOOK_UPDATED: "Changed the new-job webhook",
    AuditAction.FILE_PROFILE_UPDATED: "Changed the files wanted",
    AuditAction.PASSWORD_CHANGED: "Changed their password",
    AuditAction.PASSWORD_RESET: "Reset their password",
    AuditAction.TEAM_INVITED: "Invited someone to the team",
    AuditAction.TEAM_INVITATION_RESENT: "Sent an invitation again",
    AuditAction.TEAM_INVITATION_ACCEPTED: "Joined the team",
    AuditAction.TEAM_ROLE_CHANGED: "Changed someone's role",
    AuditAction.TEAM_DEACTIVATED: "Deactivated someone",
    AuditAction.TEAM_REACTIVATED: "Reactivated someone",
    AuditAction.TRACKING_CORRECTED: "Corrected the tracking",
    AuditAction.TRACKING_PUSH_STARTED: "Started sending the corrected tracking to the store",
    AuditAction.TRACKING_PUSH_RETRYING: "Couldn't reach the store; Luneo will try again",
    AuditAction.TRACKING_PUSH_DONE: "Sent the corrected tracking to the store",
    AuditAction.TRACKING_PUSH_FAILED: "Couldn't send the corrected tracking to the store",
    AuditAction.TRACKING_PUSH_WITH_SHIPMENT: "Tracking sent with the shipment",
    AuditAction.PROOF_SENT: "Sent the proof to the customer",
    AuditAction.PROOF_APPROVED: "The customer approved the proof",
    AuditAction.PROOF_APPROVED_AT_DEADLINE: "Approved automatically at the proof's deadline",
    AuditAction.PROOF_CHANGES_REQUESTED: "The customer asked for changes to the proof",
    AuditAction.PROOF_DEADLINE_PASSED: "The proof's deadline passed without an answer",
    AuditAction.DESIGN_CHANGED: "The customer changed the design after the order",
}
# Actions about a person: their e-mail (in the event's detail) replaces "someone".
_ABOUT_SOMEONE = {
    AuditAction.TEAM_INVITED: "Invited {email} to the team",
    AuditAction.TEAM_INVITATION_RESENT: "Sent {email} their invitation again",
    AuditAction.TEAM_ROLE_CHANGED: "Changed {email}'s role",
    AuditAction.TEAM_DEACTIVATED: "Deactivated {email}",
    AuditAction.TEAM_REACTIVATED: "Reactivated {email}",
}


def audit_words(action: str, detail: Mapping[str, Any] | None = None) -> str:
    """What an audit event did, in words ("Marked shipped", "Downloaded the packing slip")."""
    detail = detail or {}
    try:
        known = AuditAction(action)
    except ValueError:
        return _plain(action)
    email = detail.get("email")
    if known in _ABOUT_SOMEONE and isinstance(email, str) and email:
        return _ABOUT_SOMEONE[known].format(email=email)
    text = AUDIT_ACTION_WORDS[known]
    if known is AuditAction.DESIGN_CHANGED:
        who = "The store" if detail.get("by") == "merchant" else "The customer"
        return f"{who} changed the design after the order"
    if known is AuditAction.DOWNLOAD_FILE and detail.get("format"):
        return f"Downloaded the {format_words(str(detail['format']))}"
    return text


# ---------------------------------------------------------------- files

# A file's format as a merchant or a print shop reads it, short ("print file (PNG)").
FORMAT_WORDS: dict[str, str] = {
    "png": "print file (PNG)",
    "pdf": "print file (PDF)",
    "pdf-cmyk": "print file (PDF/X-4, CMYK)",
    "tiff": "print file (CMYK TIFF)",
    "cut-svg": "cut line (SVG)",
    "cut-dxf": "cut line (DXF)",
    "engrave-tiff": "engraving (TIFF)",
    "engrave-svg": "engraving (SVG)",
    "preview": "preview",
    "glb": "3D model (GLB)",
    "usdz": "AR model (USDZ)",
    "proof": "proof sheet (PDF)",
}


def format_words(fmt: str) -> str:
    return FORMAT_WORDS.get(fmt, fmt.upper())


# Files of the whole product, not of one print area: named by their format alone.
WHOLE_PRODUCT_FORMATS = frozenset({"proof", "glb", "usdz"})


def file_label(area_name: str | None, fmt: str) -> str:
    """A produced file by its area's name and format: "Wrap-around — print file (PNG)".

    The proof sheet and the 3D/AR models are the whole line's: "Proof sheet (PDF)",
    "3D model (GLB)"."""
    words = format_words(fmt)
    if fmt in WHOLE_PRODUCT_FORMATS or not area_name:
        return words[:1].upper() + words[1:]
    return f"{area_name} — {words}"


# ---------------------------------------------------------------- Shopify access

# What each access scope lets Luneo do, in the merchant's words.
SCOPE_WORDS: dict[str, str] = {
    "read_products": "See your products, to make them personalisable",
    "write_products": "Change your products",
    "read_orders": "See your orders, to produce the personalised items",
    "write_orders": "Add the design's print files to your orders",
    "read_merchant_managed_fulfillment_orders": "See which items you ship yourself",
    "write_merchant_managed_fulfillment_orders": "Mark items shipped, with their tracking number",
    "read_fulfillments": "See your shipments",
    "write_fulfillments": "Mark orders shipped",
    "write_cart_transforms": "Add the personalisation price to the cart",
    "read_cart_transforms": "See the cart's price adjustments",
    "read_customers": "See your customers",
    "read_files": "See your store's files",
    "write_files": "Store files in your store",
    "read_themes": "See your themes",
    "read_locales": "See your store's languages",
}


def scope_words(scope: str) -> str:
    if scope in SCOPE_WORDS:
        return SCOPE_WORDS[scope]
    verb, _, thing = scope.partition("_")
    what = thing.replace("_", " ")
    if verb == "read" and what:
        return f"See your {what}"
    if verb == "write" and what:
        return f"Change your {what}"
    return _plain(scope)


# ---------------------------------------------------------------- browsers

# (marker in the User-Agent, name), first match wins: the order matters, because Edge and
# Opera also say "Chrome", Chrome also says "Safari" (a small mapping, browser family and OS
# only; no parser library is in the lock).
_BROWSERS: tuple[tuple[str, str], ...] = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("Wget/", "Wget"),
    ("python-requests/", "Python (requests)"),
    ("python-httpx/", "Python (httpx)"),
    ("Python-urllib/", "Python"),
    ("Go-http-client/", "a Go program"),
    ("PostmanRuntime/", "Postman"),
    ("node-fetch", "a Node.js program"),
    ("axios/", "a Node.js program"),
    ("Java/", "a Java program"),
)
_SYSTEMS: tuple[tuple[str, str], ...] = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_PROGRAM = re.compile(r"^([A-Za-z][\w.-]{0,40})/[\d.]+")


def browser_words(user_agent: str | None) -> str:
    """A User-Agent as "Chrome on macOS", "curl", "Firefox on Windows"; "" for none."""
    if not user_agent:
        return ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser is None:
        program = _PROGRAM.match(user_agent)
        browser = program.group(1) if program and program.group(1) != "Mozilla" else None
    if browser is None:
        return f"A browser on {system}" if system else "An unknown program"
    return f"{browser} on {system}" if system else browser


# ---------------------------------------------------------------- shipment pushes

PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce"}


def platform_name(platform: Any) -> str:
    code = str(getattr(platform, "value", platform))
    return PLATFORM_NAMES.get(code, _plain(code))


def push_problem(
    status: Any,
    attempts: int,
    last_error: str | None,
    *,
    platform: str,
    tried_at: datetime | None,
    intervals: Sequence[int],
    locale: str = DEFAULT_LOCALE,
) -> str:
    """What went wrong sending a shipment to the store, in words, with when Luneo tries again.

    ``intervals`` are the seconds between attempts (the queue's retries); the first attempt is
    one more than them. The stored error (``last_error``) is the technical detail."""
    if not last_error:
        return ""
    store = platform_name(platform) if platform else "the store"
    total = len(intervals) + 1
    if status in (PushStatus.FAILED, PushStatus.FAILED.value):
        if last_error.startswith("The store refused"):
            return f"{store} refused the shipment; check the order in {store}, then retry."
        if last_error.startswith("The order line no longer exists"):
            return "The order line no longer exists in the store."
        return f"Couldn't reach {store} after {attempts} attempts; retry when it is back."
    text = f"Couldn't reach {store}; Luneo will try again"
    if tried_at is not None and 1 <= attempts <= len(intervals):
        at = tried_at + timedelta(seconds=intervals[attempts - 1])
        text += f" at {moment_time(at, locale)}"
    return f"{text} (attempt {attempts} of {total})."


def sync_problem(state: str | None, error: str | None, platform: Any = None) -> str:
    """Why the last catalog sync stopped, in words; the stored error is the technical detail."""
    if not error:
        return ""
    store = platform_name(platform) if platform else "Your store"
    if state == "needs_reauth" or "401" in error or "AuthError" in error:
        return f"{store} no longer accepts Luneo's access: re-authorize Luneo (see Settings)."
    unreachable = (
        "RetryableError",
        "ConnectionError",
        "Timeout",
        "still failing",
        "did not answer",
    )
    if any(marker in error for marker in unreachable):
        return f"Couldn't reach {store}; the last sync stopped before it finished."
    return "The last sync stopped before it finished."


# ---------------------------------------------------------------- production errors

# What app.production.pipeline stores when a render crashed: the exception is technical.
_RETRYING = re.compile(r"^Attempt (\d+) failed \(.*\); it will be retried\.$", re.S)
_CRASHED = re.compile(r"^Rendering failed after (\d+) attempt\(s\): ", re.S)


def job_problem(error: str | None) -> str:
    """A production job's error in words; a refusal already written for people reads as is."""
    if not error:
        return ""
    retrying = _RETRYING.match(error)
    if retrying:
        return (
            f"Making the print files failed; Luneo will try again "
            f"(attempt {retrying.group(1)} so far)."
        )
    crashed = _CRASHED.match(error)
    if crashed:
        attempts = int(crashed.group(1))
        tries = "once" if attempts == 1 else f"{attempts} times"
        return f"Making the print files failed ({tries}). Retry; if it fails again, contact Luneo."
    return error


# ---------------------------------------------------------------- Jinja


def install(app: Flask) -> None:
    """The filters the admin and portal templates put codes into words with."""
    app.add_template_filter(status_words, "status_words")
    app.add_template_filter(partner_status_tone, "partner_status_tone")
    app.add_template_filter(audit_words, "audit_words")
    app.add_template_filter(format_words, "format_words")
    app.add_template_filter(scope_words, "scope_words")
    app.add_template_filter(browser_words, "browser")
    app.add_template_filter(job_problem, "job_problem")
    app.add_template_filter(platform_name, "platform_name")
    app.add_template_global(sync_problem, "sync_problem")
    app.add_template_global(file_label, "file_label")
