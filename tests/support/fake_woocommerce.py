"""A WooCommerce store for tests, built from WooCommerce's documentation and source behaviour.

Served through ``responses`` (Luneo's client is built on ``requests``):

* REST API v3 under ``{url}/wp-json/wc/v3/``: products (+ variations), orders (+ notes),
  webhooks, ``data/currencies/current``, ``system_status`` (its ``environment`` section, with
  the site's ``home_url``/``site_url``, WordPress's ``_fields`` filter applied). Collections
  page with ``per_page`` (1..100, else ``rest_invalid_param``) and ``page``, answer
  ``X-WP-Total``/``X-WP-TotalPages``, filter with ``modified_after`` — against the site's
  *local* dates unless ``dates_are_gmt=true`` (the site runs at UTC+2 so a client that forgets
  it gets the wrong answer) — and ``status`` (``any`` leaves out the trash).
* Authentication as ``WC_REST_Authentication`` does it: over HTTPS, HTTP Basic or the
  ``consumer_key``/``consumer_secret`` query; over HTTP only OAuth 1.0a (HMAC-SHA1/SHA256,
  secret + "&"). Unknown or revoked keys: 401. Read-only keys writing: 401
  ``woocommerce_rest_authentication_error`` before any route runs (``check_permissions``).
* The auth endpoint (``/wc-auth/v1/authorize``): ``approve`` creates a key pair, POSTs
  ``{key_id, user_id, consumer_key, consumer_secret, key_permissions}`` as JSON to the
  ``callback_url`` (which must be HTTPS) and, only on a 200, sends the merchant to
  ``return_url?success=1&user_id=…``.
* Webhooks: creating one queues the unsigned ping (``webhook_id=<id>``); ``deliveries`` builds
  what ``WC_Webhook::deliver`` sends: the JSON body (PHP's ``json_encode``, slashes escaped), its
  base64 HMAC-SHA256 with the webhook's secret, and the ``X-WC-Webhook-*`` headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import math
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import responses
from flask.testing import FlaskClient

Json = dict[str, Any]
SITE_OFFSET = timedelta(hours=2)  # the store's WordPress timezone
TOPICS = {
    f"{resource}.{event}"
    for resource in ("coupon", "customer", "order", "product")
    for event in ("created", "updated", "deleted", "restored")
}
DATE = "%Y-%m-%dT%H:%M:%S"


def php_json(value: Any) -> bytes:
    """``wp_json_encode``: compact, non-ASCII as \\u escapes, and "/" escaped as "\\/"."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode()


def wc_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _rawurlencode(text: str) -> str:
    return quote(text, safe="-_.~")


def oauth_signature(method: str, base_uri: str, params: dict[str, str], secret: str) -> str:
    """``WC_REST_Authentication::check_oauth_signature``."""
    normal = {
        _rawurlencode(unquote(k)).replace("%", "%25"): _rawurlencode(unquote(v)).replace("%", "%25")
        for k, v in sorted(params.items())
        if k != "oauth_signature"
    }
    query = "%26".join(f"{k}%3D{v}" for k, v in normal.items())
    to_sign = f"{method}&{_rawurlencode(base_uri)}&{query}"
    algo = params["oauth_signature_method"].replace("HMAC-", "").lower()
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), algo).digest()
    return base64.b64encode(digest).decode()


def error(status: int, code: str, message: str) -> tuple[int, dict[str, str], str]:
    body = {"code": code, "message": message, "data": {"status": status}}
    return status, {"Content-Type": "application/json"}, json.dumps(body)


def _stamp(moment: datetime) -> dict[str, str]:
    local = moment + SITE_OFFSET
    return {
        "date_modified": local.strftime(DATE),
        "date_modified_gmt": moment.strftime(DATE),
    }


class AuthEndpointError(Exception):
    """What WooCommerce would show the merchant instead of redirecting."""


