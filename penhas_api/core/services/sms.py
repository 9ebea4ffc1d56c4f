"""Outgoing SMS: every message is a ``sent_sms_log`` row first, then a queued ``send_sms`` task.

The row is the source of truth: ``deliver`` claims it, calls the provider and records the provider's message id.
A row that is ``sent`` is never sent again, so a task that runs twice (redelivery, operator retry, stale sweep)
cannot send twice once the first send was recorded. Retries back off exponentially; a send whose retries run
out stays ``failed`` and is listed by ``penhas jobs failed`` until an operator retries it.
"""
import logging
from datetime import timedelta

from peewee import Case

from penhas_api.core import clock, queue
from penhas_api.core.adapters.sms import get_sms, mask_number
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import SentSms
from penhas_api.core.services import jobs

log = logging.getLogger("penhas.sms")

TASK_NAME = "send_sms"
# A claim older than this belongs to a run that died mid-send (the SNS client gives up well before).
CLAIM_STALE = timedelta(minutes=2)
# Rows still unsent after this long lost their task (worker killed mid-run, Redis restarted or flushed, enqueue
# refused): queue them again. An alert is taken at once by the priority queue and its retries are never more than
# 32 s apart, so two minutes without progress means lost; other kinds may legitimately wait behind bulk work.
STALE_AFTER = timedelta(minutes=15)
STALE_AFTER_ALERT = timedelta(minutes=2)
CLAIMABLE = ("queued", "retrying", "failed")


class SmsBusy(Exception):
    """Another run holds a fresh claim on this row; retrying later finds it sent or stale."""


def log_sms(number: str, text: str, kind: str, priority: int, cliente_id: int | None = None,
            guardiao_id: int | None = None, alert_id: int | None = None, notes: dict | None = None) -> SentSms:
    """Write the log row of an SMS to send (status ``queued``); ``enqueue`` it once the row is committed."""
    now = clock.now()
    return SentSms.create(phonenumber=number, message=text[:2000], notes=notes or {}, created_at=now, kind=kind,
                          priority=priority, status="queued", updated_at=now, cliente=cliente_id,
                          guardiao=guardiao_id, alert=alert_id)


def queue_sms(number: str, text: str, kind: str, priority: int, cliente_id: int | None = None,
              guardiao_id: int | None = None, alert_id: int | None = None, notes: dict | None = None) -> SentSms:
    """Write the log row, then enqueue its send. Call outside a transaction: the worker must see the row."""
    row = log_sms(number, text, kind, priority, cliente_id=cliente_id, guardiao_id=guardiao_id, alert_id=alert_id,
                  notes=notes)
    enqueue(row.id, priority)
    return row


def enqueue(log_id: int, priority: int) -> None:
    try:
        queue.enqueue(TASK_NAME, log_id, priority=priority)
    except Exception as exc:
        # Queue unreachable (Redis down or restarting). The row stays `queued`, so `requeue_stale` sends it once
        # the queue is back, with no operator needed; the failed job makes the problem visible meanwhile.
        error = f"enqueue failed: {exc.__class__.__name__}"
        log.error("sms %s not queued: %s", log_id, error)
        SentSms.update(last_error=error, updated_at=clock.now()).where(SentSms.id == log_id).execute()
        if not jobs.is_failed(TASK_NAME, [log_id]):
            jobs.record_failure(TASK_NAME, [log_id], error, priority=priority)


def deliver(log_id: int, final: bool = True) -> str:
    """Send one logged SMS unless it was already sent; returns the row's status afterwards.

    ``final`` says this is the last automatic attempt: a failure then leaves the row ``failed`` (else
    ``retrying``). Provider errors are re-raised so the queue retries.
    """
    now = clock.now()
    claimable = SentSms.status.in_(CLAIMABLE) | ((SentSms.status == "sending") & (SentSms.updated_at < now - CLAIM_STALE))
    claimed = (SentSms.update(status="sending", attempts=SentSms.attempts + 1, updated_at=now)
               .where((SentSms.id == log_id) & claimable).execute())
    if not claimed:
        row = SentSms.get_or_none(SentSms.id == log_id)
        if row is None:  # the user was deleted meanwhile: nothing left to send
            return "gone"
        if row.status == "sent":
            return "sent"
        raise SmsBusy(f"sms {log_id} is being sent by another run")
    row = SentSms.get_by_id(log_id)
    try:
        message_id = get_sms().send(row.phonenumber, row.message)
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:500]
        SentSms.update(status="failed" if final else "retrying", last_error=error, updated_at=clock.now()).where(
            SentSms.id == log_id).execute()
        log.warning("sms %s to %s failed (attempt %s%s): %s", log_id, mask_number(row.phonenumber), row.attempts,
                    ", giving up" if final else "", error)
        raise
    done = clock.now()
    SentSms.update(status="sent", sns_message_id=str(message_id)[:200], sent_at=done, updated_at=done,
                   last_error=None).where(SentSms.id == log_id).execute()
    if row.last_error:
        # Sent after a trouble (by the sweep, a duplicate task or an operator): `jobs failed` must not keep
        # listing it as something to retry.
        jobs.resolve(TASK_NAME, [log_id])
    return "sent"


def requeue_stale() -> int:
    """Queue again rows whose task was lost (status never moved on); the claim keeps this from double sends."""
    now = clock.now()
    stale = (SentSms.updated_at < now - STALE_AFTER) | (
        (SentSms.kind == "alert") & (SentSms.updated_at < now - STALE_AFTER_ALERT))
    rows = list(SentSms.select(SentSms.id, SentSms.priority).where(
        SentSms.status.in_(("queued", "sending", "retrying")) & stale).order_by(SentSms.priority.desc(), SentSms.id))
    for row in rows:
        # A claim this old is dead (CLAIM_STALE is 2 minutes): release it so the new task may claim the row.
        SentSms.update(status=Case(None, [(SentSms.status == "sending", "retrying")], SentSms.status),
                       updated_at=clock.now()).where(SentSms.id == row.id).execute()
        enqueue(row.id, row.priority)
    return len(rows)


def list_sms(failed_only: bool = False, to: str | None = None, limit: int = 50, before_id: int | None = None,
             show_numbers: bool = False, actor: str | None = None) -> list[SentSms]:
    """Operator listing, newest first; showing the full numbers (``show_numbers``) is audited."""
    query = SentSms.select()
    if failed_only:
        query = query.where(SentSms.status == "failed")
    if to:
        from penhas_api.core.services.phones import parse_mobile

        query = query.where(SentSms.phonenumber == parse_mobile(to, field="to").e164)
    if before_id is not None:
        query = query.where(SentSms.id < before_id)
    rows = list(query.order_by(SentSms.id.desc()).limit(limit))
    if show_numbers:
        audit("sms.list.show_numbers", "sent_sms_log", None, actor=actor, rows=len(rows))
    return rows


def send_test(number: str) -> SentSms:
    """Send a test SMS now, through the same log row and provider call as real messages."""
    from penhas_api.core.services.phones import parse_mobile

    e164 = parse_mobile(number, field="number").e164
    now = clock.now()
    row = SentSms.create(phonenumber=e164, message="PenhaS: mensagem de teste.", notes={}, created_at=now,
                         kind="test", priority=queue.PRIORITY_DEFAULT, status="queued", updated_at=now)
    audit("sms.send_test", "sent_sms_log", row.id, to=mask_number(e164))
    try:
        deliver(row.id, final=True)
    except Exception as exc:
        raise PenhasError("sms_failed", f"O envio falhou: {exc.__class__.__name__}: {exc}"[:300], 502) from None
    return SentSms.get_by_id(row.id)
