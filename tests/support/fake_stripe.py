"""A local Stripe API for tests: the calls Luneo makes, answered in Stripe's documented shapes.

The official SDK is pointed here (``STRIPE_API_BASE``); requests arrive form-encoded with
Stripe's bracket notation (``line_items[0][price]``) and a ``Bearer`` secret key. Served:
``GET /v1/prices`` (by lookup key), ``POST /v1/checkout/sessions``,
``POST /v1/billing_portal/sessions``, ``POST /v1/billing/meter_events`` and
``DELETE /v1/subscriptions/{id}``. Errors are Stripe's ``{"error": {type, code, message,
param}}``. ``Idempotency-Key`` repeats answer the first response; meter events with an
identifier already seen are counted once. ``signed`` builds a webhook delivery the way Stripe
signs it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Json = dict[str, Any]
SECRET_KEY = "sk_test_luneo_fake_0123456789"


def decode_form(raw: str) -> Json:
    """Stripe's bracket-notation form encoding back into nested dicts and lists."""
    result: Json = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = result
        for part, following in zip(parts, parts[1:], strict=False):
            container: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                node[index] = node[index] if node[index] is not None else container
                node = node[index]
            else:
                node = node.setdefault(part, container)
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return result


def _error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> tuple[int, Json]:
    body = {"type": "invalid_request_error", "message": message, "param": param, "code": code}
    return status, {"error": {k: v for k, v in body.items() if v is not None}}


