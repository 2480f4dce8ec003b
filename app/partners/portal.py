"""The partner portal, ``/partners``: jobs routed to the signed-in partner, files, slips, keys.

Guard first (``partner_user_required``, or ``partner_admin_required`` for the API keys and the
webhook, which only a partner's admins manage); every POST also passes the CSRF check. Views
parse, call one service, render; the audit trail records every download, status change and
password change. Sign-in is throttled per account and per address (429 with ``Retry-After``)
like the merchant accounts'; a forgotten password is reset on ``/partners/reset``
(``portal_reset``), and the team is managed on ``/partners/team`` (``portal_team``).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.accounts import throttle
from app.accounts.passwords import (
    MIN_LENGTH,
    WeakPassword,
    check_policy,
    hash_password,
    verify_password,
)
from app.accounts.web import too_many
from app.client_address import client_address
from app.design import FORMATS
from app.design.color import BUILTIN_CMYK
from app.extensions import get_redis, get_session, get_storage
from app.fulfilment import (
    assignments,
    audit,
    jobdata,
    keys,
    partner_webhooks,
    profiles,
    routing,
    tracking,
)
from app.fulfilment.errors import FulfilmentError, Invalid
from app.fulfilment.push import enqueue_push
from app.ids import row_id
from app.models import AssignmentStatus, AuditEvent, FileKind, JobAssignment, Partner
from app.partners import common
from app.partners.portal_auth import (
    authenticate,
    current_user,
    partner_admin_required,
    partner_user_required,
    portal_blueprint,
    restamp,
    sign_in,
    sign_out,
)
from app.redirects import local_path
from app.sync import order_edits
from connectors.http import Resolver, UnsafeDestination, check_public_url, resolve_host
from connectors.woocommerce import LOCAL_ENVIRONMENTS, is_loopback_host

bp = portal_blueprint("partner_portal", "/partners")
PAGE = 50
MAX_ZIP_JOBS = 200
FILTERS = ("new", "printing", "shipped", "problem")
MAX_WEBHOOK_URL = 2000
log = logging.getLogger(__name__)


def _partner() -> Partner:
    partner: Partner = g.partner
    return partner


def _actor() -> audit.Actor:
    return common.partner_user_actor(g.partner_user)


def _job(job_id: int) -> JobAssignment:
    try:
        return assignments.get_for_partner(get_session(), _partner().id, job_id)
    except FulfilmentError:
        abort(404, description="There is no job with this number.")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "POST":
        return _sign_in()
    if current_user() is not None:
        return redirect(url_for("partner_portal.jobs"))
    return render_template("partners/login.html", email="", error=None)


def _sign_in() -> ResponseReturnValue:
    email = request.form.get("email", "").strip()
    redis = get_redis()
    checks = [
        (throttle.PARTNER_LOGIN_ACCOUNT, email),
        (throttle.PARTNER_LOGIN_ADDRESS, client_address()),
    ]
    wait = throttle.blocked_for(redis, checks)
    if wait:
        log.warning("partner sign-in throttled", extra={"retry_after": wait})
        return too_many("partners/login.html", wait, email=email)
    user = authenticate(email, request.form.get("password", ""))
    if user is None:
        throttle.hit_all(redis, checks)
        page = render_template("partners/login.html", email=email, error="Wrong email or password.")
        return page, 401
    sign_in(user)
    get_session().commit()
    throttle.clear(redis, throttle.PARTNER_LOGIN_ACCOUNT, email)
    jobs_page = url_for("partner_portal.jobs")
    return redirect(local_path(request.args.get("next"), jobs_page, under="/partners"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    sign_out()
    return redirect(url_for("partner_portal.login"))


@bp.get("/")
@partner_user_required
def jobs() -> str:
    status = request.args.get("status")
    chosen = AssignmentStatus(status) if status in FILTERS else None
    db = get_session()
    stmt = assignments.partner_jobs(_partner().id, chosen).order_by(JobAssignment.id.desc())
    rows = [jobdata.load(db, a) for a in db.scalars(stmt.limit(PAGE))]
    counts = dict(
        db.execute(
            select(JobAssignment.status, func.count())
            .where(JobAssignment.partner_id == _partner().id)
            .group_by(JobAssignment.status)
        ).all()
    )
    return render_template(
        "partners/jobs.html", rows=rows, status=chosen, counts=counts, filters=FILTERS
    )


@bp.get("/jobs/<int:job_id>")
@partner_user_required
def job(job_id: int) -> str:
    db = get_session()
    rows = jobdata.load(db, _job(job_id))
    events = db.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.production_job_id == rows.job.id,
            AuditEvent.partner_id == _partner().id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(50)
    )
    return render_template(
        "partners/job.html",
        rows=rows,
        data=jobdata.job_dict(rows),
        events=list(events),
        changed_by=order_edits.last_change(db, rows.job),
        areas=jobdata.area_names(db, rows.job),
    )


@bp.get("/jobs/<int:job_id>/files/<int:file_id>")
@partner_user_required
def download_file(job_id: int, file_id: int) -> ResponseReturnValue:
    db, row = get_session(), _job(job_id)
    try:
        file = common.job_file(db, row, str(file_id))
    except FulfilmentError:
        abort(404, description="There is no such file for this job.")
    assert file is not None
    inline = request.args.get("inline") == "1" and file.stored_file.kind is FileKind.PREVIEW
    if not inline:
        audit.record(
            db,
            _actor(),
            "download_file",
            partner_id=row.partner_id,
            shop_id=row.shop_id,
            job_id=row.production_job_id,
            detail={"file_id": file.id, "format": file.format},
        )
        db.commit()
    response = common.send_stored(get_storage(), file)
    if inline:
        response.headers["Content-Disposition"] = "inline"
        response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/jobs/<int:job_id>/packing-slip.pdf")
@partner_user_required
def packing_slip(job_id: int) -> ResponseReturnValue:
    db, row = get_session(), _job(job_id)
    audit.record(
        db,
        _actor(),
        "download_packing_slip",
        partner_id=row.partner_id,
        shop_id=row.shop_id,
        job_id=row.production_job_id,
    )
    db.commit()
    pdf = common.slip_pdf(db, get_storage(), row)
    return common.send_bytes(pdf, f"packing-slip-job-{row.id}.pdf", "application/pdf")


@bp.post("/jobs/download.zip")
@partner_user_required
def download_zip() -> ResponseReturnValue:
    ids = [i for i in map(row_id, request.form.getlist("job")) if i is not None][:MAX_ZIP_JOBS]
    if not ids:
        flash("Choose at least one job to download.", "warning")
        return redirect(url_for("partner_portal.jobs"))
    db = get_session()
    rows = [_job(i) for i in dict.fromkeys(ids)]
    for row in rows:
        audit.record(
            db,
            _actor(),
            "download_zip",
            partner_id=row.partner_id,
            shop_id=row.shop_id,
            job_id=row.production_job_id,
            detail={"jobs": len(rows)},
        )
    db.commit()
    return common.send_zip(db, get_storage(), rows)


@bp.post("/jobs/<int:job_id>/status")
@partner_user_required
def report(job_id: int) -> ResponseReturnValue:
    db, row = get_session(), _job(job_id)
    form = request.form
    try:
        status = AssignmentStatus(form.get("status", ""))
        report = assignments.Report(
            status=status,
            carrier=(form.get("carrier") or "").strip()[:128] or None,
            tracking_number=(form.get("tracking_number") or "").strip()[:255] or None,
            tracking_url=(form.get("tracking_url") or "").strip()[:2000] or None,
            reason=(form.get("reason") or "").strip()[:2000] or None,
            lease_token=row.lease_token,  # people in the portal act over any worker's lease
        )
        row, push = assignments.apply_report(db, _partner().id, job_id, report, _actor())
    except ValueError:
        flash("Choose printing, shipped or problem.", "error")
        return redirect(url_for("partner_portal.job", job_id=job_id))
    except FulfilmentError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("partner_portal.job", job_id=job_id))
    if push is not None:
        enqueue_push(db, push.id, push.shop_id)
    db.commit()
    flash(f"Job {row.id} is now {status.value}.", "success")
    return redirect(url_for("partner_portal.job", job_id=job_id))


@bp.post("/jobs/<int:job_id>/tracking")
@partner_user_required
def correct_tracking(job_id: int) -> ResponseReturnValue:
    """Correct a shipped job's tracking; the store gets the change in the background."""
    db, row = get_session(), _job(job_id)
    form = request.form
    try:
        fixed = tracking.parse(
            form.get("carrier"), form.get("tracking_number"), form.get("tracking_url")
        )
        update = tracking.correct(db, row, fixed, _actor())
    except FulfilmentError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("partner_portal.job", job_id=job_id))
    db.commit()
    if update is None:
        flash("The tracking was already this; nothing changed.", "success")
    else:
        flash("Tracking corrected. The store is being updated.", "success")
    return redirect(url_for("partner_portal.job", job_id=job_id))


