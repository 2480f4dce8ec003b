"""The partner JSON API, ``/partner-api/v1``: Bearer API keys, documented by ``openapi.json``.

Every route but the spec and the signed download sits behind ``partner_key_required``; every
write accepts an ``Idempotency-Key`` (same key and body → the stored answer; another body →
422). Errors are ``{"error": {"code", "message"}}`` with a 4xx, never a 500 for bad input.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any, ParamSpec

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.design import FORMATS
from app.design.color import BUILTIN_CMYK
from app.errors import ApiError
from app.extensions import get_redis, get_session, get_storage
from app.fulfilment import (
    assignments,
    audit,
    downloads,
    idempotency,
    jobdata,
    keys,
    profiles,
    routing,
    tracking,
)
from app.fulfilment.errors import FulfilmentError, Invalid
from app.fulfilment.push import enqueue_push
from app.models import AssignmentStatus, JobAssignment, Partner, PartnerApiKey
from app.partners import common
from app.ratelimit import Window, hit

bp = Blueprint("partner_api", __name__, url_prefix="/partner-api/v1")
P = ParamSpec("P")
Answer = tuple[dict[str, Any], int]
MAX_TEXT = 255


@bp.after_request
def _headers(response: Response) -> Response:
    return common.secure_headers(response)


def _partner() -> Partner:
    partner: Partner = g.partner
    return partner


def _actor() -> audit.Actor:
    key: PartnerApiKey = g.api_key
    return common.actor("api_key", key.id, f"API key {key.name} ({key.key_id})")


def _count_call(partner: Partner) -> None:
    """One budget per partner, all its keys together: one runaway integration cannot slow
    everyone else's downloads and reports (``PARTNER_API_RATE_PER_MINUTE``, 0 = off)."""
    limit = int(current_app.config["PARTNER_API_RATE_PER_MINUTE"] or 0)
    message = "Too many API calls for this partner; wait Retry-After seconds and try again."
    hit(get_redis(), f"partner-api:{partner.id}", [Window(60, limit)], message)


