"""Every owner-only account form, for each role (issue #15, item 5): staff get 403 and nothing
changes; owners get through. The admin API's owner-only writes are in billing/test_roles.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.db import utcnow
from app.models import Membership, Platform, Role, Shop, TeamInvitation
from tests.factories import make_shop
from tests.integration.accounts.conftest import Browser, csrf_of, make_member, make_user


@dataclass(frozen=True)
class Team:
    shop_id: int
    other_member_id: int
    invitation_id: int


@pytest.fixture
def team(session: Session) -> Team:
    shop = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="team.test",
        access_token="cs_" + "c" * 40,
        api_key="ck_" + "d" * 40,
    )
    make_member(session, make_user(session, "owner@team.test"), shop, Role.OWNER)
    make_member(session, make_user(session, "staff@team.test"), shop, Role.STAFF)
    other = make_member(session, make_user(session, "other@team.test"), shop, Role.STAFF)
    invitation = TeamInvitation(
        shop_id=shop.id,
        email="pending@team.test",
        role=Role.STAFF,
        token_digest="0" * 64,
        expires_at=utcnow().replace(year=2099),
    )
    session.add(invitation)
    session.commit()
    return Team(shop.id, other.id, invitation.id)


OWNER_FORMS = [
    ("/account/team/invitations", {"email": "new@evil.test", "role": "owner"}),
    ("/account/team/invitations/{invitation_id}/revoke", {}),
    ("/account/team/members/{other_member_id}/remove", {}),
    ("/account/stores/disconnect", {}),
]


def _state(session: Session, team: Team) -> tuple[object, ...]:
    session.expire_all()
    members = session.scalar(select(func.count()).select_from(Membership))
    invitations = session.scalar(select(func.count()).select_from(TeamInvitation))
    shop = session.get_one(Shop, team.shop_id)
    return members, invitations, shop.is_installed, shop.api_key


def _signed_in(app: Flask, outbox: ConsoleMailer, email: str) -> tuple[Browser, str]:
    browser = Browser(app.test_client(), outbox)
    assert browser.sign_in(email).status_code == 302
    return browser, csrf_of(browser.client.get("/account/team").text)


@pytest.mark.parametrize(("path", "data"), OWNER_FORMS)
def test_staff_cannot_use_any_owner_form(
    app: Flask,
    session: Session,
    redis: Redis,
    outbox: ConsoleMailer,
    team: Team,
    path: str,
    data: dict[str, str],
) -> None:
    staff, token = _signed_in(app, outbox, "staff@team.test")
    before = _state(session, team)

    answer = staff.client.post(
        path.format(invitation_id=team.invitation_id, other_member_id=team.other_member_id),
        data={**data, "csrf_token": token},
    )

    assert answer.status_code == 403
    assert _state(session, team) == before
    assert [m for m in outbox.outbox if m.to == "new@evil.test"] == []


@pytest.mark.parametrize(("path", "data"), OWNER_FORMS)
def test_owners_use_every_owner_form(
    app: Flask,
    session: Session,
    redis: Redis,
    outbox: ConsoleMailer,
    team: Team,
    path: str,
    data: dict[str, str],
) -> None:
    owner, token = _signed_in(app, outbox, "owner@team.test")
    before = _state(session, team)

    answer = owner.client.post(
        path.format(invitation_id=team.invitation_id, other_member_id=team.other_member_id),
        data={**data, "csrf_token": token},
    )

    assert answer.status_code == 302
    assert _state(session, team) != before


def test_staff_cannot_start_a_reconnection_of_their_store(
    app: Flask, session: Session, redis: Redis, outbox: ConsoleMailer, team: Team
) -> None:
    # A reconnect replaces the store's keys: the store's connection is the owners' (README).
    app.extensions["luneo.resolve_host"] = lambda _host, _port: ["23.227.38.65"]  # public
    staff, _ = _signed_in(app, outbox, "staff@team.test")
    before = redis.dbsize()

    answer = staff.post_form(
        "/account/stores/connect", {"store_url": "https://team.test"}, csrf_from="/account/stores"
    )

    assert answer.status_code == 403
    assert "Only the store&#39;s owners can reconnect it." in answer.text
    assert redis.dbsize() == before  # no pending connection was issued
