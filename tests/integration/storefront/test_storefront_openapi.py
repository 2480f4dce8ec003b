"""The storefront API's OpenAPI document (``app/storefront/openapi.json``) is the contract of the
headless surface and of the JavaScript SDK (``sdk/js``): it is served, every route of the surface
is documented and every documented route exists, and real responses match its schemas."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.models import Shop, Template
from app.storage import Storage
from tests.factories import make_shop
from tests.support.workers import run_jobs

from .conftest import document, png, small_template, text
from .test_headless_surface import ORIGIN, PREFIX, give_key, headless_caller

SPEC_PATH = Path(__file__).parents[3] / "app" / "storefront" / "openapi.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return loaded


def surface_routes(app: Flask, blueprint: str, prefix: str) -> set[tuple[str, str]]:
    """``(METHOD, /path/{param})`` of every route a surface's blueprint registered."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".", 1)[0] != blueprint:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(prefix))
        routes |= {(m, path) for m in (rule.methods or set()) - IGNORED_METHODS}
    return routes


def documented() -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, ops in spec()["paths"].items() for m in ops}


def test_the_app_serves_the_document_kept_in_the_repository(client: FlaskClient) -> None:
    response = client.get("/storefront/openapi.json")

    assert response.status_code == 200
    assert response.get_json() == spec()
    assert spec()["openapi"] == "3.1.0"
    assert spec()["servers"][0]["url"] == PREFIX


def test_every_route_of_the_headless_surface_is_documented_and_nothing_else(app: Flask) -> None:
    routes = surface_routes(app, "storefront_headless", PREFIX)

    assert routes == documented()
    assert len(routes) == 13
    # the app proxy and the WooCommerce surface serve the same operations (and a few of their own)
    assert documented() <= surface_routes(app, "proxy", "/proxy")
    assert documented() <= surface_routes(app, "storefront_woo", "/storefront/v1")


def test_every_operation_names_its_id_and_its_errors() -> None:
    ids = [op["operationId"] for ops in spec()["paths"].values() for op in ops.values()]

    assert len(ids) == len(set(ids)) == 13
    for ops in spec()["paths"].values():
        for op in ops.values():
            assert {"401", "403", "429"} <= set(op["responses"]), op["operationId"]
    jsonschema.Draft202012Validator.check_schema({"$defs": spec()["components"]["schemas"]})


def validator(schema_name: str) -> jsonschema.Draft202012Validator:
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:spec", resource)
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{schema_name}"}, registry=registry
    )


def response_schema(path: str, method: str, status: int) -> str:
    content = spec()["paths"][path][method]["responses"][str(status)]["content"]
    ref: str = content["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_real_responses_match_the_documented_schemas(
    app: Flask, client: FlaskClient, session: Session, storage: Storage
) -> None:
    shop: Shop = make_shop(session, domain="sdk-store.myshopify.com", plan="starter")
    template: Template = small_template(
        session, storage, shop, "gid://shopify/Product/42", ai_enabled=True
    )
    session.commit()
    caller = headless_caller(client, give_key(session, shop, ORIGIN))
    doc = document(text("Hello"))
    calls: list[tuple[str, str, TestResponse]] = []

    def check(path: str, method: str, response: TestResponse) -> Any:
        calls.append((path, method, response))
        return response.json

    listed = check("/templates", "get", caller.get("/templates"))
    assert [t["product_id"] for t in listed["templates"]] == ["42"]
    check("/products/{product_id}/template", "get", caller.get("/products/42/template"))
    body = {"template_id": template.id, "document": doc}
    saved = check("/designs", "post", caller.post("/designs", json=body))
    check("/designs/quote", "post", caller.post("/designs/quote", json=body))
    check("/designs/{design_id}", "get", caller.get(f"/designs/{saved['design_id']}"))
    upload = caller.post("/uploads", data={"file": (io.BytesIO(png((64, 48))), "a.png")})
    check("/uploads", "post", upload)
    asked = {"template_id": template.id, "area": "front", "prompt": "a fox", "variants": 2}
    generation = check("/ai/generations", "post", caller.post("/ai/generations", json=asked))
    run_jobs(app, "ai")
    check("/ai/generations/{generation_id}", "get", caller.get(generation["poll_url"]))
    check("/ai/variants/{ids_list}", "get", caller.get(generation["variants_url"]))
    preview = caller.post("/previews", json={**body, "area": "front"})

    assert [r.status_code for _p, _m, r in calls] == [200, 200, 201, 200, 200, 201, 202, 200, 200]
    for path, method, response in calls:
        validator(response_schema(path, method, response.status_code)).validate(response.json)
    assert preview.status_code == 200
    assert preview.mimetype in spec()["paths"]["/previews"]["post"]["responses"]["200"]["content"]
    for refused in (
        caller.get("/products/999/template"),
        headless_caller(client, "lhk_wrong").get("/products/42/template"),
        headless_caller(client, "lhk_wrong", "https://evil.test").get("/designs/d_x"),
    ):
        validator("Error").validate(refused.json)
        assert refused.status_code in (401, 403, 404)


def test_fuzzing_the_document_with_a_valid_key_finds_no_server_error_or_undocumented_answer(
    app: Flask, session: Session, storage: Storage
) -> None:
    shop = make_shop(session, domain="fuzz-sdk.myshopify.com", plan="starter")
    small_template(session, storage, shop, "gid://shopify/Product/42", ai_enabled=True)
    session.commit()
    headers = {"X-Luneo-Key": give_key(session, shop, ORIGIN), "Origin": ORIGIN}
    schema = schemathesis.openapi.from_wsgi("/storefront/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        run()