@bp.get("/keys")
@partner_admin_required
def api_keys() -> str:
    rows = keys.keys_of(get_session(), _partner().id)
    return render_template("partners/keys.html", keys=rows, new_key=None, webhook_secret=None)


@bp.post("/keys")
@partner_admin_required
def create_key() -> str:
    db = get_session()
    row, plaintext = keys.create_key(
        db, _partner().id, request.form.get("name", ""), g.partner_user.id
    )
    audit.record(
        db, _actor(), "api_key_created", partner_id=_partner().id, detail={"key_id": row.key_id}
    )
    db.commit()
    rows = keys.keys_of(db, _partner().id)
    return render_template("partners/keys.html", keys=rows, new_key=plaintext, webhook_secret=None)


@bp.post("/keys/<int:key_id>/revoke")
@partner_admin_required
def revoke_key(key_id: int) -> ResponseReturnValue:
    db = get_session()
    row = keys.revoke(db, _partner().id, key_id)
    if row is None:
        abort(404, description="There is no such key.")
    audit.record(
        db, _actor(), "api_key_revoked", partner_id=_partner().id, detail={"key_id": row.key_id}
    )
    db.commit()
    flash(f"Key {row.key_id} is revoked.", "success")
    return redirect(url_for("partner_portal.api_keys"))


