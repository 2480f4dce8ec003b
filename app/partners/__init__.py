"""Fulfilment partners' two trust surfaces: the portal (people, cookie session + CSRF) and the
JSON API (machines, Bearer API keys). Both only ever show the signed-in partner's own jobs.
"""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from app.partners.api import bp as api_bp
    from app.partners.portal import bp as portal_bp
    from app.partners.portal_invitation import bp as invitation_bp
    from app.partners.portal_reset import bp as reset_bp
    from app.partners.portal_team import bp as team_bp

    return [portal_bp, reset_bp, team_bp, invitation_bp, api_bp]