@dataclass
class FakeWooStore:
    url: str = "https://shop.test"
    home_url: str | None = None  # WordPress's "home" option; the store's url unless set
    currency: str = "EUR"
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (secret, scope)
    products: dict[int, Json] = field(default_factory=dict)
    variations: dict[int, list[Json]] = field(default_factory=dict)
    orders: dict[int, Json] = field(default_factory=dict)
    notes: dict[int, list[Json]] = field(default_factory=dict)
    webhooks: dict[int, Json] = field(default_factory=dict)
    pings: list[tuple[str, bytes]] = field(default_factory=list)
    key_posts: list[bytes] = field(default_factory=list)  # bodies POSTed to callback_urls
    failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    # WooCommerce 10.3+ routes GET /variations (every product's, ``include``/``parent`` filters)
    variations_route: bool = False
    log: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(101)  # one sequence for every post type, as in WordPress
        self._key_ids = itertools.count(1)
        self._deliveries = itertools.count(9001)
        self.api = f"{self.url}/wp-json/wc/v3/"

    # ------------------------------------------------------------------------ setup
    def issue_keys(self, scope: str = "read_write") -> tuple[str, str]:
        key = "ck_" + secrets.token_hex(20)
        secret = "cs_" + secrets.token_hex(20)
        self.keys[key] = (secret, scope)
        return key, secret

    def tick(self, seconds: int = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def add_simple(self, name: str, price: str = "19.90", **fields: Any) -> Json:
        pid = next(self._ids)
        product = {
            "id": pid,
            "name": name,
            "slug": name.lower().replace(" ", "-"),
            "type": "simple",
            "status": "publish",
            "description": f"<p>The {name} &amp; more.</p>",
            "sku": f"SKU-{pid}",
            "price": price,
            "regular_price": price,
            "categories": [{"id": 9, "name": "Mugs", "slug": "mugs"}],
            "images": [{"id": pid + 5000, "src": f"{self.url}/wp-content/uploads/{pid}.jpg"}],
            "attributes": [],
            "variations": [],
            "meta_data": [],
            **_stamp(self.now),
            **fields,
        }
        self.products[pid] = product
        return product

    def add_variable(self, name: str, sizes: tuple[str, ...] = ("S", "M", "L")) -> Json:
        product = self.add_simple(name, price="", type="variable")
        product["attributes"] = [
            {"id": 0, "name": "Size", "position": 0, "variation": True, "options": list(sizes)}
        ]
        self.variations[product["id"]] = []
        for index, size in enumerate(sizes):
            vid = next(self._ids)
            self.variations[product["id"]].append(
                {
                    "id": vid,
                    "sku": f"SKU-{product['id']}-{size}",
                    "price": f"{24 + index}.00",
                    "regular_price": f"{24 + index}.00",
                    "status": "publish",
                    "menu_order": index,
                    "attributes": [{"id": 0, "name": "Size", "option": size}],
                    "image": {"id": vid + 5000, "src": f"{self.url}/wp-content/uploads/{vid}.jpg"},
                    "meta_data": [],
                    **_stamp(self.now),
                }
            )
        product["variations"] = [v["id"] for v in self.variations[product["id"]]]
        return product

    def update_product(self, pid: int, **fields: Any) -> Json:
        self.products[pid].update(fields, **_stamp(self.tick()))
        return self.products[pid]

    def trash_product(self, pid: int) -> None:
        self.update_product(pid, status="trash")

    def line(
        self,
        product: Json,
        variation: Json | None = None,
        quantity: int = 2,
        design: str | None = None,
    ) -> Json:
        price = (variation or product)["price"] or "0"
        meta = (
            [
                {
                    "id": 1,
                    "key": "_luneo_design",
                    "value": design,
                    "display_key": "_luneo_design",
                    "display_value": design,
                }
            ]
            if design
            else []
        )
        return {
            "id": next(self._ids),
            "name": product["name"],
            "product_id": product["id"],
            "variation_id": variation["id"] if variation else 0,
            "quantity": quantity,
            "subtotal": f"{float(price) * quantity:.2f}",
            "total": f"{float(price) * quantity:.2f}",
            "sku": (variation or product)["sku"],
            "price": float(price),
            "meta_data": meta,
        }

    def add_order(self, lines: list[Json], status: str = "processing") -> Json:
        oid = next(self._ids)
        total = sum(float(line["total"]) for line in lines)
        address = {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "",
            "address_1": "12 Rue de la Paix",
            "address_2": "",
            "city": "Paris",
            "state": "",
            "postcode": "75002",
            "country": "FR",
        }
        order = {
            "id": oid,
            "number": str(oid),
            "order_key": f"wc_order_{oid:04d}Xq9TzK",  # the buyer's own secret of the order
            "status": status,
            "currency": self.currency,
            "total": f"{total:.2f}",
            "billing": {**address, "email": "ada@example.com", "phone": "+33 1 23 45 67 89"},
            "shipping": {**address, "phone": ""},
            "date_created_gmt": self.now.strftime(DATE),
            "line_items": lines,
            "meta_data": [],
            **_stamp(self.now),
        }
        self.orders[oid] = order
        self.notes[oid] = []
        return order

    # ---------------------------------------------------------------- auth endpoint
    def approve(self, client: FlaskClient, authorize_url: str, scope: str | None = None) -> str:
        """The merchant clicks Approve: keys POSTed to the callback, then the return redirect."""
        query = self._authorize_query(authorize_url)
        permissions = scope or query["scope"]
        key, secret = self.issue_keys(permissions)
        consumer = {
            "key_id": next(self._key_ids),
            "user_id": query["user_id"],
            "consumer_key": key,
            "consumer_secret": secret,
            "key_permissions": permissions,
        }
        callback = urlsplit(query["callback_url"])
        self.key_posts.append(php_json(consumer))
        answer = client.post(
            callback.path,
            data=self.key_posts[-1],
            headers={"Content-Type": "application/json;charset=UTF-8"},
            base_url=f"{callback.scheme}://{callback.netloc}",
        )
        if answer.status_code != 200:
            del self.keys[key]  # maybe_delete_key
            raise AuthEndpointError(
                "An error occurred in the request and at the time were unable to send the "
                "consumer data"
            )
        return _add_query(query["return_url"], success=1, user_id=query["user_id"])

    def deny(self, authorize_url: str) -> str:
        query = self._authorize_query(authorize_url)
        return _add_query(query["return_url"], success=0, user_id=query["user_id"])

    def _authorize_query(self, authorize_url: str) -> dict[str, str]:
        parts = urlsplit(authorize_url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{self.url}/wc-auth/v1/authorize"
        query = dict(parse_qsl(parts.query))
        for name in ("app_name", "scope", "user_id", "return_url", "callback_url"):
            if not query.get(name):
                raise AuthEndpointError(f"Missing parameter {name}")
        if query["scope"] not in ("read", "write", "read_write"):
            raise AuthEndpointError("Invalid scope")
        if not query["callback_url"].startswith("https://"):
            raise AuthEndpointError("The callback_url needs to be over SSL")
        return query

    # --------------------------------------------------------------------- webhooks
    def deliveries(self, topic: str, resource_id: int) -> list[tuple[str, bytes, dict[str, str]]]:
        """(delivery path, body, headers) for every active webhook on ``topic``."""
        resource, event = topic.split(".")
        if event == "deleted":
            payload: Json = {"id": resource_id}
        else:
            source = self.products if resource == "product" else self.orders
            payload = source[resource_id]
        body = php_json(payload)
        out = []
        for hook in self.webhooks.values():
            if hook["topic"] != topic or hook["status"] != "active":
                continue
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "WooCommerce/9.8.0 Hookshot (WordPress/6.8)",
                "X-WC-Webhook-Source": self.url + "/",
                "X-WC-Webhook-Topic": topic,
                "X-WC-Webhook-Resource": resource,
                "X-WC-Webhook-Event": event,
                "X-WC-Webhook-Signature": wc_signature(body, hook["secret"]),
                "X-WC-Webhook-ID": str(hook["id"]),
                "X-WC-Webhook-Delivery-ID": hashlib.md5(  # noqa: S324 - wp_hash, not security
                    str(next(self._deliveries)).encode()
                ).hexdigest(),
            }
            out.append((urlsplit(hook["delivery_url"]).path, body, headers))
        return out

    # ------------------------------------------------------------------ REST serving
    def install(self, rsps: responses.RequestsMock) -> None:
        pattern = re.compile(re.escape(self.api) + r".*")
        for method in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(method, pattern, callback=self._handle)

    def _handle(self, request: Any) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(request.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = json.loads(request.body) if request.body else None
        path = parts.path.split("/wp-json/wc/v3/", 1)[1]
        self.log.append((request.method, path, query, body))
        if self.failures:
            status, headers = self.failures.popleft()
            return status, {"Content-Type": "application/json", **headers}, '{"code":"x"}'
        scope = self._authenticate(request, parts, query)
        if scope is None:
            return error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        if request.method != "GET" and scope == "read":
            return error(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )
        return self._route(
            request.method,
            path,
            {k: v for k, v in query.items() if not k.startswith(("oauth_", "consumer_"))},
            body,
        )

    def _authenticate(self, request: Any, parts: Any, query: dict[str, str]) -> str | None:
        if self.url.startswith("https://"):
            header = request.headers.get("Authorization", "")
            if header.startswith("Basic "):
                key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            else:
                key, secret = query.get("consumer_key", ""), query.get("consumer_secret", "")
            known = self.keys.get(key)
            ok = known is not None and hmac.compare_digest(known[0], secret)
            return known[1] if ok and known else None
        known = self.keys.get(query.get("oauth_consumer_key", ""))
        if known is None or "oauth_signature" not in query:
            return None
        base_uri = f"{parts.scheme}://{parts.netloc}{parts.path}"
        expected = oauth_signature(request.method, base_uri, query, known[0])
        return known[1] if hmac.compare_digest(expected, query["oauth_signature"]) else None

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], str]:
        segments = path.strip("/").split("/")
        match (method, segments):
            case ("GET", ["data", "currencies", "current"]):
                return _ok({"code": self.currency, "name": "Euro", "symbol": "&euro;"})
            case ("GET", ["system_status"]):
                return _ok(_only_fields(self._system_status(), query.get("_fields")))
            case ("GET", ["products"]):
                return self._collection(list(self.products.values()), query, filter_status=True)
            case ("GET", ["products", pid]):
                return self._product(int(pid))
            case ("GET", ["products", pid, "variations"]):
                if int(pid) not in self.products:
                    return error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
                return self._collection(self.variations.get(int(pid), []), query)
            case ("GET", ["variations"]) if self.variations_route:
                return self._all_variations(query)
            case ("GET", ["orders"]):
                return self._collection(list(self.orders.values()), query, filter_status=True)
            case ("GET", ["orders", oid]):
                order = self.orders.get(int(oid))
                return (
                    _ok(order)
                    if order
                    else error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
                )
            case ("PUT", ["orders", oid]):
                return self._update_order(int(oid), body or {})
            case ("POST", ["orders", oid, "notes"]):
                return self._add_note(int(oid), body or {})
            case ("GET", ["webhooks"]):
                hooks = [
                    {k: v for k, v in h.items() if k != "secret"} for h in self.webhooks.values()
                ]
                return self._collection(hooks, query)
            case ("POST", ["webhooks"]):
                return self._create_webhook(body or {})
            case ("PUT", ["webhooks", wid]) if int(wid) in self.webhooks:
                self.webhooks[int(wid)].update(body or {})
                return _ok(self.webhooks[int(wid)])
            case ("DELETE", ["webhooks", wid]) if int(wid) in self.webhooks:
                if query.get("force") not in ("true", "1"):
                    return error(
                        501,
                        "woocommerce_rest_trash_not_supported",
                        "Webhooks do not support trashing.",
                    )
                return _ok(self.webhooks.pop(int(wid)))
            case ("PUT", ["webhooks", wid]) if wid.isdigit():  # WC_REST_Webhooks_V1_Controller
                return error(400, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
            case ("DELETE", ["webhooks", wid]) if wid.isdigit():
                return error(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
        return error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _system_status(self) -> Json:
        """``WC_REST_System_Status_V2_Controller``: the sections, ``environment`` filled in."""
        home = self.home_url or self.url
        return {
            "environment": {
                "home_url": home,
                "site_url": home,
                "version": "9.8.0",
                "wp_version": "6.8",
                "wp_multisite": False,
                "language": "en_US",
                "php_version": "8.3.6",
                "default_timezone": "UTC",
                "remote_post_successful": True,
                "remote_get_successful": True,
            },
            "database": {"wc_database_version": "9.8.0", "database_prefix": "wp_"},
            "active_plugins": [],
            "inactive_plugins": [],
            "dropins_mu_plugins": {"dropins": [], "mu_plugins": []},
            "theme": {"name": "Storefront", "version": "4.6.0"},
            "settings": {"api_enabled": True, "currency": self.currency},
            "security": {"secure_connection": self.url.startswith("https://")},
            "pages": [],
            "post_type_counts": [],
        }

    def _all_variations(self, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """``WC_REST_Variations_Controller``: variations of any product, ``parent_id`` given."""
        include = {int(i) for i in query.get("include", "").split(",") if i.strip().isdigit()}
        parents = {int(i) for i in query.get("parent", "").split(",") if i.strip().isdigit()}
        items = [
            {**variation, "parent_id": parent}
            for parent, variations in self.variations.items()
            if parent in self.products and (not parents or parent in parents)
            for variation in variations
            if not include or variation["id"] in include
        ]
        rest = {k: v for k, v in query.items() if k not in ("include", "parent")}
        return self._collection(items, rest)

    def _product(self, pid: int) -> tuple[int, dict[str, str], str]:
        if pid in self.products:
            return _ok(self.products[pid])
        for parent, variations in self.variations.items():
            for variation in variations:
                if variation["id"] == pid:
                    return _ok(
                        {
                            **variation,
                            "type": "variation",
                            "parent_id": parent,
                            "name": self.products[parent]["name"],
                        }
                    )
        return error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")

    def _collection(
        self, items: list[Json], query: dict[str, str], *, filter_status: bool = False
    ) -> tuple[int, dict[str, str], str]:
        try:
            per_page = int(query.get("per_page", "10"))
            page = int(query.get("page", "1"))
        except ValueError:
            return error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        if not 1 <= per_page <= 100:
            return error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        if filter_status:
            status = query.get("status", "any")
            items = [
                i
                for i in items
                if (i["status"] != "trash" if status == "any" else i["status"] == status)
            ]
        if "modified_after" in query:
            gmt = query.get("dates_are_gmt") in ("true", "1")
            field_name = "date_modified_gmt" if gmt else "date_modified"
            after = datetime.fromisoformat(query["modified_after"]).replace(tzinfo=None)
            items = [i for i in items if datetime.fromisoformat(i[field_name]) > after]
        items = sorted(items, key=_sort_key(query.get("orderby", "date")))
        if query.get("order", "desc") == "desc":
            items.reverse()
        total = len(items)
        pages = math.ceil(total / per_page)
        if page > pages and total > 0:
            return error(
                400,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        return 200, {"Content-Type": "application/json", **headers}, json.dumps(chunk)

    def _update_order(self, oid: int, body: Json) -> tuple[int, dict[str, str], str]:
        order = self.orders.get(oid)
        if order is None:
            return error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        for meta in body.get("meta_data", []):
            order["meta_data"] = [m for m in order["meta_data"] if m["key"] != meta["key"]]
            order["meta_data"].append({"id": next(self._ids), **meta})
        if "status" in body:
            order["status"] = body["status"]
        order.update(_stamp(self.tick()))
        return _ok(order)

    def _add_note(self, oid: int, body: Json) -> tuple[int, dict[str, str], str]:
        if oid not in self.orders:
            return error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        if not body.get("note"):
            return error(400, "rest_missing_callback_param", "Missing parameter(s): note")
        note = {
            "id": next(self._ids),
            "author": "Luneo",
            "date_created_gmt": self.now.strftime(DATE),
            "note": body["note"],
            "customer_note": bool(body.get("customer_note", False)),
        }
        self.notes[oid].append(note)
        return 201, {"Content-Type": "application/json"}, json.dumps(note)

    def _create_webhook(self, body: Json) -> tuple[int, dict[str, str], str]:
        if body.get("topic") not in TOPICS:
            return error(400, "rest_invalid_param", "Invalid parameter(s): topic")
        if not str(body.get("delivery_url", "")).startswith(("http://", "https://")):
            return error(400, "rest_invalid_param", "Invalid parameter(s): delivery_url")
        wid = next(self._ids)
        hook = {
            "id": wid,
            "name": body.get("name") or f"Webhook created on {self.now:%b %d, %Y}",
            "status": body.get("status", "active"),
            "topic": body["topic"],
            "resource": body["topic"].split(".")[0],
            "event": body["topic"].split(".")[1],
            "delivery_url": body["delivery_url"],
            "secret": body.get("secret") or secrets.token_hex(16),
            "date_created_gmt": self.now.strftime(DATE),
        }
        self.webhooks[wid] = hook
        self.pings.append((hook["delivery_url"], f"webhook_id={wid}".encode()))
        return 201, {"Content-Type": "application/json"}, json.dumps(hook)


def _only_fields(value: Json, fields: str | None) -> Json:
    """WordPress's ``_fields``: keep only the named (dotted, nested) fields of the response."""
    if not fields:
        return value
    out: Json = {}
    for name in (f.strip() for f in fields.split(",") if f.strip()):
        source: Any = value
        target = out
        parts = name.split(".")
        for index, part in enumerate(parts):
            if not isinstance(source, dict) or part not in source:
                break
            if index == len(parts) - 1:
                target[part] = source[part]
            else:
                target = target.setdefault(part, {})
                source = source[part]
    return out


def _sort_key(orderby: str) -> Any:
    """WordPress orders; ``date`` follows creation, which the id sequence does here."""
    if orderby == "modified":
        return lambda item: (item["date_modified_gmt"], item["id"])
    if orderby == "menu_order":
        return lambda item: (item.get("menu_order", 0), item["id"])
    return lambda item: item["id"]


def _ok(value: Any) -> tuple[int, dict[str, str], str]:
    return 200, {"Content-Type": "application/json"}, json.dumps(value)


def _add_query(url: str, **params: Any) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)