def _webhook_url_problem(url: str) -> str | None:
    """Why Luneo cannot call ``url`` (checked on save; delivery checks the socket again)."""
    if len(url) > MAX_WEBHOOK_URL:
        return "The webhook URL is too long."
    if not url.startswith("https://") and current_app.config["ENV"] == "production":
        return "The webhook URL must start with https://."
    local = current_app.config["ENV"] in LOCAL_ENVIRONMENTS
    if local and is_loopback_host(urlsplit(url).hostname):
        return None  # a developer's receiver on this machine, as the delivery job allows
    resolve: Resolver = current_app.extensions.get("luneo.resolve_host", resolve_host)
    try:
        check_public_url(url, resolve)
    except UnsafeDestination as exc:
        return f"This webhook URL cannot be used: {exc}."
    return None


@bp.post("/webhook")
@partner_admin_required
def webhook() -> ResponseReturnValue:
    db, partner = get_session(), _partner()
    url = (request.form.get("webhook_url") or "").strip()
    problem = _webhook_url_problem(url) if url else None
    if problem:
        flash(problem, "error")
        rows = keys.keys_of(db, partner.id)
        page = render_template("partners/keys.html", keys=rows, new_key=None, webhook_secret=None)
        return page, 422
    partner.webhook_url = url or None
    secret = None
    if url and (not partner.webhook_secret or request.form.get("rotate") == "1"):
        secret = partner.webhook_secret = partner_webhooks.new_secret()
    audit.record(db, _actor(), "webhook_updated", partner_id=partner.id, detail={"url": url})
    db.commit()
    rows = keys.keys_of(db, partner.id)
    return render_template("partners/keys.html", keys=rows, new_key=None, webhook_secret=secret)


