"""Partner portal sign-in hardening: throttling, the forgotten-password link, and sessions that
end when the password changes."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.accounts import throttle
from app.accounts.links import RESET_TTL, make_token
from app.accounts.mailer import ConsoleMailer
from app.accounts.passwords import verify_password
from app.models import AuditEvent, PartnerUser, User
from app.signing import Purpose

from .conftest import PASSWORD, World, csrf_of, link_in, portal_login

NEW_PASSWORD = "a fresh long secret"


def signed_in(client: FlaskClient) -> bool:
    return client.get("/partners/").status_code == 200


def current_hash(session: Session, user_id: int) -> str:
    session.expire_all()
    return session.get_one(PartnerUser, user_id).password_hash


def ask_for_link(client: FlaskClient, email: str, token: str | None = None) -> TestResponse:
    csrf = token if token is not None else csrf_of(client, "/partners/reset")
    return client.post("/partners/reset", data={"csrf_token": csrf, "email": email})


def choose(
    client: FlaskClient, link: str, password: str, confirm: str | None = None
) -> TestResponse:
    return client.post(
        link,
        data={
            "csrf_token": csrf_of(client, "/partners/reset"),
            "password": password,
            "password_confirm": password if confirm is None else confirm,
        },
    )


def mailed_link(client: FlaskClient, outbox: ConsoleMailer, email: str) -> str:
    ask_for_link(client, email)
    return link_in([m for m in outbox.outbox if m.to == email][-1])


# ------------------------------------------------------------------------- throttling
def test_sign_in_is_throttled_per_account_and_then_refuses_the_right_password(
    app: Flask, client: FlaskClient, world: World, redis: Redis
) -> None:
    email = world.a.user.email
    for _ in range(throttle.PER_ACCOUNT):
        assert portal_login(client, email, "guess guess guess").status_code == 401

    blocked = portal_login(client, email)  # even the right password, for now

    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= throttle.WINDOW
    assert "Too many attempts. Try again in 15 minutes." in blocked.get_data(as_text=True)
    assert not signed_in(client)
    other = app.test_client()  # another account from the same address is not blocked
    assert portal_login(other, world.b.user.email).status_code == 302
    for key in redis.scan_iter("luneo:ratelimit/throttle:partner-login-account:*"):
        redis.delete(key)  # the window ends
    assert portal_login(client, email).status_code == 302


def test_sign_in_is_throttled_per_address_across_accounts(
    client: FlaskClient, world: World, redis: Redis
) -> None:
    for n in range(throttle.PER_ADDRESS):
        portal_login(client, f"user{n}@print.test", "guess guess guess")

    blocked = portal_login(client, world.a.user.email)

    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert not signed_in(client)


def test_a_successful_sign_in_clears_the_accounts_count(
    client: FlaskClient, world: World, redis: Redis
) -> None:
    email = world.a.user.email
    for _ in range(throttle.PER_ACCOUNT - 1):
        portal_login(client, email, "guess guess guess")
    assert portal_login(client, email).status_code == 302
    client.post("/partners/logout", data={"csrf_token": csrf_of(client)})

    for _ in range(throttle.PER_ACCOUNT - 1):
        portal_login(client, email, "guess guess guess")

    assert portal_login(client, email).status_code == 302


def test_a_merchant_accounts_failures_do_not_block_the_partner_with_that_address(
    client: FlaskClient, world: World, redis: Redis
) -> None:
    for _ in range(throttle.PER_ACCOUNT):
        throttle.hit(redis, throttle.LOGIN_ACCOUNT, world.a.user.email)

    assert portal_login(client, world.a.user.email).status_code == 302


# ---------------------------------------------------------------------- reset request
def test_the_login_page_links_to_the_reset_form(client: FlaskClient) -> None:
    page = client.get("/partners/login").get_data(as_text=True)

    assert 'href="/partners/reset">Forgot your password?</a>' in page


def test_reset_answers_the_same_for_unknown_addresses_and_mails_only_real_ones(
    client: FlaskClient, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    known = ask_for_link(client, world.a.user.email.upper())
    known_page = client.get("/partners/login").get_data(as_text=True)
    unknown = ask_for_link(client, "nobody@print.test")
    unknown_page = client.get("/partners/login").get_data(as_text=True)

    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location == "/partners/login"
    assert known_page == unknown_page
    assert "If a partner account exists for that address" in known_page
    assert [m.to for m in outbox.outbox] == [world.a.user.email]
    (message,) = outbox.outbox
    assert link_in(message).startswith("/partners/reset/")
    assert "works once, within an hour" in message.text


@pytest.mark.parametrize("_case", ["user deactivated", "partner deactivated"])
def test_inactive_people_get_the_same_answer_and_no_mail(
    client: FlaskClient,
    session: Session,
    world: World,
    redis: Redis,
    outbox: ConsoleMailer,
    _case: str,
) -> None:
    if _case == "user deactivated":
        world.a.user.is_active = False
    else:
        world.a.partner.is_active = False
    session.commit()

    answer = ask_for_link(client, world.a.user.email)

    assert answer.status_code == 302
    assert "If a partner account exists" in client.get("/partners/login").get_data(as_text=True)
    assert list(outbox.outbox) == []


def test_reset_requests_are_throttled_per_address(
    client: FlaskClient, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    for _ in range(throttle.PARTNER_RESET_ACCOUNT.limit):
        assert ask_for_link(client, world.a.user.email).status_code == 302

    blocked = ask_for_link(client, world.a.user.email)

    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert len(outbox.outbox) == throttle.PARTNER_RESET_ACCOUNT.limit


def test_a_reset_request_without_the_csrf_token_sends_nothing(
    client: FlaskClient, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    csrf_of(client, "/partners/reset")  # the session has a token; the forged form does not

    answer = ask_for_link(client, world.a.user.email, token="forged")

    assert answer.status_code == 400
    assert list(outbox.outbox) == []


# ------------------------------------------------------------------------ reset link
def test_the_reset_link_sets_the_password_once_and_signs_in(
    client: FlaskClient, session: Session, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    link = mailed_link(client, outbox, world.a.user.email)

    form = client.get(link)
    done = choose(client, link, NEW_PASSWORD)

    assert form.status_code == 200
    assert 'name="password_confirm"' in form.get_data(as_text=True)
    assert done.status_code == 302
    assert done.location == "/partners/"
    assert signed_in(client)
    assert verify_password(current_hash(session, world.a.user.id), NEW_PASSWORD)
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.partner_id, event.actor_type, event.actor_id) == (
        "password_reset",
        world.a.partner.id,
        "partner_user",
        str(world.a.user.id),
    )
    used = client.get(link)
    assert used.status_code == 400
    assert "already been used" in used.get_data(as_text=True)
    again = choose(client, link, "yet another long secret")
    assert again.status_code == 400
    assert verify_password(current_hash(session, world.a.user.id), NEW_PASSWORD)
    client.post("/partners/logout", data={"csrf_token": csrf_of(client)})
    assert portal_login(client, world.a.user.email).status_code == 401
    assert portal_login(client, world.a.user.email, NEW_PASSWORD).status_code == 302


def test_the_reset_link_expires_after_an_hour(
    client: FlaskClient,
    session: Session,
    world: World,
    redis: Redis,
    outbox: ConsoleMailer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = mailed_link(client, outbox, world.a.user.email)
    before = current_hash(session, world.a.user.id)
    later = time.time() + RESET_TTL + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)

    page = client.get(link)
    posted = choose(client, link, NEW_PASSWORD)

    assert page.status_code == 400
    assert "This link has expired" in page.get_data(as_text=True)
    assert posted.status_code == 400
    assert current_hash(session, world.a.user.id) == before


def test_a_merchant_reset_token_for_the_same_id_is_refused(
    app: Flask, client: FlaskClient, session: Session, world: World, redis: Redis
) -> None:
    user = world.a.user
    before = current_hash(session, user.id)
    merchant = User(id=user.id, email=user.email, password_hash=user.password_hash, auth_epoch=0)
    token = make_token(app.config["SECRET_KEY"], merchant, Purpose.RESET_PASSWORD)

    page = client.get(f"/partners/reset/{token}")
    posted = choose(client, f"/partners/reset/{token}", NEW_PASSWORD)

    assert page.status_code == 400
    assert "This link is not valid." in page.get_data(as_text=True)
    assert posted.status_code == 400
    assert current_hash(session, user.id) == before
    assert not signed_in(client)


def test_a_partner_reset_link_does_not_open_a_merchant_reset(
    client: FlaskClient, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    token = mailed_link(client, outbox, world.a.user.email).rsplit("/", 1)[1]

    assert client.get(f"/account/reset/{token}").status_code == 400


@pytest.mark.parametrize(
    ("_case", "password", "confirm", "message"),
    [
        ("too short", "short", "short", "Use at least 10 characters."),
        ("the e-mail address", "a@print-a.test", "a@print-a.test", "cannot be your e-mail"),
        ("repetitive", "aaaaaaaaaaaa", "aaaaaaaaaaaa", "less repetitive"),
        ("entries differ", NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ."),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_and_nothing_changes(
    client: FlaskClient,
    session: Session,
    world: World,
    redis: Redis,
    outbox: ConsoleMailer,
    _case: str,
    password: str,
    confirm: str,
    message: str,
) -> None:
    link = mailed_link(client, outbox, world.a.user.email)
    before = current_hash(session, world.a.user.id)

    answer = choose(client, link, password, confirm)

    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert current_hash(session, world.a.user.id) == before
    assert not signed_in(client)
    assert session.scalars(select(AuditEvent)).all() == []
    assert client.get(link).status_code == 200  # the link still works


def test_choosing_a_password_without_the_csrf_token_changes_nothing(
    client: FlaskClient, session: Session, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    link = mailed_link(client, outbox, world.a.user.email)
    before = current_hash(session, world.a.user.id)

    answer = client.post(
        link,
        data={"csrf_token": "forged", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )

    assert answer.status_code == 400
    assert current_hash(session, world.a.user.id) == before
    assert not signed_in(client)


def test_a_link_for_someone_deactivated_since_is_refused(
    client: FlaskClient, session: Session, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    link = mailed_link(client, outbox, world.a.user.email)
    world.a.user.is_active = False
    session.commit()

    page = client.get(link)

    assert page.status_code == 400
    assert "no longer valid" in page.get_data(as_text=True)


# --------------------------------------------------------------------------- sessions
def test_changing_the_password_ends_other_sessions_but_not_this_one(
    app: Flask, client: FlaskClient, session: Session, world: World, redis: Redis
) -> None:
    stolen = app.test_client()
    portal_login(stolen, world.a.user.email)
    portal_login(client, world.a.user.email)
    assert signed_in(stolen)

    changed = client.post(
        "/partners/password",
        data={
            "csrf_token": csrf_of(client, "/partners/password"),
            "current": PASSWORD,
            "new": NEW_PASSWORD,
        },
    )

    assert changed.status_code == 302
    assert signed_in(client)
    older = stolen.get("/partners/")
    assert older.status_code == 302
    assert older.headers["Location"].startswith("/partners/login")
    assert not signed_in(stolen)  # dropped for good, not just for one request


def test_a_reset_ends_every_other_session(
    app: Flask, client: FlaskClient, world: World, redis: Redis, outbox: ConsoleMailer
) -> None:
    stolen = app.test_client()
    portal_login(stolen, world.a.user.email)
    link = mailed_link(client, outbox, world.a.user.email)

    choose(client, link, NEW_PASSWORD)

    assert signed_in(client)
    assert not signed_in(stolen)


def test_a_session_without_a_password_stamp_is_signed_out(
    client: FlaskClient, world: World, redis: Redis
) -> None:
    with client.session_transaction() as cookie:
        cookie["partner_user_id"] = world.a.user.id  # as sessions were before the stamp

    assert not signed_in(client)


def test_a_cookie_copied_before_logout_does_not_work_after_it(
    app: Flask, client: FlaskClient, world: World, redis: Redis
) -> None:
    # issue #15, item 7: logging out ends the session on the server, not only in this browser
    portal_login(client, world.a.user.email)
    cookie = client.get_cookie("session", domain="luneo.test")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain="luneo.test")
    assert signed_in(thief)

    client.post("/partners/logout", data={"csrf_token": csrf_of(client, "/partners/")})

    assert not signed_in(client)
    assert not signed_in(thief)
    portal_login(client, world.a.user.email)
    assert signed_in(client)  # signing in again works
