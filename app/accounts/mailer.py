"""Outgoing e-mail behind one small interface: SMTP in production, the console elsewhere.

``MAIL_BACKEND`` picks the transport (``smtp`` or ``console``; default ``console`` in development
and testing, ``smtp`` in production). The console mailer logs each message and keeps the last
ones in memory, so a developer (or a test) can open the link it carries.

``MAIL_DELIVERY`` says when the transport is used: ``queue`` (the default with SMTP) wraps it in
a ``QueuedMailer``, which only hands each message to a job that a worker delivers, with retries
(``app.accounts.mail_delivery``); ``inline`` (the default with the console) sends inside the
caller, as it returns.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import deque
from collections.abc import Callable, Mapping
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


class QueuedMailer:
    """Hands each message to ``hand_off`` (a job on the queue); a worker sends it by ``transport``.

    ``send`` never talks to the mail server, so it neither waits for it nor raises ``MailError``.
    """

    def __init__(self, transport: Mailer, hand_off: Callable[[Message], None]) -> None:
        self.transport = transport
        self.hand_off = hand_off

    def send(self, message: Message) -> None:
        self.hand_off(message)


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


def transport_from_config(config: Mapping[str, Any], backend: str) -> Mailer:
    """The ``console`` or ``smtp`` transport, from the mail settings."""
    sender = str(config["MAIL_FROM"] or "Luneo <no-reply@luneo.app>")
    if backend == "console":
        return ConsoleMailer(sender)
    settings = SmtpSettings(
        host=str(config["SMTP_HOST"] or "localhost"),
        port=int(config["SMTP_PORT"] or 587),
        username=config["SMTP_USERNAME"] or None,
        password=config["SMTP_PASSWORD"] or None,
        security=str(config["SMTP_SECURITY"] or "starttls"),
        timeout=float(config["SMTP_TIMEOUT"] or 10),
    )
    return SmtpMailer(settings, sender)
