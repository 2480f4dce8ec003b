"""Account e-mails through a real SMTP server on 127.0.0.1: queued by the request, sent by a worker.

With ``MAIL_BACKEND=smtp`` (and ``MAIL_DELIVERY`` left to its default, ``queue``) a page that
mails a link only enqueues ``jobs.mail.deliver``; the SMTP conversation happens in the worker,
retried with backoff while the server is down. ``MAIL_DELIVERY=inline`` sends in the request.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.accounts.mail_delivery import RETRY_INTERVALS
from app.accounts.mailer import QueuedMailer, SmtpMailer
from app.accounts.passwords import hash_password
from app.accounts.web import send
from app.crypto import keyring
from app.extensions import get_session
from app.models import Partner, PartnerUser, Platform, Role, User
from app.queue import get_queue
from tests.factories import make_shop
from tests.support.smtp import SmtpSink, free_port, smtp_settings, smtp_sink
from tests.support.workers import run_jobs

from .conftest import PASSWORD, csrf_of, make_member, make_user

REPO = Path(__file__).resolve().parents[3]
NEW_PASSWORD = "a brand new secret"
RESET_SUBJECT = "Choose a new Luneo password"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_delivery(request: pytest.FixtureRequest) -> str | None:
    """``MAIL_DELIVERY`` for the test's app: unset (queue, SMTP's default) unless parametrized."""
    delivery: str | None = getattr(request, "param", None)
    return delivery


@pytest.fixture
def settings(settings: dict[str, Any], smtp_port: int, mail_delivery: str | None) -> dict[str, Any]:
    """This module's app mails through SMTP on 127.0.0.1:``smtp_port``."""
    chosen = {"MAIL_DELIVERY": mail_delivery} if mail_delivery else {}
    return {**settings, **smtp_settings(smtp_port), **chosen}


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[SmtpSink]:
    with smtp_sink(smtp_port) as server:
        yield server


def post_form(client: FlaskClient, path: str, data: dict[str, str]) -> TestResponse:
    token = csrf_of(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token})


def mail_queue(redis: Redis) -> Queue:
    return get_queue("default", redis)


def backoff_passes(redis: Redis, job: Job) -> None:
    """What the worker's scheduler does once the retry's time comes: back on the queue."""
    mail_queue(redis).scheduled_job_registry.requeue(job.id)  # fetched afresh, as RQ does


def make_partner_user(session: Session, email: str) -> PartnerUser:
    partner = Partner(name="Print Co", email=email, kind="network")
    session.add(partner)
    session.flush()
    user = PartnerUser(
        partner_id=partner.id, email=email, name="Pat", password_hash=hash_password(PASSWORD)
    )
    session.add(user)
    session.flush()
    return user


def test_smtp_mail_is_queued_unless_told_otherwise(app: Flask) -> None:
    mailer = app.extensions["luneo.mailer"]

    assert isinstance(mailer, QueuedMailer)
    assert isinstance(mailer.transport, SmtpMailer)


