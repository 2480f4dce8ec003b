"""Luneo accounts: WooCommerce merchants (and their staff) sign in to Luneo's own admin.

Three blueprints, all on the account session: ``accounts`` (sign up/in/out, verification,
reset: open to anyone), ``account_stores`` (connect, switch and disconnect stores) and
``account_team`` (members and invitations). Services without Flask beside them: ``service``,
``links``, ``passwords``, ``memberships``, ``invitations``, ``throttle``, ``mailer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Blueprint, Flask


def blueprints() -> tuple[Blueprint, ...]:
    """Imported on demand, so the services never load a blueprint."""
    from app.accounts import stores, team, views

    return (views.bp, stores.bp, team.bp)


def install(app: Flask) -> None:
    """Register the blueprints and what every template needs to know about the account."""
    from app.accounts.mail_delivery import mailer_from_config
    from app.accounts.web import template_context

    app.extensions["luneo.mailer"] = mailer_from_config(app.config)
    for bp in blueprints():
        app.register_blueprint(bp)
    app.context_processor(template_context)
