"""The served OpenAPI document is the contract: real responses match it, fuzzing finds no 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
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

from .conftest import World, bearer

SPEC_PATH = Path(__file__).parents[3] / "app" / "partners" / "openapi.json"


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return loaded


def validator(schema_name: str) -> jsonschema.Draft202012Validator:
    """A validator for one of the spec's component schemas, its $refs resolved in the spec."""
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:spec", resource)
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def test_the_app_serves_the_spec_kept_in_the_repository(client: FlaskClient) -> None:
    response = client.get("/partner-api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == spec()
    assert spec()["openapi"] == "3.1.0"


def test_real_responses_match_the_spec(client: FlaskClient, world: World) -> None:
    key, job = world.a.key, world.jobs_a[0].id
    checks = [
        ("JobPage", client.get("/partner-api/v1/jobs", headers=bearer(key))),
        ("Job", client.get(f"/partner-api/v1/jobs/{job}", headers=bearer(key))),
        ("FileLinks", client.get(f"/partner-api/v1/jobs/{job}/files", headers=bearer(key))),
        ("Claim", client.post(f"/partner-api/v1/jobs/{job}/claim", json={}, headers=bearer(key))),
    ]
    lease = checks[-1][1].get_json()["lease_token"]
    shipped = {
        "status": "shipped",
        "carrier": "UPS",
        "tracking_number": "1Z999",
        "tracking_url": "https://ups.test/1Z999",
        "lease_token": lease,
    }
    checks.append(
        (
            "JobEnvelope",
            client.post(f"/partner-api/v1/jobs/{job}/status", json=shipped, headers=bearer(key)),
        )
    )
    fixed = {"carrier": "DHL", "tracking_number": "JD01", "tracking_url": "https://dhl.test/JD01"}
    patched = client.patch(f"/partner-api/v1/jobs/{job}/tracking", json=fixed, headers=bearer(key))
    checks.append(("JobEnvelope", patched))
    checks.append(("ProfileEnvelope", client.get("/partner-api/v1/profile", headers=bearer(key))))
    profile = {"formats": ["pdf-cmyk"], "bleed_mm": 2, "file_name": "{order}-{area}-{job}"}
    put = client.put("/partner-api/v1/profile", json=profile, headers=bearer(key))
    checks.append(("ProfileEnvelope", put))
    checks.append(("Error", client.get("/partner-api/v1/jobs/999999", headers=bearer(key))))
    checks.append(("Error", client.get("/partner-api/v1/jobs")))
    for name, response in checks:
        validator(name).validate(response.get_json())
    assert [r.status_code for _n, r in checks] == [200, 200, 200, 200, 200, 200, 200, 200, 404, 401]


@pytest.fixture
def fuzz_app(app: Flask, world: World) -> Flask:
    return app


def test_fuzzing_the_spec_with_a_valid_key_finds_no_server_error(
    fuzz_app: Flask, world: World
) -> None:
    schema = schemathesis.openapi.from_wsgi("/partner-api/v1/openapi.json", fuzz_app)
    headers = bearer(world.a.key)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = sorted(o.label for o in operations)
    assert len(operations) == 10, "; ".join(labels)  # every route but the document itself
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        run()
