"""What the merchant clicks through on Shopify, served by the stand-in for one app.

Three documented surfaces, each ending in a redirect back to the app as Shopify makes it:

* the grant screen ``/admin/oauth/authorize``: Approve issues a single-use ``code`` and redirects
  to the app's ``redirect_uri`` with ``code``, ``host``, ``shop``, ``state``, ``timestamp`` and
  the query ``hmac`` (sorted ``key=value`` pairs joined by ``&``, HMAC-SHA256 with the app's
  secret);
* the subscription confirmation page a ``confirmationUrl`` names: Approve (or Decline) and back to
  the subscription's ``returnUrl`` with ``charge_id``; a return URL into the Shopify admin
  (``https://admin.shopify.com/store/{store}/apps/{api_key}/...``) comes to the stand-in's admin;
* the admin opening the app, ``/admin/apps/{api_key}/{path}``: an embedded load of
  ``{app_url}/{path}`` with ``embedded=1``, a session token (``id_token``, HS256 with the secret)
  and the signed query, as Shopify loads an embedded app's frame.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import jwt

if TYPE_CHECKING:
    from standins.shopify import FakeStore

Reply = tuple[int, str, bytes]  # status, content type, body (a 302's body is its Location)


@dataclass(frozen=True)
class AppSide:
    """What Shopify knows of the app: its key and secret, and where it runs."""

    api_key: str
    api_secret: str = field(repr=False)
    app_url: str


def signed(params: Mapping[str, str], secret: str) -> dict[str, str]:
    """``params`` with Shopify's query ``hmac``."""

    def escape(value: str) -> str:
        return value.replace("%", "%25").replace("&", "%26")

    message = "&".join(
        f"{escape(k).replace('=', '%3D')}={escape(v)}" for k, v in sorted(params.items())
    )
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {**params, "hmac": digest}


def session_token(app: AppSide, shop: str, lifetime: int = 60) -> str:
    """An App Bridge session token as Shopify documents its payload."""
    now = int(time.time())
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": app.api_key,
        "sub": "1",
        "exp": now + lifetime,
        "nbf": now - 1,
        "iat": now - 1,
        "jti": secrets.token_hex(8),
        "sid": secrets.token_hex(16),
    }
    return jwt.encode(claims, app.api_secret, algorithm="HS256")


def _redirect(location: str) -> Reply:
    return 302, "text/plain", location.encode()


def _page(title: str, body: str, status: int = 200) -> Reply:
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
        "padding:0 1rem;color:#1f2937}.note{color:#6b7280;font-size:.875rem}"
        "button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}</style></head><body>"
        "<p class='note'>Shopify stand-in (luneo dev): no real store is involved.</p>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return status, "text/html; charset=utf-8", document.encode()


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in fields.items()
    )


def _decision_form(action: str, fields: Mapping[str, str], approve: str) -> str:
    return (
        f"<form method='post' action='{html.escape(action)}'>{_hidden(fields)}"
        f"<button name='decision' value='approve' type='submit'>{html.escape(approve)}</button>"
        "<button name='decision' value='decline' type='submit'>Decline</button></form>"
    )


