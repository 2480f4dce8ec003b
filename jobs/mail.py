"""The e-mail job: ``deliver`` one queued account e-mail (``app.accounts.mail_delivery``).

Its dotted path (``jobs.mail.deliver``) is stored with every queued message: the name stays.
"""

from __future__ import annotations

from app.accounts import mail_delivery
from app.accounts.mail_delivery import MessageDict


def deliver(message: MessageDict) -> str:
    """Send one queued message; a ``MailError`` propagates so RQ retries it with backoff."""
    return mail_delivery.deliver(message)