def signature(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header: ``t=...,v1=HMAC_SHA256(secret, "{t}.{payload}")``."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_id: str, event_type: str, obj: Json, created: int) -> bytes:
    """A webhook event body as Stripe sends it."""
    body = {
        "id": event_id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    return json.dumps(body).encode()


class FakeStripe:
    """Stripe's state for the calls Luneo makes."""

    def __init__(self) -> None:
        self.origin = ""
        self.prices: dict[str, Json] = {}
        self.sessions: list[Json] = []
        self.portal_sessions: list[Json] = []
        self.meter_events: dict[str, Json] = {}  # by identifier
        self.subscriptions: dict[str, Json] = {}
        self.customers: set[str] = set()
        self.requests: list[tuple[str, str, Json]] = []
        self._idempotent: dict[str, tuple[int, Json]] = {}
        self._ids = itertools.count(1)
        self.lock = threading.Lock()

    # -- set-up, as the Stripe dashboard would have it
    def add_price(self, lookup_key: str, amount: int, interval: str, metered: bool = False) -> Json:
        price = {
            "id": f"price_{next(self._ids):06d}",
            "object": "price",
            "active": True,
            "currency": "usd",
            "lookup_key": lookup_key,
            "unit_amount": amount,
            "type": "recurring",
            "recurring": {
                "interval": interval,
                "interval_count": 1,
                "usage_type": "metered" if metered else "licensed",
                "meter": "mtr_luneo" if metered else None,
            },
        }
        self.prices[lookup_key] = price
        return price

    def add_subscription(self, sub_id: str, customer: str, status: str = "active") -> Json:
        self.customers.add(customer)
        self.subscriptions[sub_id] = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
        }
        return self.subscriptions[sub_id]

    def meter_total(self, event_name: str, customer: str) -> int:
        return sum(
            int(e["payload"]["value"])
            for e in self.meter_events.values()
            if e["event_name"] == event_name and e["payload"]["stripe_customer_id"] == customer
        )

    # -- the API
    def answer(self, method: str, path: str, query: Json, form: Json) -> tuple[int, Json]:
        if method == "GET" and path == "/v1/prices":
            return self._list_prices(query)
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._checkout(form)
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return self._portal(form)
        if method == "POST" and path == "/v1/billing/meter_events":
            return self._meter_event(form)
        match = re.fullmatch(r"/v1/subscriptions/(sub_\w+)", path)
        if method == "DELETE" and match:
            return self._cancel(match.group(1))
        return _error(404, f"Unrecognized request URL ({method}: {path}).")

    def _list_prices(self, query: Json) -> tuple[int, Json]:
        keys = query.get("lookup_keys") or []
        data = [self.prices[k] for k in keys if k in self.prices and self.prices[k]["active"]]
        return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}

    def _checkout(self, form: Json) -> tuple[int, Json]:
        if form.get("mode") != "subscription":
            return _error(400, "Luneo only uses subscription mode.", "mode")
        if not form.get("success_url"):
            return _error(
                400, "Missing required param: success_url.", "success_url", "parameter_missing"
            )
        by_id = {p["id"]: p for p in self.prices.values()}
        for index, item in enumerate(form.get("line_items") or []):
            price = by_id.get(item.get("price"))
            if price is None:
                return _error(
                    400,
                    f"No such price: '{item.get('price')}'",
                    f"line_items[{index}][price]",
                    "resource_missing",
                )
            metered = price["recurring"]["usage_type"] == "metered"
            if metered and "quantity" in item:
                return _error(
                    400,
                    "Quantity should not be specified where usage_type is `metered`. "
                    f"Remove quantity from `line_items[{index}]`",
                    f"line_items[{index}][quantity]",
                )
            if not metered and "quantity" not in item:
                return _error(
                    400,
                    f"Quantity is required. Add `quantity` to `line_items[{index}]`",
                    f"line_items[{index}][quantity]",
                )
        session_id = f"cs_test_{next(self._ids):08d}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "client_reference_id": form.get("client_reference_id"),
            "customer": form.get("customer"),
            "customer_email": form.get("customer_email"),
            "metadata": form.get("metadata") or {},
            "subscription": None,
            "success_url": form["success_url"],
            "cancel_url": form.get("cancel_url"),
            "livemode": False,
            "input": form,
        }
        self.sessions.append(session)
        return 200, {k: v for k, v in session.items() if k != "input"}

    def _portal(self, form: Json) -> tuple[int, Json]:
        customer = form.get("customer")
        if customer not in self.customers:
            return _error(400, f"No such customer: '{customer}'", "customer", "resource_missing")
        session = {
            "id": f"bps_{next(self._ids):08d}",
            "object": "billing_portal.session",
            "customer": customer,
            "return_url": form.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{next(self._ids):08d}",
            "livemode": False,
        }
        self.portal_sessions.append(session)
        return 200, session

    def _meter_event(self, form: Json) -> tuple[int, Json]:
        payload = form.get("payload") or {}
        if not form.get("event_name"):
            return _error(
                400, "Missing required param: event_name.", "event_name", "parameter_missing"
            )
        if payload.get("stripe_customer_id") not in self.customers:
            return _error(
                400, "No customer found for stripe_customer_id.", "payload[stripe_customer_id]"
            )
        identifier = form.get("identifier") or f"evt_gen_{next(self._ids)}"
        created = {
            "object": "billing.meter_event",
            "created": int(time.time()),
            "event_name": form["event_name"],
            "identifier": identifier,
            "livemode": False,
            "payload": payload,
            "timestamp": int(form.get("timestamp") or time.time()),
        }
        self.meter_events.setdefault(identifier, created)  # uniqueness enforced by identifier
        return 200, self.meter_events[identifier]

    def _cancel(self, sub_id: str) -> tuple[int, Json]:
        sub = self.subscriptions.get(sub_id)
        if sub is None:
            return _error(404, f"No such subscription: '{sub_id}'", "id", "resource_missing")
        sub["status"] = "canceled"
        sub["canceled_at"] = int(time.time())
        return 200, sub

    def handle(self, method: str, target: str, headers: Any, raw: bytes) -> tuple[int, Json]:
        if headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            return _error(401, "Invalid API Key provided.")
        parts = urlsplit(target)
        query, form = decode_form(parts.query), decode_form(raw.decode())
        key = headers.get("Idempotency-Key")
        with self.lock:
            if method == "POST" and key and key in self._idempotent:
                return self._idempotent[key]
            self.requests.append((method, parts.path, form or query))
            answer = self.answer(method, parts.path, query, form)
            if method == "POST" and key:
                self._idempotent[key] = answer
            return answer


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, body = fake.handle(method, self.path, self.headers, raw)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Request-Id", f"req_{time.monotonic_ns()}")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("POST")

        def do_DELETE(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("DELETE")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(fake: FakeStripe | None = None) -> Iterator[FakeStripe]:
    fake = fake or FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.origin = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
