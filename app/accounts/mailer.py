"""Outgoing e-mail behind one small interface: SMTP in production, the console elsewhere.

``MAIL_BACKEND`` picks it (``smtp`` or ``console``; default ``console`` in development and
testing, ``smtp`` in production). The console mailer logs each message and keeps the last ones
in memory, so a developer (or a test) can open the link it carries.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

log = logging.getLogger(__name__)

OUTBOX_SIZE = 50


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleMailer:
    """Development and tests: log the message and keep it in ``outbox`` (newest last)."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.outbox: deque[Message] = deque(maxlen=OUTBOX_SIZE)

    def send(self, message: Message) -> None:
        self.outbox.append(message)
        log.info(
            "e-mail (console mailer, not sent)",
            extra={"to": message.to, "subject": message.subject},
        )
        print(f"--- e-mail to {message.to}: {message.subject}\n{message.text}\n---")  # noqa: T201


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    security: str  # "starttls", "ssl" or "none"
    timeout: float


class SmtpMailer:
    """Hands each message to the configured SMTP server (STARTTLS unless told otherwise)."""

    def __init__(self, settings: SmtpSettings, sender: str) -> None:
        self.settings = settings
        self.sender = sender

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.to, message.subject
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        email.set_content(message.text)
        try:
            with self._connect() as client:
                if self.settings.username:
                    client.login(self.settings.username, self.settings.password or "")
                client.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail not sent", extra={"subject": message.subject, "error": str(exc)})
            raise MailError(str(exc)) from exc


def mailer_from_config(config: Mapping[str, Any]) -> Mailer:
    sender = str(config.get("MAIL_FROM") or "Luneo <no-reply@luneo.app>")
    backend = config.get("MAIL_BACKEND") or (
        "smtp" if config.get("ENV") == "production" else "console"
    )
    if backend == "console":
        return ConsoleMailer(sender)
    if backend != "smtp":
        raise ValueError(f"MAIL_BACKEND must be smtp or console, got {backend!r}")
    settings = SmtpSettings(
        host=str(config.get("SMTP_HOST") or "localhost"),
        port=int(config.get("SMTP_PORT") or 587),
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        security=str(config.get("SMTP_SECURITY") or "starttls"),
        timeout=float(config.get("SMTP_TIMEOUT") or 10),
    )
    return SmtpMailer(settings, sender)
