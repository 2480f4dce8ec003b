"""Proof approval before production (issue #21): the shopper approves the proof of a job whose
template asks for it, and only then is the job handed to its partner.

A template says whether it wants approval (``Template.proof_required``), who sends the proof
(``proof_send``: Luneo as soon as the files are ready, or the merchant from the order page), the
deadline in hours and what happens when it passes (``proof_at_deadline``: keep waiting and tell
the merchant, or produce as is).

The life of a ``Proof`` (one per production job):

* the pipeline makes the job READY and calls :func:`open_for` in the same write: a PENDING
  proof, and with the automatic rule the e-mail queued after that commit
  (``jobs.proofs.send_proof`` → :func:`send_queued`). While a job has a proof that is not
  APPROVED, ``app.fulfilment.routing`` leaves it unrouted (``route_job`` and the housekeeping).
* :func:`send` (the job, or the merchant's *Send proof*, :func:`merchant_send`) starts a new
  round: SENT, the deadline and the reminder time set, the e-mail with a signed link
  (``Purpose.PROOF``, naming the shop, the proof and its round: a link of an earlier round no
  longer opens anything).
* the shopper's page (``app.storefront.proof_page``) opens the link (:func:`open_link`) and
  decides once (:func:`approve`, :func:`request_changes`): a conditional update that only one of
  two racing decisions can win (the other answers 409). Approved: routed and announced to the
  partner, with an audit entry. Changes requested: the comment waits for the merchant on the
  order page and the dashboard; the merchant fixes the design and sends again.
* :func:`sweep` (scheduled every 15 minutes) sends one reminder once 75 % of the time has
  passed, and at the deadline approves automatically or marks the proof EXPIRED (the shopper
  may still decide; the merchant sees it). Each step is a conditional update too, so two
  schedulers running at once never send two reminders or route a job twice.
* :func:`reset_after_edit`: after the design was edited and the job made again, the proof goes
  back to PENDING (and out again by the automatic rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.mailer import Message
from app.api_error import ApiError, LinkInvalid
from app.db import as_utc, utcnow
from app.extensions import get_mailer, get_redis
from app.fulfilment import audit, routing
from app.models import (
    Design,
    FileKind,
    Order,
    OrderItem,
    ProductionFile,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofAtDeadline,
    ProofSend,
    ProofStatus,
    Shop,
    ShopScope,
    StoredFile,
    Template,
)
from app.queue import JobSpec, enqueue_after_commit
from app.ratelimit import Window, hit
from app.signing import Purpose, TokenExpired, TokenInvalid, id_claims, issue
from app.woocommerce.urls import app_url

LINK_TTL = 30 * 24 * 3600  # beyond any deadline: a late shopper still reaches a page that says so
PATH = "/proof/"
REMIND_AT = 0.75  # the share of the deadline after which the one reminder goes out
MAX_COMMENT = 2000
MIN_DEADLINE_HOURS, MAX_DEADLINE_HOURS = 1, 720
SEND_FUNC = "jobs.proofs.send_proof"
# The merchant's "Send proof": at most once a minute and 10 times a day per job.
SEND_WINDOWS = (Window(60, 1), Window(86400, 10))
SEND_MESSAGE = "The proof was sent a moment ago. Wait a minute before sending it again."
OPEN = (ProofStatus.SENT, ProofStatus.EXPIRED)  # the shopper may still decide
SHOPPER = "shopper"
AT_DEADLINE = "deadline"


# ---------------------------------------------------------------- whose proof
def template_of(session: Session, job: ProductionJob) -> Template | None:
    design = session.get(Design, job.design_id) if job.design_id else None
    template_id = design.template_id if design is not None else None
    return session.get(Template, template_id) if template_id else None


def proof_of(session: Session, job_id: int) -> Proof | None:
    return session.scalars(select(Proof).where(Proof.production_job_id == job_id)).first()


def send_spec(proof: Proof) -> JobSpec:
    return JobSpec(
        "default",
        SEND_FUNC,
        (proof.id,),
        job_id=f"proof-mail-{proof.id}",
        description=f"proof e-mail for production job {proof.production_job_id}",
        meta={"shop_id": proof.shop_id},
    )


def open_for(session: Session, job: ProductionJob) -> Proof | None:
    """Called as the job becomes READY: the job's proof when its template asks for one (made
    PENDING the first time), queued to be sent when Luneo sends it. A proof already decided is
    left alone (files made again for a partner's profile need no new approval)."""
    template = template_of(session, job)
    proof = proof_of(session, job.id) if job.id is not None else None
    if proof is None:
        if template is None or not template.proof_required:
            return None
        proof = Proof(shop_id=job.shop_id, production_job_id=job.id)
        session.add(proof)
        session.flush()
    if (
        proof.status is ProofStatus.PENDING
        and template is not None
        and template.proof_send is ProofSend.AUTO
    ):
        enqueue_after_commit(session, get_redis(), send_spec(proof))
    return proof


def reset_after_edit(session: Session, job: ProductionJob) -> Proof | None:
    """After the design of ``job`` was edited (and made again): its proof is PENDING again, and
    goes out again at once when Luneo sends proofs and the files are ready. The caller commits.
    A job already handed to its partner is left as it is (None): the partner has the files."""
    proof = proof_of(session, job.id)
    if proof is None or (proof.status is ProofStatus.APPROVED and job.partner_id is not None):
        return None
    proof.status = ProofStatus.PENDING
    proof.sent_at = proof.deadline_at = proof.remind_at = proof.reminded_at = None
    proof.decided_at = proof.decided_by = None
    template = template_of(session, job)
    ready = job.status is ProductionStatus.READY
    if ready and template is not None and template.proof_send is ProofSend.AUTO:
        enqueue_after_commit(session, get_redis(), send_spec(proof))
    return proof


def awaiting_approval(session: Session, job_id: int) -> bool:
    proof = proof_of(session, job_id)
    return proof is not None and proof.status is not ProofStatus.APPROVED


# ---------------------------------------------------------------- sending
def link_token(secret_key: str, proof: Proof, now: float | None = None) -> str:
    claims = {"shop": proof.shop_id, "proof": proof.id, "round": proof.round}
    return issue(secret_key, Purpose.PROOF, claims, ttl=LINK_TTL, now=now).token


def link_url(config: Mapping[str, Any], token: str) -> str:
    return f"{app_url(config)}{PATH}{token}"


@dataclass(frozen=True)
class Context:
    shop: Shop
    job: ProductionJob
    item: OrderItem
    order: Order
    template: Template | None


def _context(session: Session, proof: Proof) -> Context | None:
    shop = session.get(Shop, proof.shop_id)
    job = session.get(ProductionJob, proof.production_job_id)
    item = session.get(OrderItem, job.order_item_id) if job is not None else None
    if shop is None or job is None or item is None:
        return None
    return Context(shop, job, item, item.order, template_of(session, job))


def _store(shop: Shop) -> str:
    return shop.name or shop.domain


def _day(moment: datetime | None) -> str:
    return as_utc(moment).strftime("%d %B %Y, %H:%M UTC") if moment else ""


def _proof_mail(config: Mapping[str, Any], proof: Proof, ctx: Context, reminder: bool) -> Message:
    url = link_url(config, link_token(str(config["SECRET_KEY"]), proof))
    store, title = _store(ctx.shop), ctx.item.title or "your item"
    first = (
        f"A reminder: the proof of {title} is still waiting for you."
        if reminder
        else f'Before we make "{title}" from your order {ctx.order.name}, please check its proof.'
    )
    waiting = (ctx.template.proof_at_deadline if ctx.template else None) is ProofAtDeadline.WAIT
    after = (
        "We make your item once you approve it."
        if waiting
        else "If we do not hear from you by then, we make it as it is."
    )
    text = (
        f"Hello,\n\n{first}\n\n"
        f"See the proof and approve it, or tell us what to change:\n{url}\n\n"
        f"Please answer by {_day(proof.deadline_at)}. {after}\n\n{store}\n"
    )
    subject = f"Approve the proof of order {ctx.order.name}"
    subject = f"Reminder: {subject[0].lower()}{subject[1:]}" if reminder else subject
    return Message(to=ctx.order.email or "", subject=subject, text=text)


def send(session: Session, config: Mapping[str, Any], proof: Proof, actor: audit.Actor) -> Message:
    """A new round: SENT now, the deadline and the reminder time set; the e-mail to hand to the
    mailer once this is committed. ``ApiError`` 409 when it cannot go out."""
    ctx = _context(session, proof)
    if ctx is None:
        raise ApiError(409, "proof_gone", "This order item no longer exists.")
    if proof.status is ProofStatus.APPROVED:
        raise ApiError(409, "proof_approved", "This proof was approved already.")
    if ctx.job.status is not ProductionStatus.READY:
        raise ApiError(409, "files_not_ready", "The files of this item are not ready yet.")
    if ctx.order.cancelled_at is not None:
        raise ApiError(409, "order_closed", "This order was cancelled.")
    if not ctx.order.email:
        raise ApiError(409, "no_email", "This order has no e-mail address to send the proof to.")
    now = utcnow()
    hours = ctx.template.proof_deadline_hours if ctx.template is not None else 48
    proof.round += 1
    proof.status = ProofStatus.SENT
    proof.sent_at, proof.deadline_at = now, now + timedelta(hours=hours)
    proof.remind_at = now + timedelta(hours=hours * REMIND_AT)
    proof.reminded_at = proof.decided_at = proof.decided_by = None
    proof.comment = None
    session.flush()
    audit.record(
        session,
        actor,
        "proof_sent",
        shop_id=proof.shop_id,
        job_id=proof.production_job_id,
        detail={"round": proof.round, "deadline": proof.deadline_at.isoformat()},
    )
    return _proof_mail(config, proof, ctx, reminder=False)


def send_queued(session: Session, config: Mapping[str, Any], proof_id: int) -> str:
    """The job's work (the automatic rule): send a proof that still waits to go out."""
    proof = session.get(Proof, proof_id)
    if proof is None or proof.status is not ProofStatus.PENDING:
        return "skipped: not pending"
    ctx = _context(session, proof)
    if ctx is None or not ctx.shop.is_installed or not ctx.order.email:
        return "skipped: no shop, order or e-mail"
    try:
        message = send(session, config, proof, audit.SYSTEM)
    except ApiError as exc:
        session.rollback()
        return f"skipped: {exc.code}"
    session.commit()  # the link's round exists before anyone can open it
    get_mailer().send(message)
    return "sent"


def merchant_send(
    scope: ShopScope, config: Mapping[str, Any], job: ProductionJob, actor: audit.Actor
) -> Proof:
    """The merchant's *Send proof* (first time, after changes, or again); rate limited per job;
    the caller commits."""
    proof = proof_of(scope.session, job.id)
    if proof is None:
        template = template_of(scope.session, job)
        if template is None or not template.proof_required or job.status not in routing.ROUTABLE:
            raise ApiError(409, "no_proof", "This item's template does not ask for approval.")
        if job.partner_id is not None:
            raise ApiError(409, "proof_approved", "This item is already with its print shop.")
        proof = Proof(shop_id=job.shop_id, production_job_id=job.id)
        scope.session.add(proof)
        scope.session.flush()
    if proof.status is ProofStatus.APPROVED:
        raise ApiError(409, "proof_approved", "This proof was approved already.")
    message = send(scope.session, config, proof, actor)
    hit(get_redis(), f"proof-send:{job.id}", SEND_WINDOWS, SEND_MESSAGE)
    # The app's mailer queues the delivery after this request's commit.
    get_mailer().send(message)
    return proof


# ---------------------------------------------------------------- the shopper's link
@dataclass(frozen=True)
class ProofLink:
    """What a valid proof token opens."""

    scope: ShopScope
    shop: Shop
    proof: Proof
    job: ProductionJob
    item: OrderItem
    order: Order

    def files(self) -> tuple[StoredFile | None, list[tuple[str, StoredFile]]]:
        """The proof sheet and the previews (per print area) of the job."""
        rows = self.scope.session.scalars(
            select(ProductionFile).where(ProductionFile.production_job_id == self.job.id)
        )
        sheet, previews = None, []
        for row in rows:
            if row.stored_file.kind is FileKind.PROOF_SHEET:
                sheet = row.stored_file
            elif row.format == "preview":
                previews.append((row.area_key, row.stored_file))
        return sheet, sorted(previews, key=lambda p: p[0])


def open_link(session: Session, secret_key: str, token: str, now: float | None = None) -> ProofLink:
    """The proof a token names, in its latest round; ``ApiError`` otherwise (404 unknown or
    forged, 410 expired or replaced by a newer proof)."""
    try:
        claims = id_claims(secret_key, Purpose.PROOF, token, ("shop", "proof", "round"), now=now)
    except TokenExpired:
        raise ApiError(410, "link_expired", "This link has expired. Contact the store.") from None
    except TokenInvalid:
        raise LinkInvalid() from None
    shop = session.get(Shop, claims["shop"])
    if shop is None or not shop.is_installed:
        raise LinkInvalid()
    scope = ShopScope(session, shop.id)
    proof = scope.get(Proof, claims["proof"])
    job = scope.get(ProductionJob, proof.production_job_id) if proof is not None else None
    item = scope.get(OrderItem, job.order_item_id) if job is not None else None
    if proof is None or job is None or item is None:
        raise LinkInvalid()
    if proof.round != claims["round"] or proof.status is ProofStatus.PENDING:
        raise ApiError(
            410, "link_replaced", "The store sent a newer proof: open the link of its e-mail."
        )
    return ProofLink(scope, shop, proof, job, item, item.order)


def _shopper(link: ProofLink, ip: str | None, user_agent: str | None) -> audit.Actor:
    return audit.Actor(SHOPPER, link.order.email, link.order.email or "Shopper", ip, user_agent)


def _decide(link: ProofLink, values: dict[str, Any]) -> None:
    """One decision: only a proof still open in the link's round changes (409 otherwise)."""
    session, proof = link.scope.session, link.proof
    done = session.execute(
        update(Proof)
        .where(Proof.id == proof.id, Proof.round == proof.round, Proof.status.in_(OPEN))
        .values(decided_at=utcnow(), updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.rollback()
        raise ApiError(409, "already_decided", "This proof has been answered already.")
    session.refresh(proof)


def approve(link: ProofLink, ip: str | None = None, user_agent: str | None = None) -> None:
    """The shopper approves: the job goes to its partner now (the caller commits)."""
    _decide(link, {"status": ProofStatus.APPROVED, "decided_by": SHOPPER, "comment": None})
    actor = _shopper(link, ip, user_agent)
    _release(link.scope.session, link.job, actor, "proof_approved", {"round": link.proof.round})


def clean_comment(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ApiError(400, "comment_required", "Tell the store what to change.")
    comment = raw.strip()
    if len(comment) > MAX_COMMENT:
        raise ApiError(400, "comment_too_long", f"Keep the comment under {MAX_COMMENT} characters.")
    return comment


def request_changes(
    link: ProofLink, raw_comment: Any, ip: str | None = None, user_agent: str | None = None
) -> None:
    """The shopper asks for changes: the job keeps waiting, the merchant sees the comment."""
    comment = clean_comment(raw_comment)
    values = {"status": ProofStatus.CHANGES_REQUESTED, "decided_by": SHOPPER, "comment": comment}
    _decide(link, values)
    audit.record(
        link.scope.session,
        _shopper(link, ip, user_agent),
        "proof_changes_requested",
        shop_id=link.shop.id,
        job_id=link.job.id,
        detail={"round": link.proof.round, "comment": comment},
    )


def _release(
    session: Session, job: ProductionJob, actor: audit.Actor, action: str, detail: dict[str, Any]
) -> None:
    """Audit, then route the approved job and tell its partner, as after production."""
    audit.record(session, actor, action, shop_id=job.shop_id, job_id=job.id, detail=detail)
    assignment = routing.route_job(session, job.id)
    if assignment is not None:
        routing.hand_over(session, [assignment])


# ---------------------------------------------------------------- reminders and deadlines
def _claim(session: Session, proof: Proof, condition: Any, values: dict[str, Any]) -> bool:
    """Move ``proof`` if it is still as this run saw it; False when another run got there."""
    done = session.execute(
        update(Proof)
        .where(Proof.id == proof.id, Proof.round == proof.round, condition)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    claimed = getattr(done, "rowcount", 0) == 1
    session.refresh(proof)
    return claimed


def sweep(
    session: Session, config: Mapping[str, Any], now: datetime | None = None
) -> dict[str, int]:
    """Reminders at 75 % of the deadline, and the template's choice at the deadline."""
    now = now or utcnow()
    counts = {"reminded": 0, "approved": 0, "expired": 0}
    due = session.scalars(
        select(Proof).where(
            Proof.status == ProofStatus.SENT,
            Proof.reminded_at.is_(None),
            Proof.remind_at <= now,
            Proof.deadline_at > now,
        )
    ).all()
    for proof in due:
        still = (Proof.status == ProofStatus.SENT) & Proof.reminded_at.is_(None)
        if not _claim(session, proof, still, {"reminded_at": now}):
            continue
        ctx = _context(session, proof)
        if ctx is not None and ctx.order.email and ctx.shop.is_installed:
            get_mailer().send(_proof_mail(config, proof, ctx, reminder=True))
            counts["reminded"] += 1
    late = session.scalars(
        select(Proof).where(Proof.status == ProofStatus.SENT, Proof.deadline_at <= now)
    ).all()
    for proof in late:
        ctx = _context(session, proof)
        if ctx is None:
            continue
        produce = (ctx.template.proof_at_deadline if ctx.template else None) is (
            ProofAtDeadline.PRODUCE
        )
        sent = Proof.status == ProofStatus.SENT
        if produce:
            values = {"status": ProofStatus.APPROVED, "decided_by": AT_DEADLINE, "decided_at": now}
            if _claim(session, proof, sent, values):
                detail = {"round": proof.round, "note": "approved automatically at deadline"}
                _release(session, ctx.job, audit.SYSTEM, "proof_approved_at_deadline", detail)
                session.commit()
                counts["approved"] += 1
        elif _claim(session, proof, sent, {"status": ProofStatus.EXPIRED}):
            audit.record(
                session,
                audit.SYSTEM,
                "proof_deadline_passed",
                shop_id=proof.shop_id,
                job_id=proof.production_job_id,
                detail={"round": proof.round, "note": "still waiting for the shopper"},
            )
            session.commit()
            _tell_merchant(ctx)
            counts["expired"] += 1
    return counts


def _tell_merchant(ctx: Context) -> None:
    if not ctx.shop.email:
        return
    text = (
        f"Hello,\n\nThe shopper of order {ctx.order.name} has not answered the proof of "
        f'"{ctx.item.title or "an item"}" by its deadline. Production keeps waiting for their '
        f"approval; you can send the proof again from the order page in Luneo.\n\nLuneo\n"
    )
    subject = f"Proof of order {ctx.order.name} not answered yet"
    get_mailer().send(Message(to=ctx.shop.email, subject=subject, text=text))
