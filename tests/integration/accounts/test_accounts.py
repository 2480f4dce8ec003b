"""Sign up, verification, sign in/out, password reset, throttling and CSRF on the account forms."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import throttle
from app.accounts.links import RESET_TTL
from app.models import User
from tests.integration.accounts.conftest import PASSWORD, Browser, csrf_of, link_in, make_user


def user_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def get_user(session: Session, email: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.email == email)).one()


# ------------------------------------------------------------------------ sign up
def test_sign_up_stores_an_argon2_hash_signs_in_and_mails_a_verification_link(
    browser: Browser, session: Session, redis: Redis
) -> None:
    answer = browser.sign_up("  Ann@Shop.TEST ", PASSWORD)

    assert (answer.status_code, answer.location) == (302, "/account/verify")
    user = get_user(session, "ann@shop.test")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.email_verified_at is None
    mail = browser.last_mail_to("ann@shop.test")
    assert mail.subject == "Confirm your e-mail address for Luneo"

    page = browser.client.get(link_in(mail))

    assert page.status_code == 302
    assert get_user(session, "ann@shop.test").email_verified_at is not None
    again = browser.client.get(link_in(mail))  # a second click changes nothing
    assert again.status_code == 302


@pytest.mark.parametrize(
    ("_case", "email", "password", "field_message"),
    [
        ("short password", "bob@shop.test", "short", "at least 10"),
        ("password is the address", "bob@shop.test", "bob@shop.test", "cannot be your e-mail"),
        ("not an address", "bob-at-shop", PASSWORD, "valid e-mail"),
        ("taken", "taken@shop.test", PASSWORD, "already exists"),
    ],
)
def test_sign_up_refuses_bad_values_and_creates_nothing(
    browser: Browser,
    session: Session,
    redis: Redis,
    _case: str,
    email: str,
    password: str,
    field_message: str,
) -> None:
    make_user(session, "taken@shop.test")
    session.commit()
    before = user_count(session)

    answer = browser.sign_up(email, password)

    assert answer.status_code == 400
    assert field_message in answer.text
    assert user_count(session) == before
    assert list(browser.outbox.outbox) == []


# -------------------------------------------------------------------- sign in / out
def test_sign_in_rotates_the_session_and_sign_out_ends_it(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    anonymous_token = browser.csrf()

    answer = browser.sign_in("ANN@shop.test")

    assert answer.status_code == 302
    signed_in_token = csrf_of(browser.client.get("/account/stores").text)
    assert signed_in_token != anonymous_token  # a new session, not the one from before
    cookie = browser.client.get_cookie("session", domain="luneo.test")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"

    browser.sign_out()

    assert browser.client.get("/account/stores").status_code == 302
    assert browser.client.get("/admin/").status_code == 401


def test_wrong_password_and_unknown_address_get_the_same_answer(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()

    wrong = browser.sign_in("ann@shop.test", "not the password")
    unknown = browser.sign_in("nobody@shop.test", "not the password")

    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail address or password." in wrong.text
    assert wrong.text.replace("ann@shop.test", "X") == unknown.text.replace("nobody@shop.test", "X")


def test_sign_in_is_throttled_per_account_with_a_retry_after(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    for _ in range(throttle.PER_ACCOUNT):
        assert browser.sign_in("ann@shop.test", "guess " * 3).status_code == 401

    blocked = browser.sign_in("ann@shop.test", PASSWORD)  # even the right password, for now

    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= throttle.WINDOW
    assert "Too many attempts" in blocked.text
    assert browser.client.get("/admin/").status_code == 401
    for key in redis.scan_iter("luneo:ratelimit/throttle:login-account:*"):
        redis.delete(key)  # the window ends
    assert browser.sign_in("ann@shop.test", PASSWORD).status_code == 302


def test_sign_in_is_throttled_per_address_across_accounts(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "victim@shop.test")
    session.commit()
    for n in range(throttle.PER_ADDRESS):
        browser.sign_in(f"user{n}@shop.test", "guess " * 3)

    blocked = browser.sign_in("victim@shop.test", PASSWORD)

    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


@pytest.mark.parametrize(
    ("_case", "path", "data"),
    [
        ("sign in", "/account/sign-in", {"email": "ann@shop.test", "password": PASSWORD}),
        ("sign up", "/account/sign-up", {"email": "new@shop.test", "password": PASSWORD}),
        ("reset", "/account/reset", {"email": "ann@shop.test"}),
    ],
)
@pytest.mark.parametrize("token", ["", "forged-token"])
def test_forms_without_the_session_csrf_token_are_refused(
    browser: Browser,
    session: Session,
    redis: Redis,
    _case: str,
    path: str,
    data: dict[str, str],
    token: str,
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    browser.csrf()  # the session has a token; the forged form does not echo it
    before = user_count(session)

    answer = browser.client.post(path, data={**data, "csrf_token": token})

    assert answer.status_code == 403
    assert user_count(session) == before
    assert list(browser.outbox.outbox) == []
    assert browser.client.get("/admin/").status_code == 401


# ---------------------------------------------------------------------------- reset
def test_reset_answers_the_same_for_unknown_addresses_and_mails_only_real_ones(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()

    known = browser.post_form("/account/reset", {"email": "ann@shop.test"})
    known_page = browser.client.get(known.location).text
    unknown = browser.post_form("/account/reset", {"email": "nobody@shop.test"})
    unknown_page = browser.client.get(unknown.location).text

    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert "If an account exists" in known_page
    assert known_page.count("If an account exists") == unknown_page.count("If an account exists")
    assert [m.to for m in browser.outbox.outbox] == ["ann@shop.test"]


def test_reset_link_sets_the_password_once_and_ends_other_sessions(
    browser: Browser, other_browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    other_browser.sign_in("ann@shop.test")
    browser.post_form("/account/reset", {"email": "ann@shop.test"})
    link = link_in(browser.last_mail_to("ann@shop.test"))

    form = browser.client.get(link)
    answer = browser.client.post(
        link,
        data={
            "csrf_token": csrf_of(form.text),
            "password": "a brand new secret",
            "password_confirm": "a brand new secret",
        },
    )

    assert answer.status_code == 302
    assert browser.client.get("/account/stores").status_code == 200  # signed in by the reset
    assert other_browser.client.get("/account/stores").status_code == 302  # old session ended
    used = browser.client.get(link)
    assert used.status_code == 400
    assert "already been used" in used.text
    browser.sign_out()
    assert browser.sign_in("ann@shop.test", PASSWORD).status_code == 401
    assert browser.sign_in("ann@shop.test", "a brand new secret").status_code == 302


def test_a_completed_reset_invalidates_older_links(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    browser.post_form("/account/reset", {"email": "ann@shop.test"})
    first = link_in(browser.last_mail_to("ann@shop.test"))
    browser.post_form("/account/reset", {"email": "ann@shop.test"})
    second = link_in(browser.last_mail_to("ann@shop.test"))
    token = csrf_of(browser.client.get(second).text)
    browser.client.post(
        second,
        data={
            "csrf_token": token,
            "password": "another new secret",
            "password_confirm": "another new secret",
        },
    )

    assert browser.client.get(first).status_code == 400


def test_reset_link_expires_after_an_hour(
    browser: Browser, session: Session, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    browser.post_form("/account/reset", {"email": "ann@shop.test"})
    link = link_in(browser.last_mail_to("ann@shop.test"))
    later = time.time() + RESET_TTL + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)

    page = browser.client.get(link)

    assert page.status_code == 400
    assert "This link has expired" in page.text


@pytest.mark.parametrize("_case", ["garbage", "verify link used for reset"])
def test_tampered_or_wrong_purpose_links_are_refused(
    browser: Browser, session: Session, redis: Redis, _case: str
) -> None:
    browser.sign_up("ann@shop.test")
    verify = link_in(browser.last_mail_to("ann@shop.test"))
    token = verify.rsplit("/", 1)[1]
    path = "/account/reset/" + ("x" + token[1:] if _case == "garbage" else token)

    assert browser.client.get(path).status_code == 400


def test_unverified_accounts_cannot_connect_a_store(
    browser: Browser, session: Session, redis: Redis
) -> None:
    browser.sign_up("ann@shop.test")

    answer = browser.post_form(
        "/account/stores/connect", {"store_url": "https://shop.test"}, csrf_from="/account/stores"
    )

    assert answer.status_code == 403
    assert "Confirm your e-mail address" in answer.text


@pytest.mark.parametrize("target", ["/\\evil.example", "/%09/evil.example", "/\\/evil.example"])
def test_next_with_a_backslash_or_control_character_stays_on_this_site(
    browser: Browser, session: Session, redis: Redis, target: str
) -> None:
    # /\\evil.example is //evil.example to a browser (issue #15, item 9)
    make_user(session, "ann@shop.test")
    session.commit()
    browser.client.get("/account/sign-in", query_string={"next": target.replace("%09", "\t")})

    answer = browser.sign_in("ann@shop.test")

    assert answer.location == "/admin/"


def test_next_only_goes_to_paths_on_this_site(
    client: FlaskClient, browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    browser.client.get("/account/sign-in?next=//evil.example/steal")

    answer = browser.sign_in("ann@shop.test")

    assert answer.location == "/admin/"
