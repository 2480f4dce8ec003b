"""What the portal and the API share: the actor of a request, secure headers, streamed files."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, g, request, stream_with_context
from sqlalchemy.orm import Session

from app import display
from app.fulfilment import assignments, audit, jobdata, slip
from app.fulfilment.downloads import SLIP
from app.fulfilment.errors import NotFound
from app.fulfilment.zipstream import Entry, stream_zip
from app.models import JobAssignment, PartnerRole, PartnerUser, ProductionFile
from app.storage import Storage, content_disposition


def actor(kind: str, actor_id: int, label: str) -> audit.Actor:
    return audit.Actor(
        kind,
        str(actor_id),
        label,
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
    )


def partner_user_actor(user: PartnerUser) -> audit.Actor:
    return actor("partner_user", user.id, f"{user.name or user.email} <{user.email}>")


def portal_context() -> dict[str, Any]:
    """What the portal layout shows: the signed-in partner and person, and their admin rights."""
    user: PartnerUser | None = g.get("partner_user")
    return {
        "partner": g.get("partner"),
        "user": user,
        "is_admin": user is not None and user.role is PartnerRole.ADMIN,
    }


def secure_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    if request.is_secure or current_app.config["PREFERRED_URL_SCHEME"] == "https":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def job_file(session: Session, assignment: JobAssignment, file_id: str) -> ProductionFile | None:
    """The job's file with this id, or None (a file of any other job is never returned)."""
    if file_id == SLIP:
        return None
    if not file_id.isdigit() or not 0 < int(file_id) <= assignments.MAX_ID:
        raise NotFound("There is no such file for this job.")
    row = session.get(ProductionFile, int(file_id))
    if row is None or row.production_job_id != assignment.production_job_id:
        raise NotFound("There is no such file for this job.")
    return row


def slip_pdf(session: Session, storage: Storage, assignment: JobAssignment) -> bytes:
    rows = jobdata.load(session, assignment)
    return slip.packing_slip(
        rows, lambda key: b"".join(storage.iter_chunks(key)), locale=display.current_locale()
    )


def send_bytes(data: bytes, filename: str, content_type: str) -> Response:
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def send_stored(storage: Storage, file: ProductionFile) -> Response:
    stored = file.stored_file
    name = jobdata.file_dict(file)["filename"]
    response = Response(
        stream_with_context(storage.iter_chunks(stored.key)), mimetype=stored.content_type
    )
    response.headers["Content-Length"] = str(stored.size)
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


def zip_entries(
    session: Session, storage: Storage, assignments: list[JobAssignment]
) -> Iterator[Entry]:
    for assignment in assignments:
        rows = jobdata.load(session, assignment)
        folder = f"job-{assignment.id}"
        pdf = slip_pdf(session, storage, assignment)
        yield Entry(
            f"{folder}/packing-slip-job-{assignment.id}.pdf", functools.partial(list, [pdf])
        )
        for file in sorted(rows.job.files, key=lambda f: f.id):
            name = jobdata.file_dict(file)["filename"]
            chunks = functools.partial(storage.iter_chunks, file.stored_file.key)
            yield Entry(f"{folder}/{file.id}-{name}", chunks)


def send_zip(session: Session, storage: Storage, assignments: list[JobAssignment]) -> Response:
    chunks = stream_zip(zip_entries(session, storage, assignments))
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition("luneo-jobs.zip")
    return response