class MerchantPages:
    """The merchant's pages of the stores one stand-in server hosts, for the app ``app``."""

    def __init__(self, app: AppSide, origin: str) -> None:
        self.app = app
        self.origin = origin  # the stand-in server's http://127.0.0.1:PORT

    def answer(
        self, store: FakeStore, method: str, path: list[str], query: dict[str, str], form: Any
    ) -> Reply | None:
        """The reply to ``path`` (after the shop segment), or None when it is not a page."""
        if path == ["admin"] and method == "GET":
            return self._home(store)
        if path == ["admin", "oauth", "authorize"]:
            return self._authorize(store, method, query if method == "GET" else form)
        if len(path) == 4 and path[:2] == ["admin", "charges"] and path[3].startswith("confirm"):
            return self._confirm_charge(store, method, path[2], form)
        if len(path) >= 3 and path[:2] == ["admin", "apps"] and method == "GET":
            if path[2] != self.app.api_key:
                return _page("App not found", "<p>No app with this key.</p>", 404)
            return self._open_app(store, path[3:], query)
        return None

    def store_url(self, store: FakeStore) -> str:
        return f"{self.origin}/{store.domain}"

    # -- the store's admin, in brief
    def _home(self, store: FakeStore) -> Reply:
        """What the store holds now: Luneo's way in, and what Luneo did to the store."""
        open_app = f"{self.store_url(store)}/admin/apps/{self.app.api_key}"
        orders = "".join(
            f"<li>{html.escape(o['name'])}: "
            + ", ".join(html.escape(fo["status"]) for fo in o["fulfillmentOrders"])
            + "</li>"
            for o in store.orders.values()
        )
        shipped = "".join(
            f"<li>{html.escape(f['id'])}: "
            + ", ".join(html.escape(str(t.get("number"))) for t in f["trackingInfo"])
            + "</li>"
            for f in store.fulfillments
        )
        plans = "".join(
            f"<li>{html.escape(sub['name'])}: {html.escape(sub['status'])}</li>"
            for sub in store.billing.subscriptions.values()
        )
        body = (
            f"<p><a href='{html.escape(open_app)}'>Open Luneo</a> (as this admin loads it)</p>"
            f"<p>{len(store.products)} products; granted <code>{html.escape(store.scope)}"
            f"</code>.</p><h2>Orders (fulfillment orders)</h2><ul>{orders}</ul>"
            f"<h2>Fulfillments Luneo pushed</h2><ul>{shipped or '<li>none yet</li>'}</ul>"
            f"<h2>App subscriptions</h2><ul>{plans or '<li>none yet</li>'}</ul>"
        )
        return _page(f"{store.domain} admin", body)

    # -- the grant screen
    def _authorize(self, store: FakeStore, method: str, params: Mapping[str, str]) -> Reply:
        wanted = {k: str(params.get(k) or "") for k in ("client_id", "scope", "redirect_uri")}
        state = str(params.get("state") or "")
        if wanted["client_id"] != self.app.api_key:
            return _page("Invalid request", "<p>Unknown client_id.</p>", 400)
        if not wanted["redirect_uri"].startswith(self.app.app_url.rstrip("/") + "/"):
            return _page("Invalid request", "<p>redirect_uri is not the app's.</p>", 400)
        if method == "GET":
            scopes = "".join(
                f"<li><code>{html.escape(s)}</code></li>" for s in wanted["scope"].split(",") if s
            )
            form = _decision_form(
                f"{self.store_url(store)}/admin/oauth/authorize",
                {**wanted, "state": state},
                "Install app",
            )
            return _page(
                f"Approve access for {store.domain}",
                f"<p>The app asks for:</p><ul>{scopes}</ul>{form}",
            )
        if params.get("decision") != "approve":
            return _page("Not installed", "<p>You declined; nothing was granted.</p>")
        query = {
            "code": store.issue_code(wanted["scope"]),
            "host": self._host(store),
            "shop": store.domain,
            "state": state,
            "timestamp": str(int(time.time())),
        }
        return _redirect(
            f"{wanted['redirect_uri']}?{urlencode(signed(query, self.app.api_secret))}"
        )

    # -- the charge confirmation page
    def _confirm_charge(self, store: FakeStore, method: str, number: str, form: Any) -> Reply:
        sub = store.billing.by_number(number)
        if sub is None:
            return _page("Charge not found", "<p>No such subscription.</p>", 404)
        if method == "GET":
            lines = "".join(
                f"<li>{html.escape(_describe(item['plan']['pricingDetails']))}</li>"
                for item in sub["lineItems"]
            )
            test = " (test charge: no money moves)" if sub["test"] else ""
            action = f"{self.store_url(store)}/admin/charges/{number}/confirm"
            body = (
                f"<p>{html.escape(sub['name'])}{test}, status {html.escape(sub['status'])}.</p>"
                f"<ul>{lines}</ul>{_decision_form(action, {}, 'Approve')}"
            )
            return _page(f"Approve {sub['name']} for {store.domain}", body)
        if sub["status"] == "PENDING":
            decide = store.billing.approve if form.get("decision") == "approve" else None
            (decide or store.billing.decline)(sub["id"])
        return _redirect(self._return_url(store, sub["returnUrl"], number))

    def _return_url(self, store: FakeStore, return_url: str, number: str) -> str:
        """The return URL with ``charge_id``; one into Shopify's admin opens the stand-in's."""
        url = urlsplit(return_url)
        parts = url.path.strip("/").split("/")
        if (
            url.hostname == "admin.shopify.com"
            and parts[:1] == ["store"]
            and parts[2:3] == ["apps"]
        ):
            rest = "/".join(parts[3:])
            return f"{self.store_url(store)}/admin/apps/{rest}?charge_id={number}"
        joiner = "&" if url.query else "?"
        return f"{return_url}{joiner}charge_id={number}"

    # -- the admin loading the app
    def _open_app(self, store: FakeStore, rest: list[str], query: Mapping[str, str]) -> Reply:
        params = {
            **query,
            "embedded": "1",
            "host": self._host(store),
            "id_token": session_token(self.app, store.domain),
            "locale": "en",
            "shop": store.domain,
            "timestamp": str(int(time.time())),
        }
        path = "/" + "/".join(rest)
        target = f"{self.app.app_url.rstrip('/')}{path}"
        return _redirect(f"{target}?{urlencode(signed(params, self.app.api_secret))}")

    def _host(self, store: FakeStore) -> str:
        """Shopify's ``host``: base64 of the admin's host and path (here, the stand-in's)."""
        admin = f"{urlsplit(self.origin).netloc}/{store.domain}/admin"
        return base64url(admin)


def base64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _describe(details: Mapping[str, Any]) -> str:
    if details["__typename"] == "AppRecurringPricing":
        price = details["price"]
        return f"{price['amount']} {price['currencyCode']}, {details['interval']}"
    cap = details["cappedAmount"]
    return f"Usage: {details['terms']} (capped at {cap['amount']} {cap['currencyCode']})"
