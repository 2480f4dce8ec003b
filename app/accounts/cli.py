"""`luneo users create-owner EMAIL --shop DOMAIN` and `luneo users list`, for operators.

``create-owner`` gives an existing shop (e.g. connected with ``luneo woo connect``, which has
no account) an owner: the account is created verified if it does not exist (the password is
asked for, or generated and printed once), then made the shop's owner.
Wired into the CLI by ``register_user_commands(cli)`` from app/cli.py.
"""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.accounts import memberships, service
from app.db import utcnow
from app.extensions import get_db
from app.models import Membership, Role, Shop, User


def register_user_commands(cli: click.Group) -> None:
    """Add the ``users`` group to the ``luneo`` command line."""

    @cli.group("users")
    def users() -> None:
        """Luneo accounts (WooCommerce merchants and their teams)."""

    @users.command("create-owner")
    @click.argument("email")
    @click.option(
        "--shop", "domain", required=True, help="the shop's domain, e.g. shop.example.com"
    )
    @click.option("--password", help="the new account's password (default: generated)")
    @with_appcontext
    def create_owner(email: str, domain: str, password: str | None) -> None:
        """Make EMAIL an owner of the shop DOMAIN (creating a verified account if needed)."""
        with get_db().session() as session:
            shop = session.scalars(select(Shop).where(Shop.domain == domain)).first()
            if shop is None:
                raise click.ClickException(f"no shop with domain {domain}")
            try:
                address = service.normalize_email(email)
            except service.AccountError as exc:
                raise click.ClickException(str(exc)) from None
            user = service.find_user(session, address)
            generated = None
            if user is None:
                generated = None if password else secrets.token_urlsafe(12)
                try:
                    user = service.sign_up(session, address, password or generated or "")
                except service.AccountError as exc:
                    raise click.ClickException(str(exc)) from None
                user.email_verified_at = utcnow()
            memberships.add_member(session, user, shop, Role.OWNER)
            session.commit()
        click.echo(f"{address} is an owner of {domain}.")
        if generated:
            click.echo(f"Generated password (shown once): {generated}")

    @users.command("list")
    @with_appcontext
    def list_users() -> None:
        """Every account with its shops and roles."""
        with get_db().session() as session:
            for user in session.scalars(select(User).order_by(User.email)):
                rows = session.scalars(select(Membership).where(Membership.user_id == user.id))
                shops = ", ".join(f"{m.shop.domain} ({m.role.value})" for m in rows) or "no shop"
                state = "verified" if user.is_verified else "unverified"
                click.echo(f"{user.email}  {state}  {shops}")
