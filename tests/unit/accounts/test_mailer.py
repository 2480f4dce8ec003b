"""The mailers: SMTP through a small local SMTP server, and the console outbox."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes

import pytest

from app.accounts.mail_delivery import mailer_from_config
from app.accounts.mailer import (
    ConsoleMailer,
    MailError,
    Message,
    QueuedMailer,
    SmtpMailer,
    SmtpSettings,
)
from app.config import defaults


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Enough of RFC 5321 for one message: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: SmtpServer = self.server  # type: ignore[assignment]
        self._reply("220 mail.test ESMTP")
        while raw := self.rfile.readline():
            command = raw.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-mail.test\r\n250 AUTH PLAIN\r\n")
            elif verb == "AUTH":
                server.auth.append(command)
                self._reply("235 2.7.0 Authentication successful")
            elif verb in ("MAIL", "RCPT"):
                server.envelope.append(command)
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (line := self.rfile.readline()) != b".\r\n":
                    lines.append(line)
                server.messages.append(b"".join(lines))
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("250 OK")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[bytes] = []
        self.envelope: list[str] = []
        self.auth: list[str] = []


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_mailer_delivers_a_plain_text_message(smtp_server: SmtpServer) -> None:
    config = {
        "ENV": "production",
        "MAIL_DELIVERY": "inline",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.server_address[1],
        "SMTP_SECURITY": "none",
        "SMTP_USERNAME": "luneo",
        "SMTP_PASSWORD": "app-password",
        "MAIL_FROM": "Luneo <no-reply@luneo.test>",
    }
    mailer = mailer_from_config({**defaults(), **config})
    assert isinstance(mailer, SmtpMailer)

    mailer.send(Message("ann@shop.test", "Confirm your address", "Open https://luneo.test/x"))

    (raw,) = smtp_server.messages
    parsed = message_from_bytes(raw)
    assert (parsed["To"], parsed["Subject"]) == ("ann@shop.test", "Confirm your address")
    assert parsed["From"] == "Luneo <no-reply@luneo.test>"
    assert "https://luneo.test/x" in parsed.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert [line.upper() for line in smtp_server.envelope] == [
        "MAIL FROM:<NO-REPLY@LUNEO.TEST>",
        "RCPT TO:<ANN@SHOP.TEST>",
    ]
    assert len(smtp_server.auth) == 1


def test_smtp_mailer_reports_an_unreachable_server() -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    mailer = SmtpMailer(
        SmtpSettings("127.0.0.1", port, None, None, "none", 2), "Luneo <no-reply@luneo.test>"
    )

    with pytest.raises(MailError):
        mailer.send(Message("ann@shop.test", "Hi", "Hello"))


def test_console_mailer_is_the_default_outside_production_and_keeps_messages() -> None:
    mailer = mailer_from_config({**defaults(), "ENV": "development"})
    assert isinstance(mailer, ConsoleMailer)

    mailer.send(Message("ann@shop.test", "Hi", "Hello"))

    assert [m.subject for m in mailer.outbox] == ["Hi"]


def test_an_unknown_backend_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        mailer_from_config({**defaults(), "MAIL_BACKEND": "pigeon"})


def test_production_queues_smtp_mail_by_default() -> None:
    handed: list[Message] = []

    mailer = mailer_from_config({**defaults(), "ENV": "production"}, hand_off=handed.append)

    assert isinstance(mailer, QueuedMailer)
    assert isinstance(mailer.transport, SmtpMailer)
    assert mailer.transport.settings.host == "localhost"


def test_smtp_backend_outside_production_is_queued_too() -> None:
    mailer = mailer_from_config({**defaults(), "ENV": "development", "MAIL_BACKEND": "smtp"})

    assert isinstance(mailer, QueuedMailer)


def test_inline_delivery_when_told_sends_through_smtp_directly() -> None:
    mailer = mailer_from_config({**defaults(), "ENV": "production", "MAIL_DELIVERY": "inline"})

    assert isinstance(mailer, SmtpMailer)


def test_the_console_mailer_stays_inline_unless_told_to_queue() -> None:
    assert isinstance(mailer_from_config({**defaults(), "ENV": "testing"}), ConsoleMailer)
    queued = mailer_from_config({**defaults(), "ENV": "testing", "MAIL_DELIVERY": "queue"})
    assert isinstance(queued, QueuedMailer)
    assert isinstance(queued.transport, ConsoleMailer)


def test_the_queued_mailer_hands_messages_off_without_touching_its_transport() -> None:
    handed: list[Message] = []
    transport = ConsoleMailer("Luneo <no-reply@luneo.test>")
    mailer = QueuedMailer(transport, handed.append)
    message = Message("ann@shop.test", "Hi", "Hello")

    mailer.send(message)

    assert handed == [message]
    assert list(transport.outbox) == []


def test_an_unknown_delivery_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="MAIL_DELIVERY"):
        mailer_from_config({**defaults(), "ENV": "production", "MAIL_DELIVERY": "carrier"})
