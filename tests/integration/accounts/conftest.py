"""Luneo accounts through the real app: a helper that signs up, reads mail and signs in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.accounts.mailer import ConsoleMailer, Message
from app.accounts.passwords import hash_password
from app.db import utcnow
from app.models import Membership, Role, Shop, User

PASSWORD = "correct horse battery staple"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'<meta name="luneo-csrf" content="([^"]+)">', html
    )
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


def link_in(message: Message) -> str:
    """The path of the one https://luneo.test link in an e-mail."""
    (url,) = re.findall(r"https://luneo\.test(/\S+)", message.text)
    return str(url)


@dataclass
class Browser:
    """One person's browser: a test client with its cookies, and the app's outbox."""

    client: FlaskClient
    outbox: ConsoleMailer

    def csrf(self, path: str = "/account/sign-in") -> str:
        return csrf_of(self.client.get(path).text)

    def post_form(
        self, path: str, data: dict[str, Any], csrf_from: str | None = None
    ) -> TestResponse:
        token = self.csrf(csrf_from or path)
        return self.client.post(path, data={**data, "csrf_token": token})

    def sign_up(self, email: str, password: str = PASSWORD) -> TestResponse:
        return self.post_form("/account/sign-up", {"email": email, "password": password})

    def sign_in(self, email: str, password: str = PASSWORD) -> TestResponse:
        return self.post_form("/account/sign-in", {"email": email, "password": password})

    def sign_out(self) -> TestResponse:
        return self.post_form("/account/sign-out", {}, csrf_from="/account/stores")

    def last_mail_to(self, email: str) -> Message:
        return [m for m in self.outbox.outbox if m.to == email][-1]


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


@pytest.fixture
def browser(client: FlaskClient, outbox: ConsoleMailer) -> Browser:
    return Browser(client, outbox)


@pytest.fixture
def other_browser(app: Flask, outbox: ConsoleMailer) -> Browser:
    return Browser(app.test_client(), outbox)


def make_user(session: Session, email: str, *, verified: bool = True) -> User:
    user = User(
        email=email,
        password_hash=hash_password(PASSWORD),
        email_verified_at=utcnow() if verified else None,
    )
    session.add(user)
    session.flush()
    return user


def make_member(session: Session, user: User, shop: Shop, role: Role = Role.OWNER) -> Membership:
    row = Membership(user_id=user.id, shop_id=shop.id, role=role)
    session.add(row)
    session.flush()
    return row