CMYK_LABELS = {
    "fogra39": "FOGRA39 (coated offset, Europe)",
    "gracol2006": "GRACoL 2006 (coated offset, North America)",
}


def _files_page(profile: dict[str, Any], errors: dict[str, str]) -> str:
    return render_template(
        "partners/files.html",
        profile=profile,
        errors=errors,
        formats=[(name, profiles.FORMAT_LABELS.get(name, name)) for name in FORMATS],
        cmyk_profiles=list(BUILTIN_CMYK),
        cmyk_labels=CMYK_LABELS,
    )


@bp.get("/files")
@partner_admin_required
def files_profile() -> str:
    profile = profiles.of_partner(_partner().file_profile).as_dict()
    bleed = profile["bleed_mm"]
    return _files_page({**profile, "bleed_mm": None if bleed is None else f"{bleed:g}"}, {})


@bp.post("/files")
@partner_admin_required
def save_files_profile() -> ResponseReturnValue:
    form = request.form
    bleed = form.get("bleed_mm", "").strip().replace(",", ".")
    raw: dict[str, Any] = {
        "formats": form.getlist("formats"),
        "cmyk_profile": form.get("cmyk_profile") or None,
        "crop_marks": form.get("crop_marks") == "1",
        "cut_lines": form.get("cut_lines") == "1",
        "file_name": form.get("file_name", "").strip(),
    }
    try:
        raw["bleed_mm"] = float(bleed) if bleed else None
    except ValueError:
        raw["bleed_mm"] = bleed  # refused below with the field's message
    db = get_session()
    try:
        profiles.save(db, _partner(), raw, _actor())
    except Invalid as exc:
        db.rollback()
        shown = {**profiles.DEFAULT.as_dict(), **raw, "bleed_mm": bleed or None}
        return _files_page(shown, dict(exc.fields or {})), 422
    remade = routing.remake_for_profile(db, _partner().id)
    db.commit()
    again = f" {remade} waiting job(s) are being made again this way." if remade else ""
    flash("Saved: jobs routed to you from now on get these files." + again, "success")
    return redirect(url_for("partner_portal.files_profile"))


@bp.get("/activity")
@partner_user_required
def activity() -> str:
    events = get_session().scalars(
        select(AuditEvent)
        .where(AuditEvent.partner_id == _partner().id)
        .order_by(AuditEvent.id.desc())
        .limit(200)
    )
    rows = list(events)
    job_ids = {e.production_job_id for e in rows if e.production_job_id is not None}
    numbers = get_session().execute(
        select(JobAssignment.production_job_id, JobAssignment.id).where(
            JobAssignment.partner_id == _partner().id,
            JobAssignment.production_job_id.in_(job_ids),
        )
    )
    job_numbers = {row.production_job_id: row.id for row in numbers}  # the portal's job numbers
    return render_template("partners/activity.html", events=rows, job_numbers=job_numbers)


def _weakness(password: str, email: str) -> str | None:
    try:
        check_policy(password, email)
    except WeakPassword as exc:
        return str(exc)
    return None


@bp.route("/password", methods=["GET", "POST"])
@partner_user_required
def password() -> ResponseReturnValue:
    """Replace the password (the temporary one a merchant handed over, or a compromised one)."""
    if request.method == "GET":
        return render_template("partners/password.html", min_length=MIN_LENGTH)
    user, new = g.partner_user, request.form.get("new", "")
    weak = _weakness(new, user.email)
    if not verify_password(user.password_hash, request.form.get("current", "")):
        flash("The current password is not right.", "error")
    elif weak:
        flash(weak, "error")
    else:
        user.password_hash = hash_password(new)
        audit.record(get_session(), _actor(), "password_changed", partner_id=_partner().id)
        get_session().commit()
        restamp(user)  # this session stays signed in; every other one ends
        flash("Your password is changed.", "success")
        return redirect(url_for("partner_portal.jobs"))
    return render_template("partners/password.html", min_length=MIN_LENGTH), 422
