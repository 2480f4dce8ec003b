"""Partner teams: admins invite people by e-mail, manage roles and access; operators work on jobs.

The invitation is a signed link that works once (it is bound to the invited person's password
hash) and for a week; accepting it sets a name and password and signs the person in.
"""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.accounts.links import INVITE_TTL
from app.accounts.mailer import ConsoleMailer, MailError
from app.accounts.passwords import hash_password, verify_password
from app.models import AuditEvent, PartnerRole, PartnerUser
from tests.factories import make_shop

from .conftest import PASSWORD, World, csrf_of, link_in, portal_login
from .test_routing_admin import admin_sign_in

NEW_PASSWORD = "a fresh long secret"


def add_person(
    session: Session, world: World, email: str, role: PartnerRole = PartnerRole.OPERATOR
) -> PartnerUser:
    """Someone at partner A who has already joined (a usable password)."""
    user = PartnerUser(
        partner_id=world.a.partner.id,
        email=email,
        name=email.split("@")[0],
        password_hash=hash_password(PASSWORD),
        role=role,
    )
    session.add(user)
    session.commit()
    return user


def post(client: FlaskClient, path: str, **data: str) -> TestResponse:
    return client.post(path, data={"csrf_token": csrf_of(client), **data})


def invite(client: FlaskClient, email: str, role: str = "operator") -> TestResponse:
    return post(client, "/partners/team/invitations", email=email, role=role)


def mailed_link(outbox: ConsoleMailer, email: str) -> str:
    return link_in([m for m in outbox.outbox if m.to == email][-1])


def accept(
    client: FlaskClient,
    link: str,
    name: str = "Olga Operator",
    password: str = NEW_PASSWORD,
    confirm: str | None = None,
    csrf: str | None = None,
) -> TestResponse:
    return client.post(
        link,
        data={
            "csrf_token": csrf if csrf is not None else csrf_of(client, "/partners/reset"),
            "name": name,
            "password": password,
            "password_confirm": password if confirm is None else confirm,
        },
    )


def person(session: Session, email: str) -> PartnerUser | None:
    session.expire_all()
    return session.scalars(select(PartnerUser).where(PartnerUser.email == email)).one_or_none()


