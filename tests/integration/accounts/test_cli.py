"""`luneo users create-owner` gives a shop connected from the command line its owner."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.cli import register_user_commands
from app.models import Membership, Role, User
from tests.factories import make_shop


def test_create_owner_makes_a_verified_account_and_membership(app: Flask, session: Session) -> None:
    shop = make_shop(session, domain="shop.test")
    session.commit()
    register_user_commands(app.cli)

    result = app.test_cli_runner().invoke(
        args=["users", "create-owner", "Ann@Shop.test", "--shop", "shop.test"]
    )

    assert result.exit_code == 0, result.output
    assert "Generated password (shown once):" in result.output
    session.expire_all()
    user = session.scalars(select(User).where(User.email == "ann@shop.test")).one()
    assert user.is_verified
    member = session.scalars(select(Membership).where(Membership.user_id == user.id)).one()
    assert (member.shop_id, member.role) == (shop.id, Role.OWNER)
    listed = app.test_cli_runner().invoke(args=["users", "list"])
    assert "ann@shop.test  verified  shop.test (owner)" in listed.output


def test_create_owner_for_an_unknown_shop_fails(app: Flask, session: Session) -> None:
    register_user_commands(app.cli)

    result = app.test_cli_runner().invoke(
        args=["users", "create-owner", "ann@shop.test", "--shop", "nope.test"]
    )

    assert result.exit_code != 0
    assert "no shop with domain nope.test" in result.output
    assert session.scalars(select(User)).first() is None
