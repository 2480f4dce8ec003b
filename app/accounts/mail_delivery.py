"""Account e-mails, delivered by a worker instead of inside the request that wrote them.

``mailer_from_config`` builds the app's mailer: the configured transport (``app.accounts.mailer``)
wrapped in a ``QueuedMailer`` unless delivery is inline. ``enqueue_delivery`` (its hand-off)
turns a message into a job on the ``default`` queue (``jobs.mail.deliver``), after the commit of
whatever the request has written (at once if nothing); ``deliver`` hands it to the transport and
lets ``MailError`` propagate, so RQ retries with backoff (``RETRY_INTERVALS``) and then leaves
the job failed, with the reason logged.

E-mail bodies carry secret links, so the text travels sealed with the app's encryption keys
(RQ logs a failed job's arguments and keeps failed jobs for a week), the job's description is the
subject, and nothing here logs more of a message than its subject.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from rq import get_current_job

from app.accounts.mailer import Mailer, MailError, Message, QueuedMailer, transport_from_config
from app.crypto import keyring
from app.extensions import get_mailer, get_redis, open_session
from app.queue import JobSpec, enqueue, enqueue_when_committed

log = logging.getLogger(__name__)

DELIVER_FUNC = "jobs.mail.deliver"
# 1, 5, 15 and 30 min: a mail server's restart or a greylisting delay, then give up. The last
# try lands within the hour a reset link lives (app.accounts.links.RESET_TTL).
RETRY_INTERVALS = (60, 300, 900, 1800)


class MessageDict(TypedDict):
    """A message as a job argument: plain strings, the text sealed (``app.crypto.keyring``)."""

    to: str
    subject: str
    sealed_text: str


def message_dict(message: Message) -> MessageDict:
    return {
        "to": message.to,
        "subject": message.subject,
        "sealed_text": keyring.encrypt(message.text),
    }


def delivery_spec(message: Message) -> JobSpec:
    return JobSpec(
        "default",
        DELIVER_FUNC,
        (message_dict(message),),
        retries=len(RETRY_INTERVALS),
        retry_intervals=RETRY_INTERVALS,
        description=f"e-mail: {message.subject}",  # RQ logs the description, never the text
    )


def enqueue_delivery(message: Message) -> None:
    """Queue ``message``: after the request's writes commit, or now if it has written nothing."""
    spec = delivery_spec(message)
    session = open_session()
    if session is None:
        enqueue(get_redis(), spec)
    else:
        enqueue_when_committed(session, get_redis(), spec)


def deliver(message: MessageDict) -> str:
    """Send one queued message; a ``MailError`` propagates so RQ retries it with backoff."""
    subject = message["subject"]
    text = keyring.decrypt(message["sealed_text"])
    mailer = get_mailer()
    transport = mailer.transport if isinstance(mailer, QueuedMailer) else mailer
    try:
        transport.send(Message(to=message["to"], subject=subject, text=text))
    except MailError as exc:
        job = get_current_job()
        retries_left = (job.retries_left or 0) if job is not None else 0
        extra = {"subject": subject, "error": str(exc), "retries_left": retries_left}
        if retries_left:
            log.warning("e-mail delivery failed; retrying later", extra=extra)
        else:
            log.error("e-mail delivery failed; giving up", extra=extra)
        raise
    log.info("e-mail delivered", extra={"subject": subject})
    return "sent"


def mailer_from_config(
    config: Mapping[str, Any], hand_off: Callable[[Message], None] = enqueue_delivery
) -> Mailer:
    """The configured transport, wrapped in a ``QueuedMailer`` unless delivery is inline."""
    backend = config["MAIL_BACKEND"] or ("smtp" if config["ENV"] == "production" else "console")
    if backend not in ("smtp", "console"):
        raise ValueError(f"MAIL_BACKEND must be smtp or console, got {backend!r}")
    delivery = config["MAIL_DELIVERY"] or ("queue" if backend == "smtp" else "inline")
    if delivery not in ("queue", "inline"):
        raise ValueError(f"MAIL_DELIVERY must be queue or inline, got {delivery!r}")
    transport = transport_from_config(config, backend)
    return QueuedMailer(transport, hand_off) if delivery == "queue" else transport