def signed_in(client: FlaskClient) -> bool:
    return client.get("/partners/").status_code == 200


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ------------------------------------------------------------------- invite and join
def test_an_invited_operator_joins_sees_the_jobs_but_not_the_keys_or_the_team(
    app: Flask, client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    portal_login(client, world.a.user.email)
    team = client.get("/partners/team").get_data(as_text=True)
    assert f'data-person="{world.a.user.email}"' in team
    assert 'href="/partners/team"' in team

    sent = invite(client, "Olga@Print-A.test")

    assert sent.status_code == 302
    assert "Invitation sent to olga@print-a.test." in client.get("/partners/team").text
    invited = person(session, "olga@print-a.test")
    assert invited is not None
    assert (invited.partner_id, invited.role, invited.is_active) == (
        world.a.partner.id,
        PartnerRole.OPERATOR,
        True,
    )
    assert portal_login(app.test_client(), "olga@print-a.test", "").status_code == 401
    (message,) = [m for m in outbox.outbox if m.to == "olga@print-a.test"]
    assert "Print A" in message.subject
    assert "within 7 days" in message.text
    link = link_in(message)
    assert link.startswith("/partners/invitation/")

    olga = app.test_client()
    form = olga.get(link)
    assert form.status_code == 200
    assert "olga@print-a.test" in form.text
    joined = accept(olga, link)

    assert joined.status_code == 302
    assert joined.location == "/partners/"
    jobs = olga.get("/partners/").get_data(as_text=True)
    assert sorted(re.findall(r'data-job="(\d+)"', jobs)) == sorted(str(j.id) for j in world.jobs_a)
    assert 'href="/partners/team"' not in jobs
    assert 'href="/partners/keys"' not in jobs
    keys = olga.get("/partners/keys")
    assert keys.status_code == 403
    assert "Only your team's admins can open this page" in keys.text
    assert olga.get("/partners/team").status_code == 403
    assert post(olga, "/partners/keys", name="sneaky").status_code == 403
    assert post(olga, "/partners/webhook", webhook_url="https://x.test/").status_code == 403
    joined_user = person(session, "olga@print-a.test")
    assert joined_user is not None
    assert joined_user.name == "Olga Operator"
    assert joined_user.last_login_at is not None
    assert verify_password(joined_user.password_hash, NEW_PASSWORD)
    assert actions(session) == ["team_invited", "team_invitation_accepted"]
    event = session.scalars(select(AuditEvent)).first()
    assert event is not None
    assert (event.partner_id, event.actor_id, event.detail["role"]) == (
        world.a.partner.id,
        str(world.a.user.id),
        "operator",
    )
    olga.post("/partners/logout", data={"csrf_token": csrf_of(olga)})
    assert portal_login(olga, "olga@print-a.test", NEW_PASSWORD).status_code == 302


def test_an_operator_cannot_invite_or_change_anyone(
    client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    operator = add_person(session, world, "op@print-a.test")
    portal_login(client, operator.email)

    answers = [
        invite(client, "friend@print-a.test", "admin"),
        post(client, f"/partners/team/{world.a.user.id}/role", role="operator"),
        post(client, f"/partners/team/{world.a.user.id}/deactivate"),
        post(client, f"/partners/team/{operator.id}/role", role="admin"),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert person(session, "friend@print-a.test") is None
    assert list(outbox.outbox) == []
    assert session.get_one(PartnerUser, operator.id).role is PartnerRole.OPERATOR
    assert session.get_one(PartnerUser, world.a.user.id).is_active
    assert actions(session) == []


def test_another_partners_people_are_not_found_and_their_addresses_are_refused(
    client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    other = world.b.user
    portal_login(client, world.a.user.email)

    assert f'data-person="{other.email}"' not in client.get("/partners/team").text
    for path, data in [
        (f"/partners/team/{other.id}/role", {"role": "operator"}),
        (f"/partners/team/{other.id}/deactivate", {}),
        (f"/partners/team/{other.id}/reactivate", {}),
        (f"/partners/team/{other.id}/resend", {}),
    ]:
        answer = post(client, path, **data)
        assert answer.status_code == 404, path
        assert "There is no such person in your team." in answer.text
    # A number no row can have is not found by the router itself (app/ids.py).
    assert post(client, "/partners/team/99999999999999999999/deactivate").status_code == 404
    taken = invite(client, other.email.upper())

    assert taken.status_code == 409
    assert "already signs in for another print shop" in taken.text
    session.expire_all()
    row = session.get_one(PartnerUser, other.id)
    assert (row.partner_id, row.role, row.is_active) == (
        world.b.partner.id,
        PartnerRole.ADMIN,
        True,
    )
    assert list(outbox.outbox) == []
    assert actions(session) == []


@pytest.mark.parametrize(
    ("email", "role", "status", "message"),
    [
        ("not an address", "operator", 422, "Enter a valid e-mail address"),
        ("new@print-a.test", "owner", 422, "Choose admin or operator."),
        ("a@print-a.test", "operator", 409, "a@print-a.test is already in your team."),
    ],
)
def test_bad_invitations_are_refused_with_a_message(
    client: FlaskClient,
    session: Session,
    world: World,
    outbox: ConsoleMailer,
    email: str,
    role: str,
    status: int,
    message: str,
) -> None:
    portal_login(client, world.a.user.email)

    answer = invite(client, email, role)

    assert answer.status_code == status
    assert message in answer.text
    assert session.scalar(select(func.count()).select_from(PartnerUser)) == 2
    assert list(outbox.outbox) == []


# ------------------------------------------------------------------ roles and access
def test_the_last_active_admin_can_neither_be_demoted_nor_deactivated(
    client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    me = world.a.user
    portal_login(client, me.email)
    invite(client, "pending-admin@print-a.test", "admin")  # cannot sign in yet: not counted

    demoted = post(client, f"/partners/team/{me.id}/role", role="operator")
    myself = post(client, f"/partners/team/{me.id}/deactivate")

    assert demoted.status_code == 409
    assert "at least one active admin" in demoted.text
    assert myself.status_code == 409
    assert "You cannot deactivate or reactivate yourself." in myself.text
    session.expire_all()
    assert session.get_one(PartnerUser, me.id).role is PartnerRole.ADMIN
    assert session.get_one(PartnerUser, me.id).is_active
    # with a second admin who can sign in, either admin may step down, but not both
    other = add_person(session, world, "boss@print-a.test", PartnerRole.ADMIN)
    assert post(client, f"/partners/team/{other.id}/role", role="operator").status_code == 302
    assert post(client, f"/partners/team/{other.id}/role", role="admin").status_code == 302
    stepped_down = post(client, f"/partners/team/{me.id}/role", role="operator")
    assert stepped_down.status_code == 302
    assert stepped_down.location == "/partners/"
    assert client.get("/partners/team").status_code == 403
    boss = portal_login(client.application.test_client(), other.email)
    assert boss.status_code == 302
    assert actions(session) == [
        "team_invited",
        "team_role_changed",
        "team_role_changed",
        "team_role_changed",
    ]
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert (last.detail["user_id"], last.detail["role"], last.detail["previous_role"]) == (
        me.id,
        "operator",
        "admin",
    )


def test_a_deactivated_persons_session_ends_and_they_cannot_sign_in_until_reactivated(
    app: Flask, client: FlaskClient, session: Session, world: World, redis: Redis
) -> None:
    operator = add_person(session, world, "op@print-a.test")
    theirs = app.test_client()
    portal_login(theirs, operator.email)
    assert signed_in(theirs)
    portal_login(client, world.a.user.email)

    off = post(client, f"/partners/team/{operator.id}/deactivate")

    assert off.status_code == 302
    page = client.get("/partners/team").text
    assert 'data-person="op@print-a.test" data-status="deactivated"' in page
    assert not signed_in(theirs)
    assert portal_login(theirs, operator.email).status_code == 401
    on = post(client, f"/partners/team/{operator.id}/reactivate")
    assert on.status_code == 302
    assert portal_login(theirs, operator.email).status_code == 302
    assert actions(session) == ["team_deactivated", "team_reactivated"]


def test_an_admin_makes_an_operator_admin(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    operator = add_person(session, world, "op@print-a.test")
    theirs = app.test_client()
    portal_login(theirs, operator.email)
    assert theirs.get("/partners/keys").status_code == 403
    portal_login(client, world.a.user.email)

    promoted = post(client, f"/partners/team/{operator.id}/role", role="admin")

    assert promoted.status_code == 302
    assert theirs.get("/partners/keys").status_code == 200  # at once, in their open session
    assert theirs.get("/partners/team").status_code == 200


# ------------------------------------------------------------------- the invitation link
def test_the_invitation_link_works_once(
    app: Flask, client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    portal_login(client, world.a.user.email)
    invite(client, "olga@print-a.test")
    link = mailed_link(outbox, "olga@print-a.test")
    olga = app.test_client()
    assert accept(olga, link).status_code == 302

    used = app.test_client().get(link)
    again = accept(app.test_client(), link, password="another long secret")

    assert used.status_code == 400
    assert "already been used" in used.text
    assert "Ask an admin of your print shop" in used.text
    assert again.status_code == 400
    now = person(session, "olga@print-a.test")
    assert now is not None
    assert verify_password(now.password_hash, NEW_PASSWORD)


def test_the_invitation_link_expires_after_seven_days(
    app: Flask,
    client: FlaskClient,
    session: Session,
    world: World,
    outbox: ConsoleMailer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portal_login(client, world.a.user.email)
    invite(client, "olga@print-a.test")
    link = mailed_link(outbox, "olga@print-a.test")
    before = person(session, "olga@print-a.test")
    assert before is not None
    olga = app.test_client()
    six_days = time.time() + INVITE_TTL - 24 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: six_days)
    assert olga.get(link).status_code == 200
    later = time.time() + INVITE_TTL + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)

    page = olga.get(link)
    posted = accept(olga, link)

    assert page.status_code == 400
    assert "This link has expired" in page.text
    assert posted.status_code == 400
    after = person(session, "olga@print-a.test")
    assert after is not None
    assert after.password_hash == before.password_hash
    assert not signed_in(olga)


def test_resending_an_invitation_ends_the_older_link(
    app: Flask, client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    portal_login(client, world.a.user.email)
    invite(client, "olga@print-a.test")
    old = mailed_link(outbox, "olga@print-a.test")
    invited = person(session, "olga@print-a.test")
    assert invited is not None

    resent = post(client, f"/partners/team/{invited.id}/resend")

    assert resent.status_code == 302
    new = mailed_link(outbox, "olga@print-a.test")
    assert new != old
    assert app.test_client().get(old).status_code == 400
    assert accept(app.test_client(), new).status_code == 302
    assert post(client, f"/partners/team/{invited.id}/resend").status_code == 409  # joined
    assert actions(session) == [
        "team_invited",
        "team_invitation_resent",
        "team_invitation_accepted",
    ]


def test_a_deactivated_invitee_cannot_use_the_link(
    app: Flask, client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    portal_login(client, world.a.user.email)
    invite(client, "olga@print-a.test")
    link = mailed_link(outbox, "olga@print-a.test")
    invited = person(session, "olga@print-a.test")
    assert invited is not None
    post(client, f"/partners/team/{invited.id}/deactivate")

    answer = accept(app.test_client(), link)

    assert answer.status_code == 400
    assert "no longer valid" in answer.text


@pytest.mark.parametrize(
    ("name", "password", "confirm", "message"),
    [
        ("   ", NEW_PASSWORD, NEW_PASSWORD, "Enter your name"),
        ("Olga", "short", "short", "Use at least 10 characters."),
        ("Olga", NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ."),
    ],
)
def test_a_missing_name_or_weak_password_changes_nothing_and_the_link_still_works(
    app: Flask,
    client: FlaskClient,
    session: Session,
    world: World,
    outbox: ConsoleMailer,
    name: str,
    password: str,
    confirm: str,
    message: str,
) -> None:
    portal_login(client, world.a.user.email)
    invite(client, "olga@print-a.test")
    link = mailed_link(outbox, "olga@print-a.test")
    olga = app.test_client()

    answer = accept(olga, link, name, password, confirm)

    assert answer.status_code == 400
    assert message in answer.text
    assert not signed_in(olga)
    assert olga.get(link).status_code == 200
    assert accept(olga, link).status_code == 302


# ------------------------------------------------------------------------------- CSRF
def test_team_forms_and_the_invitation_without_the_csrf_token_are_refused(
    app: Flask, client: FlaskClient, session: Session, world: World, outbox: ConsoleMailer
) -> None:
    operator = add_person(session, world, "op@print-a.test")
    portal_login(client, world.a.user.email)
    forged = {"csrf_token": "forged"}

    answers = [
        client.post("/partners/team/invitations", data={**forged, "email": "x@print-a.test"}),
        client.post(f"/partners/team/{operator.id}/role", data={**forged, "role": "admin"}),
        client.post(f"/partners/team/{operator.id}/deactivate", data=forged),
        client.post(f"/partners/team/{operator.id}/resend", data={}),
    ]

    assert [a.status_code for a in answers] == [400] * 4
    assert person(session, "x@print-a.test") is None
    row = person(session, "op@print-a.test")
    assert row is not None
    assert (row.role, row.is_active) == (PartnerRole.OPERATOR, True)
    invite(client, "olga@print-a.test")
    link = mailed_link(outbox, "olga@print-a.test")
    olga = app.test_client()
    olga.get(link)
    refused = accept(olga, link, csrf="forged")
    assert refused.status_code == 400
    assert not signed_in(olga)
    assert olga.get(link).status_code == 200  # unused


# ------------------------------------------------------------------ merchant-created
def test_a_print_shop_the_merchant_adds_gets_an_invitation_by_e_mail(
    app: Flask, client: FlaskClient, session: Session, outbox: ConsoleMailer
) -> None:
    shop = make_shop(session, name="Mugs & Co", plan="pro")
    session.commit()
    csrf = admin_sign_in(client, shop)

    created = client.post(
        "/api/admin/fulfilment/partners",
        headers={"X-CSRF-Token": csrf},
        json={"kind": "own", "name": "Atelier", "email": "Print@Atelier.test"},
    )

    assert created.status_code == 201
    body = created.get_json()
    assert body["invitation"] == {"email": "print@atelier.test", "sent": True}
    assert body["sign_in"]["temporary_password"]  # still there, for in-house printing
    (message,) = outbox.outbox
    assert message.to == "print@atelier.test"
    assert "Mugs & Co invites you" in message.text
    assert "as an admin" in message.text
    atelier = app.test_client()
    assert accept(atelier, link_in(message), name="Anne Atelier").status_code == 302
    assert atelier.get("/partners/team").status_code == 200  # the first person is admin
    user = person(session, "print@atelier.test")
    assert user is not None
    assert (user.role, user.name) == (PartnerRole.ADMIN, "Anne Atelier")
    temporary = body["sign_in"]["temporary_password"]
    assert portal_login(app.test_client(), user.email, temporary).status_code == 401
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    assert event is not None
    assert (event.action, event.actor_type, event.partner_id) == (
        "team_invited",
        "merchant",
        user.partner_id,
    )


def test_an_invitation_that_cannot_be_mailed_says_so_and_can_be_sent_again(
    client: FlaskClient,
    session: Session,
    world: World,
    outbox: ConsoleMailer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portal_login(client, world.a.user.email)

    def broken(to: str, subject: str, text: str) -> None:
        raise MailError("SMTP server unreachable")

    with monkeypatch.context() as patch:
        patch.setattr("app.partners.invitations.send", broken)
        sent = invite(client, "olga@print-a.test")

    assert sent.status_code == 302
    assert "could not be e-mailed just now" in client.get("/partners/team").text
    invited = person(session, "olga@print-a.test")
    assert invited is not None
    assert post(client, f"/partners/team/{invited.id}/resend").status_code == 302
    assert [m.to for m in outbox.outbox] == ["olga@print-a.test"]