# ------------------------------------------------------------------ queued, then delivered
def test_a_reset_request_only_queues_the_mail_and_a_worker_delivers_a_working_link(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, smtp: SmtpSink
) -> None:
    # Given an account
    make_user(session, "ann@shop.test")
    session.commit()

    # When its owner asks for a reset link
    answer = post_form(client, "/account/reset", {"email": "ann@shop.test"})

    # Then the answer came back without any SMTP conversation: the mail is a job on the queue
    assert answer.status_code == 302
    assert answer.location == "/account/sign-in"
    assert smtp.connections == 0
    assert smtp.received == []
    (job,) = mail_queue(redis).jobs
    assert job.func_name == "jobs.mail.deliver"
    assert job.description == f"e-mail: {RESET_SUBJECT}"
    (message,) = job.args
    assert sorted(message) == ["sealed_text", "subject", "to"]
    assert (message["to"], message["subject"]) == ("ann@shop.test", RESET_SUBJECT)

    # When a worker runs the queue
    run_jobs(app)

    # Then the server received exactly one message, carrying the reset link
    (received,) = smtp.received
    assert smtp.connections == 1
    assert received.rcpt_tos == ["ann@shop.test"]
    assert (received.message["To"], received.message["Subject"]) == ("ann@shop.test", RESET_SUBJECT)
    assert received.message["From"] == "Luneo <no-reply@luneo.test>"
    link = received.link()
    assert link.startswith("/account/reset/")
    assert link not in str(job.args)  # the text travelled sealed
    assert job.get_status(refresh=True) == JobStatus.FINISHED

    # And the link works: it sets a new password, and the new password signs in
    chosen = post_form(client, link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert chosen.status_code == 302
    assert chosen.location == "/admin/"
    signed_in = post_form(
        app.test_client(), "/account/sign-in", {"email": "ann@shop.test", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


@pytest.mark.slow
def test_luneo_worker_burst_delivers_the_queued_mail_and_logs_no_link(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    smtp: SmtpSink,
    settings: dict[str, Any],
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    post_form(client, "/account/reset", {"email": "ann@shop.test"})
    assert smtp.received == []

    env = {
        **os.environ,
        "LUNEO_ENV": "testing",
        "LUNEO_INSTANCE_PATH": str(settings["INSTANCE_PATH"]),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "STORAGE_URL": app.config["STORAGE_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LUNEO_ENCRYPTION_KEYS": app.config["ENCRYPTION_KEYS"],
        "PYTHONPATH": str(REPO),
        **{name: str(value) for name, value in smtp_settings(smtp.port).items()},
    }
    worker = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "worker", "--burst", "default"],
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert worker.returncode == 0, worker.stderr.decode()
    (received,) = smtp.received
    link = received.link()
    assert client.get(link).status_code == 200  # the reset form the link opens
    logged = worker.stdout.decode() + worker.stderr.decode()
    assert f"e-mail: {RESET_SUBJECT}" in logged
    assert link.rsplit("/", 1)[1] not in logged


def test_sign_up_queues_the_confirmation_after_its_commit_and_the_link_confirms(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, smtp: SmtpSink
) -> None:
    answer = post_form(client, "/account/sign-up", {"email": "bea@shop.test", "password": PASSWORD})

    assert answer.status_code == 302
    assert smtp.received == []
    assert mail_queue(redis).count == 1
    page = client.get(answer.location).text
    assert "on its way to <strong>bea@shop.test</strong>" in page

    run_jobs(app)

    (received,) = smtp.received
    assert received.message["Subject"] == "Confirm your e-mail address for Luneo"
    confirmed = client.get(received.link())
    assert confirmed.status_code == 302
    user = session.scalars(select(User).where(User.email == "bea@shop.test")).one()
    session.refresh(user)
    assert user.is_verified


# ----------------------------------------------------------------------- SMTP is down
def test_mail_to_a_server_that_is_down_is_retried_later_not_lost(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, smtp_port: int
) -> None:
    # Given an account, and nothing listening on the SMTP port
    make_user(session, "ann@shop.test")
    session.commit()

    # When a reset link is asked for, the page answers as usual
    answer = post_form(client, "/account/reset", {"email": "ann@shop.test"})
    assert answer.status_code == 302
    assert "a link to choose a new password is on its way" in client.get(answer.location).text

    # And the worker's attempt fails: the job is scheduled for a retry in a minute
    (job,) = mail_queue(redis).jobs
    before = time.time()
    run_jobs(app)
    job.refresh()
    assert job.get_status() == JobStatus.SCHEDULED
    assert job.retries_left == len(RETRY_INTERVALS) - 1
    registry = mail_queue(redis).scheduled_job_registry
    assert registry.get_job_ids() == [job.id]
    delay = registry.get_scheduled_time(job).timestamp() - before
    assert RETRY_INTERVALS[0] - 5 <= delay <= RETRY_INTERVALS[0] + 5
    assert mail_queue(redis).failed_job_registry.count == 0

    # When the server is back and the retry's time comes
    with smtp_sink(smtp_port) as smtp:
        backoff_passes(redis, job)
        run_jobs(app)

        # Then the message is delivered, once
        (received,) = smtp.received
        assert received.link().startswith("/account/reset/")
    assert job.get_status(refresh=True) == JobStatus.FINISHED


def test_mail_that_never_gets_through_fails_after_the_backoff_and_logs_only_its_subject(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    post_form(client, "/account/reset", {"email": "ann@shop.test"})
    (job,) = mail_queue(redis).jobs
    text = keyring.decrypt(job.args[0]["sealed_text"])
    registry = mail_queue(redis).scheduled_job_registry

    delays = []
    with caplog.at_level(logging.INFO):
        for _attempt in RETRY_INTERVALS:
            before = time.time()
            run_jobs(app)
            delays.append(round(registry.get_scheduled_time(job).timestamp() - before, -1))
            backoff_passes(redis, job)
        run_jobs(app)

    assert delays == [float(s) for s in RETRY_INTERVALS]
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert mail_queue(redis).failed_job_registry.get_job_ids() == [job.id]
    gave_up = [r for r in caplog.records if r.getMessage() == "e-mail delivery failed; giving up"]
    assert len(gave_up) == 1
    assert gave_up[0].subject == RESET_SUBJECT  # type: ignore[attr-defined]
    assert gave_up[0].error  # type: ignore[attr-defined]
    link = text.split("\n\n")[2]
    assert link.startswith("https://luneo.test/account/reset/")
    assert any(hasattr(r, "arguments") for r in caplog.records)  # RQ logs the job's arguments
    for record in caplog.records:  # the body's secret link is in no log line, nor in any field
        assert link not in record.getMessage()
        assert all(link not in str(value) for value in vars(record).values())


# ------------------------------------------------------ the reset forms and the timing
@pytest.mark.parametrize(
    ("_case", "path", "known"),
    [
        ("merchant reset", "/account/reset", "ann@shop.test"),
        ("partner portal reset", "/partners/reset", "pat@print.test"),
    ],
)
def test_a_reset_form_does_no_smtp_work_for_known_or_unknown_addresses(
    client: FlaskClient,
    session: Session,
    redis: Redis,
    smtp: SmtpSink,
    _case: str,
    path: str,
    known: str,
) -> None:
    make_user(session, "ann@shop.test")
    make_partner_user(session, "pat@print.test")
    session.commit()

    for_unknown = post_form(client, path, {"email": "nobody@shop.test"})
    queued_for_unknown = mail_queue(redis).count
    for_known = post_form(client, path, {"email": known})

    assert for_known.status_code == for_unknown.status_code == 302
    assert for_known.location == for_unknown.location
    assert smtp.connections == 0  # neither answer waited for a mail server
    assert queued_for_unknown == 0
    assert [job.args[0]["to"] for job in mail_queue(redis).jobs] == [known]


# ------------------------------------------------------------------------ invitations
def invite_staff(app: Flask, session: Session) -> TestResponse:
    """An owner of a store invites sam@alice.test; the answer, followed to the team page."""
    owner = make_user(session, "alice@alice.test")
    shop = make_shop(session, platform=Platform.WOOCOMMERCE, domain="alice.test", name="Alice")
    make_member(session, owner, shop, Role.OWNER)
    session.commit()
    client = app.test_client()
    post_form(client, "/account/sign-in", {"email": "alice@alice.test", "password": PASSWORD})
    token = csrf_of(client.get("/account/team").text)
    return client.post(
        "/account/team/invitations",
        data={"csrf_token": token, "email": "sam@alice.test", "role": "staff"},
        follow_redirects=True,
    )


def test_an_invitation_is_queued_and_delivered_by_the_worker(
    app: Flask, session: Session, redis: Redis, smtp: SmtpSink
) -> None:
    page = invite_staff(app, session)

    assert "Invitation on its way to sam@alice.test." in page.text
    assert smtp.received == []
    run_jobs(app)
    (received,) = smtp.received
    assert received.rcpt_tos == ["sam@alice.test"]
    assert received.link().startswith("/account/invitations/")


@pytest.mark.parametrize("mail_delivery", ["inline"], indirect=True)
def test_an_inline_invitation_to_a_server_that_is_down_says_so(
    app: Flask, session: Session, redis: Redis, mail_delivery: str
) -> None:
    page = invite_staff(app, session)

    assert page.status_code == 200
    assert "sam@alice.test is invited, but we could not send the e-mail just now" in page.text
    assert mail_queue(redis).count == 0


# ------------------------------------------------------- after the request's commit
def test_mail_sent_before_the_request_commits_waits_for_the_commit(
    app: Flask, redis: Redis
) -> None:
    with app.test_request_context("/"):
        db = get_session()
        db.add(User(email="cat@shop.test", password_hash=hash_password(PASSWORD)))
        db.flush()

        send("cat@shop.test", "Welcome", "https://luneo.test/account/verify/x")
        waiting = mail_queue(redis).count
        db.commit()

        assert waiting == 0
        assert mail_queue(redis).count == 1


def test_mail_sent_by_a_request_that_rolls_back_is_never_queued(app: Flask, redis: Redis) -> None:
    with app.test_request_context("/"):
        db = get_session()
        db.add(User(email="cat@shop.test", password_hash=hash_password(PASSWORD)))

        send("cat@shop.test", "Welcome", "https://luneo.test/account/verify/x")
        db.rollback()
        db.commit()

        assert mail_queue(redis).count == 0


def test_mail_sent_by_a_request_that_only_read_is_queued_at_once(
    app: Flask, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    with app.test_request_context("/"):
        user = get_session().scalars(select(User).where(User.email == "ann@shop.test")).one()

        send(user.email, "Hello", "text")

        assert mail_queue(redis).count == 1


# ----------------------------------------------------------------------- inline delivery
@pytest.mark.parametrize("mail_delivery", ["inline"], indirect=True)
def test_inline_delivery_sends_inside_the_request(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    smtp: SmtpSink,
    mail_delivery: str,
) -> None:
    assert isinstance(app.extensions["luneo.mailer"], SmtpMailer)
    make_user(session, "ann@shop.test")
    session.commit()

    post_form(client, "/account/reset", {"email": "ann@shop.test"})

    (received,) = smtp.received
    assert received.message["Subject"] == RESET_SUBJECT
    assert mail_queue(redis).count == 0


@pytest.mark.parametrize("mail_delivery", ["inline"], indirect=True)
def test_inline_delivery_to_a_server_that_is_down_says_so(
    client: FlaskClient, redis: Redis, mail_delivery: str
) -> None:
    answer = post_form(client, "/account/sign-up", {"email": "bea@shop.test", "password": PASSWORD})

    page = client.get(answer.location).text
    assert "We could not send the confirmation e-mail just now" in page
    assert mail_queue(redis).count == 0
