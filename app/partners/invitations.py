"""The invitation e-mail, one text for both ways into a print shop's team: a partner admin
inviting a colleague (``portal_team``) and a merchant adding their own print shop in the admin
(``app.admin.partners``). Either way the link leads to ``/partners/invitation/<token>``, where the
person chooses their name and password, so nobody has to pass a password around.
"""

from __future__ import annotations

import logging

from flask import current_app

from app.accounts.links import INVITE_TTL
from app.accounts.mailer import MailError
from app.accounts.web import external_url, send
from app.fulfilment import team
from app.models import Partner, PartnerRole, PartnerUser

log = logging.getLogger(__name__)
DAYS = INVITE_TTL // (24 * 3600)
ROLE_TEXT = {
    PartnerRole.ADMIN: "an admin (jobs, the team, API keys and the webhook)",
    PartnerRole.OPERATOR: "an operator (jobs, downloads and status reports)",
}


def invitation_link(user: PartnerUser) -> str:
    token = team.invitation_token(str(current_app.config["SECRET_KEY"]), user)
    return external_url("partner_invitation.accept", token=token)


def send_invitation(user: PartnerUser, partner: Partner, invited_by: str) -> bool:
    """Mail the link (after the caller committed the user); False if the mail could not go out,
    so the page can say so and offer to send it again instead of claiming it was sent."""
    link = invitation_link(user)
    try:
        send(
            user.email,
            f"Join {partner.name} on the Luneo partner portal",
            f"{invited_by} invites you to the Luneo partner portal of {partner.name}, as "
            f"{ROLE_TEXT[user.role]}.\n\nChoose your name and password here (the link works "
            f"once, within {DAYS} days):\n\n{link}\n\n"
            "If you did not expect this invitation, ignore this message.\n",
        )
    except MailError:
        log.warning("partner invitation e-mail not sent", extra={"partner_user_id": user.id})
        return False
    return True