def partner_key_required(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """``Authorization: Bearer <key>`` of a live key of an active partner; 401 otherwise."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        found = keys.authenticate(get_session(), presented.strip()) if scheme == "Bearer" else None
        if found is None:
            raise ApiError(
                401,
                "unauthorized",
                "A valid API key is required: Authorization: Bearer <key>.",
                headers={"WWW-Authenticate": 'Bearer realm="luneo-partner-api"'},
            )
        g.api_key, g.partner = found
        _count_call(found[1])  # over budget: RateLimited, answered 429 by app.errors
        found[0].last_used_at = utcnow()
        return view(*args, **kwargs)

    return guarded


def _json_body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object.", code="invalid_json")
    return body


def _text(body: dict[str, Any], name: str, limit: int = MAX_TEXT) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{name} must be a string of at most {limit} characters.")
    return value.strip() or None


def idempotent(view: Callable[P, Answer]) -> Callable[P, ResponseReturnValue]:
    """Run a write in one transaction with its stored answer; replay it for a repeated key."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        session, partner_id = get_session(), _partner().id
        key = request.headers.get("Idempotency-Key")
        digest = idempotency.request_hash(request.method, request.path, _json_body())
        if key is not None:
            idempotency.check_key(key)
            stored = idempotency.replay(session, partner_id, key, digest)
            if stored is not None:
                return _replayed(stored.body, stored.status_code)
        try:
            body, status = view(*args, **kwargs)
        except FulfilmentError as exc:
            session.rollback()
            body, status = exc.body(), exc.status
        if key is not None:
            idempotency.remember(session, partner_id, key, digest, status, body)
        try:
            session.commit()
        except IntegrityError:  # the same key raced in from another request: answer as it did
            session.rollback()
            stored = idempotency.replay(session, partner_id, key or "", digest)
            if stored is None:
                raise
            return _replayed(stored.body, stored.status_code)
        return jsonify(body), status

    return wrapped


def _replayed(body: dict[str, Any], status: int) -> ResponseReturnValue:
    response = jsonify(body)
    response.headers["Idempotent-Replayed"] = "true"
    return response, status


def _cursor(value: str | None) -> int:
    if not value:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        kind, _, number = decoded.partition(":")
        if kind != "a" or not number.isdigit() or int(number) > assignments.MAX_ID:
            raise ValueError(value)
        return int(number)
    except ValueError as exc:
        raise Invalid("cursor is not one this API returned.", code="invalid_cursor") from exc


def _encode_cursor(assignment_id: int) -> str:
    return base64.urlsafe_b64encode(f"a:{assignment_id}".encode()).decode().rstrip("=")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(f"{name} must be an integer from {low} to {high}.")
    return int(raw)


def _status_arg() -> AssignmentStatus | None:
    raw = request.args.get("status")
    if raw is None:
        return None
    try:
        return AssignmentStatus(raw)
    except ValueError as exc:
        raise Invalid("status must be one of new, printing, shipped, problem.") from exc


def _job(assignment_id: int) -> JobAssignment:
    return assignments.get_for_partner(get_session(), _partner().id, assignment_id)


def _job_json(row: JobAssignment) -> dict[str, Any]:
    return jobdata.job_dict(jobdata.load(get_session(), row))


# ----------------------------------------------------------------------------- routes


@bp.get("/openapi.json")
def openapi() -> Response:
    text = resources.files("app.partners").joinpath("openapi.json").read_text()
    return current_app.response_class(text, mimetype="application/json")


@bp.get("/jobs")
@partner_key_required
def list_jobs() -> ResponseReturnValue:
    after = _cursor(request.args.get("cursor"))
    limit = _int_arg("limit", 50, 1, assignments.MAX_PAGE)
    rows = assignments.page_after(get_session(), _partner().id, after, limit, _status_arg())
    next_cursor = _encode_cursor(rows[-1].id) if rows else request.args.get("cursor") or None
    return jsonify({"jobs": [_job_json(r) for r in rows], "next_cursor": next_cursor})


@bp.get("/jobs/<int:job_id>")
@partner_key_required
def get_job(job_id: int) -> ResponseReturnValue:
    return jsonify(_job_json(_job(job_id)))


@bp.post("/jobs/<int:job_id>/claim")
@partner_key_required
@idempotent
def claim(job_id: int) -> Answer:
    body = _json_body()
    seconds = body.get("lease_seconds", assignments.DEFAULT_LEASE_SECONDS)
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise Invalid("lease_seconds must be an integer.")
    session, actor = get_session(), _actor()
    lease = assignments.claim(
        session,
        _partner().id,
        job_id,
        owner=_text(body, "worker", 128) or actor.label,
        seconds=seconds,
        renew_token=_text(body, "lease_token", 64),
    )
    row = _job(job_id)
    audit.record(
        session,
        actor,
        "claim",
        partner_id=row.partner_id,
        shop_id=row.shop_id,
        job_id=row.production_job_id,
        detail={"lease_owner": lease.owner},
    )
    answer = {"lease_token": lease.token, "lease_expires_at": lease.expires_at.isoformat()}
    return {**answer, "job": _job_json(row)}, 200


@bp.post("/jobs/<int:job_id>/release")
@partner_key_required
@idempotent
def release(job_id: int) -> Answer:
    token = _text(_json_body(), "lease_token", 64)
    if not token:
        raise Invalid("lease_token is required.")
    row = assignments.release(get_session(), _partner().id, job_id, token)
    return {"job": _job_json(row)}, 200


@bp.post("/jobs/<int:job_id>/status")
@partner_key_required
@idempotent
def report_status(job_id: int) -> Answer:
    body = _json_body()
    try:
        status = AssignmentStatus(str(body.get("status")))
    except ValueError as exc:
        raise Invalid("status must be one of printing, shipped, problem.") from exc
    report = assignments.Report(
        status=status,
        carrier=_text(body, "carrier", 128),
        tracking_number=_text(body, "tracking_number"),
        tracking_url=_text(body, "tracking_url", 2000),
        reason=_text(body, "reason", 2000),
        lease_token=_text(body, "lease_token", 64),
    )
    session = get_session()
    row, push = assignments.apply_report(session, _partner().id, job_id, report, _actor())
    if push is not None:
        enqueue_push(session, push.id, push.shop_id)
    return {"job": _job_json(row)}, 200


@bp.patch("/jobs/<int:job_id>/tracking")
@partner_key_required
@idempotent
def correct_tracking(job_id: int) -> Answer:
    """Correct a shipped job's carrier, tracking number and URL; the store gets the change."""
    row = _job(job_id)
    body = _json_body()
    fixed = tracking.parse(
        body.get("carrier"), body.get("tracking_number"), body.get("tracking_url")
    )
    tracking.correct(get_session(), row, fixed, _actor())
    return {"job": _job_json(row)}, 200


@bp.get("/jobs/<int:job_id>/files")
@partner_key_required
def file_links(job_id: int) -> ResponseReturnValue:
    row = _job(job_id)
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])
    secret = str(current_app.config["SECRET_KEY"])
    who = f"api_key:{g.api_key.id}"

    def link(file: str) -> dict[str, str]:
        grant = downloads.grant_for(row.partner_id, row.id, file, who, ttl)
        token = downloads.issue(secret, grant)
        expires = datetime.fromtimestamp(grant.expires, UTC).isoformat()
        url = url_for("partner_api.download", token=token, _external=True)
        return {"url": url, "expires_at": expires}

    files = [{**f, **link(str(f["id"]))} for f in _job_json(row)["files"]]
    return jsonify({"files": files, "packing_slip": link(downloads.SLIP)})


