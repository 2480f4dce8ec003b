"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return str(self.message.get_content())

    def link(self) -> str:
        """The path of the one https://luneo.test link in the message."""
        (path,) = re.findall(r"https://luneo\.test(/\S+)", self.text)
        return str(path)


class _Sink:
    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 OK queued"


class SmtpSink(Controller):
    """aiosmtpd in a thread; ``received`` holds each message, ``connections`` every client."""

    def __init__(self, port: int) -> None:
        self.sink = _Sink()
        self._lock = threading.Lock()
        self._connections = 0
        super().__init__(self.sink, hostname="127.0.0.1", port=port)

    def factory(self) -> SMTP:
        with self._lock:
            self._connections += 1
        return super().factory()  # type: ignore[no-any-return]

    def start(self) -> None:
        super().start()
        with self._lock:
            self._connections = 0  # start() itself connects once to check the server is up

    @property
    def received(self) -> list[Received]:
        return self.sink.received

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections


def free_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_sink(port: int | None = None) -> Iterator[SmtpSink]:
    server = SmtpSink(port or free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def smtp_settings(port: int) -> dict[str, Any]:
    """Settings that send Luneo's mail, queued (the SMTP default), to 127.0.0.1:``port``."""
    return {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 5,
        "MAIL_FROM": "Luneo <no-reply@luneo.test>",
    }
