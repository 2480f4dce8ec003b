"""``POST /events``: the widget's analytics, a batch of events in one request.

The widget keeps events in memory and sends them together (on a timer, and when the page is
left, with ``fetch(keepalive)``), so a shopper's typing never costs a round trip. A batch is at
most ``MAX_EVENTS`` events in ``MAX_BYTES`` bytes; each event is ``{"kind", "template_id"[,
"key"]}`` and nothing else:

* ``kind`` one of ``BROWSER_KINDS`` (what happens on the order side is the order sync's to say:
  a forged ``ordered`` is refused with the whole batch, 400);
* ``template_id`` one of this shop's templates: another shop's (or a deleted one) is ignored,
  counted in the answer's ``ignored``;
* ``key`` only for preflight outcomes: the warning's code (``image_dpi_low``).

The day is the server's (UTC); the batch becomes one upsert of daily counters
(``app.analytics.events.record``). Answered 202 ``{"recorded": n, "ignored": m}``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from app import input_guard
from app.analytics.events import KEYED, PREFLIGHT_CODE, CounterKey, record, shop_template_ids
from app.db import utcnow
from app.errors import ApiError
from app.extensions import get_session
from app.ids import row_id
from app.models import BROWSER_KINDS
from app.storefront import current_shop
from app.storefront.ratelimit import spend_events

MAX_EVENTS = 100
MAX_BYTES = 16 * 1024
ALLOWED_FIELDS = frozenset({"kind", "template_id", "key"})
BY_NAME = {str(kind): kind for kind in BROWSER_KINDS}


def _events() -> list[Any]:
    try:
        body = input_guard.loads(input_guard.limited_body(MAX_BYTES))
    except RequestEntityTooLarge:
        raise ApiError(413, "too_large", f"Send at most {MAX_BYTES} bytes of events.") from None
    except ValueError:
        body = None
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        raise ApiError(400, "invalid_events", 'Send {"events": [...]} with at least one event.')
    if len(events) > MAX_EVENTS:
        raise ApiError(413, "too_many_events", f"Send at most {MAX_EVENTS} events at once.")
    return events


def _event(raw: Any, index: int) -> CounterKey:
    where = f"events[{index}]"
    if not isinstance(raw, dict) or not set(raw) <= ALLOWED_FIELDS:
        raise ApiError(400, "invalid_event", f"{where} must hold only kind, template_id and key.")
    name = raw.get("kind")
    kind = BY_NAME.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ApiError(400, "invalid_kind", f"{where}.kind is not an event the widget sends.")
    template_id = row_id(raw.get("template_id"))
    if template_id is None:
        raise ApiError(400, "invalid_template_id", f"{where}.template_id must be a template id.")
    key = raw.get("key", "")
    if kind in KEYED:
        if not isinstance(key, str) or not PREFLIGHT_CODE.fullmatch(key):
            raise ApiError(400, "invalid_key", f"{where}.key must be a preflight code.")
    elif key != "":
        raise ApiError(400, "invalid_key", f"{where}.kind takes no key.")
    return template_id, kind, key


def record_events() -> ResponseReturnValue:
    events = [_event(raw, i) for i, raw in enumerate(_events())]
    spend_events(len(events))
    shop, session = current_shop(), get_session()
    own = shop_template_ids(session, shop.id, {template_id for template_id, _, _ in events})
    counts: Counter[CounterKey] = Counter(event for event in events if event[0] in own)
    record(session, shop.id, utcnow().date(), counts)
    session.commit()
    recorded = sum(counts.values())
    return jsonify({"recorded": recorded, "ignored": len(events) - recorded}), 202


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/events", view_func=record_events, methods=["POST"])
