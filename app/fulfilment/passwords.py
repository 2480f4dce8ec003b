"""Partner users sign in with the same Argon2id hashing and policy as merchant accounts
(``app.accounts.passwords``); what is theirs alone is the temporary password a merchant hands over.
"""

from __future__ import annotations

import secrets


def temporary_password() -> str:
    """A password a merchant hands to their print shop, who should change it."""
    return secrets.token_urlsafe(12)
