"""Proof approval before production (#21): a job of a template that asks for approval is made,
its proof is e-mailed, and only the shopper's approval (or the deadline's) hands it to the
partner. The attacks: forged, expired, replaced and misdirected links, another shop's job, a
second decision, a decision after the deadline, missing and long comments, the admin's CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer, Message
from app.db import as_utc
from app.fulfilment import proofs, routing
from app.models import (
    AuditEvent,
    JobAssignment,
    Personalization,
    Platform,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofAtDeadline,
    ProofSend,
    ProofStatus,
    Role,
    Shop,
)
from app.signing import Purpose, issue
from app.storage import Storage
from tests.factories import make_shop
from tests.integration.accounts.conftest import Browser, csrf_of, make_member, make_user
from tests.integration.partners.conftest import PartnerSetup, bearer, make_partner, route_to
from tests.support.workers import run_jobs

from .conftest import Setup, make_setup

EMAIL = "ada@example.test"


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "PARTNER_API_RATE_PER_MINUTE": 0}


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


def proof_path(message: Message) -> str:
    (path,) = re.findall(r"https://luneo\.test(/proof/\S+)", message.text)
    return str(path)


def proofed(
    session: Session,
    storage: Storage,
    *,
    send: ProofSend = ProofSend.AUTO,
    at_deadline: ProofAtDeadline = ProofAtDeadline.WAIT,
    shop: Shop | None = None,
    partner_name: str = "Print A",
) -> tuple[Setup, PartnerSetup]:
    """A queued job of a template that asks for approval, its shop routing to a partner."""
    setup = make_setup(session, storage, shop=shop or make_shop(session, plan="pro"))
    template = setup.template
    template.proof_required, template.proof_send = True, send
    template.proof_deadline_hours, template.proof_at_deadline = 48, at_deadline
    setup.order.email = EMAIL
    partner = make_partner(session, partner_name, f"{partner_name[-1].lower()}@print.test")
    route_to(session, setup.shop, partner.partner)
    session.commit()
    return setup, partner


def listed(client: FlaskClient, partner: PartnerSetup) -> list[int]:
    body = client.get("/partner-api/v1/jobs", headers=bearer(partner.key)).get_json()
    return [int(j["order"]["id"]) for j in body["jobs"]]  # the orders of the jobs it has


def the_proof(session: Session, job: ProductionJob) -> Proof:
    session.expire_all()
    proof = proofs.proof_of(session, job.id)
    assert proof is not None
    return proof


def housekeeping(app: Flask, session: Session) -> dict[str, int]:
    """The hourly routing run."""
    with app.app_context():
        return routing.housekeeping(session)


def swept(app: Flask, session: Session, now: datetime) -> dict[str, int]:
    """The scheduled sweep at ``now`` (a frozen clock)."""
    with app.app_context():
        return proofs.sweep(session, app.config, now)


def made_and_sent(
    app: Flask, produce: Callable[..., Job], setup: Setup, outbox: ConsoleMailer
) -> str:
    """The render job runs, then the queued proof e-mail; the link it carries."""
    before = len(outbox.outbox)
    produce(setup.job)
    run_jobs(app, "default")
    assert len(outbox.outbox) == before + 1
    message = outbox.outbox[-1]
    assert message.to == EMAIL
    return proof_path(message)


def test_ready_job_waits_for_approval_then_reaches_the_partner(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage)

    path = made_and_sent(app, produce, setup, outbox)

    # made, but not handed over: the partner does not see it, housekeeping does not route it
    proof = the_proof(session, setup.job)
    assert (proof.status, proof.round) == (ProofStatus.SENT, 1)
    assert session.get_one(ProductionJob, setup.job.id).status is ProductionStatus.READY
    assert listed(client, partner) == []
    assert housekeeping(app, session)["routed"] == 0
    assert routing.unrouted_job_ids(session, setup.shop.id) == []
    # the page shows the proof sheet and the preview, with the two answers
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "data-proof-sheet" in html
    assert "data-proof-previews" in html
    assert 'action="' + path + '/approve"' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    sheet = re.search(r'href="https://luneo\.test(/files/[^"]+)"[^>]*data-proof-sheet', html)
    assert sheet is not None
    pdf = client.get(sheet.group(1).replace("&amp;", "&"))
    assert pdf.get_data().startswith(b"%PDF")
    pdf.close()

    approved = client.post(f"{path}/approve")

    assert approved.status_code == 303
    assert listed(client, partner) == [setup.order.id]
    proof = the_proof(session, setup.job)
    assert (proof.status, proof.decided_by) == (ProofStatus.APPROVED, "shopper")
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.production_job_id == setup.job.id)
    ).all()
    assert {"proof_sent", "proof_approved"} <= set(actions)
    assert 'data-proof-done="approved"' in client.get(path).get_data(as_text=True)
    # once: a second decision is refused, and nothing moves
    again = client.post(f"{path}/approve", json={})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_decided"
    changes = client.post(f"{path}/changes", data={"comment": "too late"})
    assert changes.status_code == 409
    assert len(session.scalars(select(JobAssignment)).all()) == 1


def test_changes_requested_keep_the_job_back_until_a_new_proof_is_approved(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage)
    setup.order.items[0].personalization = Personalization.DESIGNED  # a paid design: changeable
    session.commit()
    first = made_and_sent(app, produce, setup, outbox)

    comment = "  Please make the name <b>bigger</b>. "
    asked = client.post(f"{first}/changes", json={"comment": comment})

    assert asked.status_code == 200
    assert asked.get_json() == {"proof": {"status": "changes_requested"}}
    proof = the_proof(session, setup.job)
    assert (proof.status, proof.comment) == (
        ProofStatus.CHANGES_REQUESTED,
        "Please make the name <b>bigger</b>.",
    )
    assert listed(client, partner) == []
    assert housekeeping(app, session)["routed"] == 0
    # the page offers the shopper their own way to change it, while the store's window is open
    answered = client.get(first).get_data(as_text=True)
    edit = re.search(
        r'data-proof-edit>.*?href="https://[^/"]+(?:/apps/luneo)?(/order-design/[^"]+)"', answered
    )
    assert edit is not None, answered
    assert client.get(edit.group(1)).status_code == 200
    # the merchant sees the comment on the order page and on the dashboard
    csrf = admin_sign_in(client, setup.shop)
    order_page = client.get(f"/admin/orders/{setup.order.id}").get_data(as_text=True)
    assert 'data-proof="changes_requested"' in order_page
    assert "Please make the name &lt;b&gt;bigger&lt;/b&gt;." in order_page
    assert "Send proof" in order_page
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'data-attention="proof_changes"' in dashboard

    # the merchant fixes the design (the integrator's edit calls reset_after_edit), sends again
    job = session.get_one(ProductionJob, setup.job.id)
    with app.app_context():
        assert proofs.reset_after_edit(session, job) is not None
        session.commit()
    run_jobs(app, "default")  # the automatic rule sends the new round
    second = proof_path(outbox.outbox[-1])
    assert second != first
    assert client.get(first).status_code == 410  # the older link opens nothing any more
    assert client.post(f"{first}/approve").status_code == 410
    sent = client.post(
        f"/api/admin/production-jobs/{setup.job.id}/proof", headers={"X-CSRF-Token": csrf}
    )
    assert sent.status_code == 202
    third = proof_path(outbox.outbox[-1])
    assert the_proof(session, setup.job).round == 3
    assert client.get(second).status_code == 410
    assert client.post(f"{third}/approve").status_code == 303
    assert listed(client, partner) == [setup.order.id]


def admin_sign_in(client: FlaskClient, shop: Shop) -> str:
    page = client.get("/dev/")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert token is not None
    client.post(
        "/dev/sign-in", data={"csrf_token": token.group(1).decode(), "shop_id": str(shop.id)}
    )
    admin = client.get("/admin/").get_data(as_text=True)
    csrf = re.search(r'name="luneo-csrf" content="([^"]+)"', admin)
    assert csrf is not None
    return csrf.group(1)


def test_merchant_sends_the_proof_when_the_template_says_so(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage, send=ProofSend.MERCHANT)
    produce(setup.job)
    run_jobs(app, "default")
    assert len(outbox.outbox) == 0
    assert the_proof(session, setup.job).status is ProofStatus.PENDING
    url = f"/api/admin/production-jobs/{setup.job.id}/proof"
    csrf = admin_sign_in(client, setup.shop)
    assert "Send proof" in client.get(f"/admin/orders/{setup.order.id}").get_data(as_text=True)

    unguarded = client.post(url)  # a cookie session without the CSRF token
    sent = client.post(url, headers={"X-CSRF-Token": csrf})
    twice = client.post(url, headers={"X-CSRF-Token": csrf})

    assert unguarded.status_code == 403
    assert sent.status_code == 202
    assert sent.get_json()["proof"]["status"] == "sent"
    assert twice.status_code == 429  # a minute between two sendings
    assert len(outbox.outbox) == 1
    assert listed(client, partner) == []
    actors = session.scalars(
        select(AuditEvent.actor_type).where(AuditEvent.action == "proof_sent")
    ).all()
    assert actors == ["merchant"]


def test_another_shops_job_and_proof_are_out_of_reach(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    mine, _ = proofed(session, storage, send=ProofSend.MERCHANT)
    theirs, _ = proofed(session, storage, send=ProofSend.MERCHANT, partner_name="Print B")
    produce(mine.job)
    produce(theirs.job)
    csrf = admin_sign_in(client, mine.shop)

    other = client.post(
        f"/api/admin/production-jobs/{theirs.job.id}/proof", headers={"X-CSRF-Token": csrf}
    )

    assert other.status_code == 404
    assert len(outbox.outbox) == 0
    # a token that names my shop with their proof opens nothing
    their_proof = the_proof(session, theirs.job)
    their_proof.status, their_proof.round = ProofStatus.SENT, 1
    session.commit()
    secret = app.config["SECRET_KEY"]
    claims = {"shop": mine.shop.id, "proof": their_proof.id, "round": 1}
    mixed = issue(secret, Purpose.PROOF, claims, ttl=3600).token
    assert client.get(f"/proof/{mixed}").status_code == 404
    assert client.post(f"/proof/{mixed}/approve", json={}).status_code == 404
    assert the_proof(session, theirs.job).status is ProofStatus.SENT


def test_forged_expired_and_misdirected_links_are_refused(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage)
    path = made_and_sent(app, produce, setup, outbox)
    token = path.rsplit("/", 1)[-1]
    proof = the_proof(session, setup.job)
    secret = app.config["SECRET_KEY"]
    claims = {"shop": setup.shop.id, "proof": proof.id, "round": proof.round}
    issued_long_ago = as_utc(proof.sent_at).timestamp() - proofs.LINK_TTL - 10
    expired = issue(secret, Purpose.PROOF, claims, ttl=proofs.LINK_TTL, now=issued_long_ago)
    other_purpose = issue(secret, Purpose.RECOVER_DESIGN, claims, ttl=3600).token
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    wrong_key = issue("another-secret-key", Purpose.PROOF, claims, ttl=3600).token
    not_ids = issue(secret, Purpose.PROOF, {"shop": True, "proof": "1", "round": 1}, ttl=60)

    for bad, status in (
        (forged, 404),
        (wrong_key, 404),
        (other_purpose, 404),
        (not_ids.token, 404),
        ("x" * 5000, 404),
        (expired.token, 410),
    ):
        assert client.get(f"/proof/{bad}").status_code == status, bad
        answer = client.post(f"/proof/{bad}/approve", json={})
        assert answer.status_code == status
        assert answer.get_json()["error"]["code"] in ("link_invalid", "link_expired")
        form = client.post(f"/proof/{bad}/changes", data={"comment": "x"})
        assert form.status_code == status
        assert "data-proof-refused" in form.get_data(as_text=True)
    assert the_proof(session, setup.job).status is ProofStatus.SENT
    assert listed(client, partner) == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "comment_required"),
        ({"comment": "   "}, "comment_required"),
        ({"comment": 42}, "comment_required"),
        ({"comment": "x" * (proofs.MAX_COMMENT + 1)}, "comment_too_long"),
    ],
)
def test_a_request_for_changes_needs_a_comment_of_at_most_2000_characters(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
    body: dict[str, Any],
    code: str,
) -> None:
    setup, _ = proofed(session, storage)
    path = made_and_sent(app, produce, setup, outbox)

    as_json = client.post(f"{path}/changes", json=body)
    form = {k: v for k, v in body.items() if isinstance(v, str)}  # a form sends only text
    as_form = client.post(f"{path}/changes", data=form)

    assert as_json.status_code == 400
    assert as_json.get_json()["error"]["code"] == code
    assert as_form.status_code == 400
    assert "data-proof-message" in as_form.get_data(as_text=True)
    assert the_proof(session, setup.job).status is ProofStatus.SENT
    exactly = client.post(f"{path}/changes", data={"comment": "y" * proofs.MAX_COMMENT})
    assert exactly.status_code == 303


# ---------------------------------------------------------------- reminders and deadlines


def test_one_reminder_at_three_quarters_of_the_deadline_even_with_two_schedulers(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, _ = proofed(session, storage)
    made_and_sent(app, produce, setup, outbox)
    sent_at = as_utc(the_proof(session, setup.job).sent_at)

    def sweep(hours: float) -> dict[str, int]:
        return swept(app, session, sent_at + timedelta(hours=hours))

    assert sweep(35.9) == {"reminded": 0, "approved": 0, "expired": 0}
    assert sweep(36.1)["reminded"] == 1
    assert sweep(36.2)["reminded"] == 0
    assert sweep(47)["reminded"] == 0
    assert len(outbox.outbox) == 2
    reminder = outbox.outbox[-1]
    assert reminder.subject.startswith("Reminder:")
    assert client.get(proof_path(reminder)).status_code == 200  # the same proof, same round

    # two schedulers that both found the proof due: the claim is one conditional UPDATE, so
    # whichever runs second changes nothing and sends nothing
    proof = the_proof(session, setup.job)
    proof.reminded_at = None
    session.commit()
    still = (Proof.status == ProofStatus.SENT) & Proof.reminded_at.is_(None)
    first = proofs._claim(session, proof, still, {"reminded_at": sent_at})
    second = proofs._claim(session, proof, still, {"reminded_at": sent_at})
    assert (first, second) == (True, False)


def test_at_the_deadline_produce_as_is_routes_the_job_with_an_audit_entry(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage, at_deadline=ProofAtDeadline.PRODUCE)
    path = made_and_sent(app, produce, setup, outbox)
    deadline = as_utc(the_proof(session, setup.job).deadline_at)

    assert swept(app, session, deadline - timedelta(seconds=1))["approved"] == 0
    assert swept(app, session, deadline)["approved"] == 1
    assert swept(app, session, deadline + timedelta(hours=1))["approved"] == 0

    assert listed(client, partner) == [setup.order.id]
    proof = the_proof(session, setup.job)
    assert (proof.status, proof.decided_by) == (ProofStatus.APPROVED, "deadline")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "proof_approved_at_deadline")
    ).one()
    assert event.detail["note"] == "approved automatically at deadline"
    assert (event.actor_type, event.production_job_id) == ("system", setup.job.id)
    # a decision after the deadline finds the proof decided
    assert client.post(f"{path}/approve", json={}).status_code == 409
    assert client.post(f"{path}/changes", json={"comment": "late"}).status_code == 409
    assert len(session.scalars(select(JobAssignment)).all()) == 1


def test_at_the_deadline_wait_tells_the_merchant_and_the_shopper_may_still_answer(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage, at_deadline=ProofAtDeadline.WAIT)
    setup.shop.email = "owner@shop.test"
    session.commit()
    path = made_and_sent(app, produce, setup, outbox)
    deadline = as_utc(the_proof(session, setup.job).deadline_at)

    assert swept(app, session, deadline)["expired"] == 1
    assert swept(app, session, deadline + timedelta(hours=2))["expired"] == 0

    assert the_proof(session, setup.job).status is ProofStatus.EXPIRED
    assert outbox.outbox[-1].to == "owner@shop.test"
    assert listed(client, partner) == []
    assert housekeeping(app, session)["routed"] == 0
    admin_sign_in(client, setup.shop)
    assert 'data-attention="proof_expired"' in client.get("/admin/").get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert "The time to answer has passed" in page
    # the shopper answers late: still welcome, and the job goes to the partner
    assert client.post(f"{path}/approve").status_code == 303
    assert listed(client, partner) == [setup.order.id]


def test_a_template_without_approval_is_routed_as_soon_as_it_is_ready(
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    setup, partner = proofed(session, storage)
    setup.template.proof_required = False
    session.commit()

    produce(setup.job)

    assert proofs.proof_of(session, setup.job.id) is None
    assert listed(client, partner) == [setup.order.id]
    assert len(outbox.outbox) == 0


def test_staff_send_proofs_like_owners_with_their_csrf_token(
    app: Flask,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    """Sending a proof is an order-page action like sending the recovery link again: not
    owner-only, but a staff member's cookie session needs its CSRF token."""
    store = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="team.test",
        access_token="cs_" + "c" * 40,
        api_key="ck_" + "d" * 40,
        plan="pro",
    )
    setup, _ = proofed(session, storage, send=ProofSend.MERCHANT, shop=store)
    make_member(session, make_user(session, "staff@team.test"), store, Role.STAFF)
    session.commit()
    produce(setup.job)
    staff = Browser(app.test_client(), outbox)
    assert staff.sign_in("staff@team.test").status_code == 302
    outbox.outbox.clear()
    url = f"/api/admin/production-jobs/{setup.job.id}/proof"

    unguarded = staff.client.post(url)
    csrf = csrf_of(staff.client.get("/admin/").text)
    sent = staff.client.post(url, headers={"X-CSRF-Token": csrf})

    assert unguarded.status_code == 403
    assert sent.status_code == 202, sent.json
    assert [m.to for m in outbox.outbox] == [EMAIL]


def test_nothing_to_send_for_a_template_without_approval_and_no_reset_once_with_the_partner(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    produce: Callable[..., Job],
    outbox: ConsoleMailer,
) -> None:
    plain, _ = proofed(session, storage)
    plain.template.proof_required = False
    session.commit()
    produce(plain.job)
    csrf = admin_sign_in(client, plain.shop)

    refused = client.post(
        f"/api/admin/production-jobs/{plain.job.id}/proof", headers={"X-CSRF-Token": csrf}
    )

    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_proof"
    # an approved job already with its partner keeps its approval after an edit
    setup, _ = proofed(session, storage, shop=plain.shop, partner_name="Print B")
    path = made_and_sent(app, produce, setup, outbox)
    assert client.post(f"{path}/approve").status_code == 303
    session.expire_all()
    job = session.get_one(ProductionJob, setup.job.id)
    assert job.partner_id is not None
    with app.app_context():
        assert proofs.reset_after_edit(session, job) is None
    assert the_proof(session, setup.job).status is ProofStatus.APPROVED