@bp.get("/profile")
@partner_key_required
def get_profile() -> ResponseReturnValue:
    """What this partner wants from Luneo's files: every job routed to it is made that way."""
    return jsonify(_profile_json(profiles.of_partner(_partner().file_profile)))


@bp.put("/profile")
@partner_key_required
@idempotent
def put_profile() -> Answer:
    """Replace the profile; settings left out take their defaults. Jobs routed from now on (and
    waiting jobs, when they are made again) get files made this way."""
    session, partner = get_session(), _partner()
    profile = profiles.save(session, partner, _json_body(), _actor())
    routing.remake_for_profile(session, partner.id)
    return _profile_json(profile), 200


def _profile_json(profile: profiles.FileProfile) -> dict[str, Any]:
    return {
        "profile": profile.as_dict(),
        "digest": profile.digest,
        "formats_available": [
            {"format": name, "label": profiles.FORMAT_LABELS.get(name, name)} for name in FORMATS
        ],
        "cmyk_profiles_available": list(BUILTIN_CMYK),
    }


@bp.get("/downloads/<token>")
def download(token: str) -> ResponseReturnValue:
    """The signed link is the credential; the download is recorded, then streamed."""
    secret = str(current_app.config["SECRET_KEY"])
    grant = downloads.verify(secret, token)
    session, storage = get_session(), get_storage()
    row = assignments.get_for_partner(session, grant.partner_id, grant.assignment_id)
    file = common.job_file(session, row, grant.file)
    kind, _, actor_id = grant.actor.partition(":")
    actor = audit.Actor(
        kind, actor_id, grant.actor, request.remote_addr, request.headers.get("User-Agent")
    )
    detail = {"file": grant.file} if file is None else {"file_id": file.id, "format": file.format}
    action = "download_packing_slip" if file is None else "download_file"
    audit.record(
        session,
        actor,
        action,
        partner_id=row.partner_id,
        shop_id=row.shop_id,
        job_id=row.production_job_id,
        detail=detail,
    )
    session.commit()
    if file is None:
        pdf = common.slip_pdf(session, storage, row)
        return common.send_bytes(pdf, f"packing-slip-job-{row.id}.pdf", "application/pdf")
    return common.send_stored(storage, file)
