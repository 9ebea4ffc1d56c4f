"""SMS delivery rules: log row first, one send per row, claims, lost tasks, a queue that refuses the enqueue."""
from contextlib import contextmanager

import pytest
from huey.storage import PriorityRedisStorage

from penhas_api.core import clock
from penhas_api.core.adapters.sms import SmsError
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import FailedJob, SentSms
from penhas_api.core.services import jobs, sms
from penhas_api.core.services.guardians import alert_sms_text, invite_sms_text, unaccent
from penhas_api.core.queue import PRIORITY_ALERT, huey
from tasks.base import PERIODIC_JOBS
from tests.sms_helpers import closed_port_url, run_scheduled_retries, sms_provider


def new_row(status="queued", kind="alert", priority=PRIORITY_ALERT, **extra):
    now = clock.now()
    return SentSms.create(phonenumber="+5511912341234", message="oi", notes={}, created_at=now, kind=kind,
                          priority=priority, status=status, updated_at=now, **extra)


def test_a_sent_row_is_never_sent_again(db):
    row = new_row()
    assert sms.deliver(row.id) == "sent"
    first = SentSms.get_by_id(row.id)
    assert sms.deliver(row.id) == "sent"
    again = SentSms.get_by_id(row.id)
    assert (again.attempts, again.sns_message_id) == (1, first.sns_message_id)


def test_a_fresh_claim_makes_a_duplicate_run_wait_and_a_stale_one_is_taken_over(db, frozen_clock):
    row = new_row(status="sending", attempts=1)
    with pytest.raises(sms.SmsBusy):
        sms.deliver(row.id)
    frozen_clock.advance(minutes=3)
    assert sms.deliver(row.id) == "sent"
    assert SentSms.get_by_id(row.id).attempts == 2


def test_rows_of_a_deleted_user_are_skipped(db):
    assert sms.deliver(987654) == "gone"


def test_failure_marks_retrying_then_failed_on_the_last_attempt(db):
    row = new_row()
    with sms_provider("sns", closed_port_url()):
        with pytest.raises(SmsError):
            sms.deliver(row.id, final=False)
        assert SentSms.get_by_id(row.id).status == "retrying"
        with pytest.raises(SmsError):
            sms.deliver(row.id, final=True)
    row = SentSms.get_by_id(row.id)
    assert (row.status, row.attempts) == ("failed", 2) and "EndpointConnectionError" in row.last_error


def test_retries_of_the_task_stop_at_the_first_success(db):
    with sms_provider("sns", closed_port_url()):
        row = sms.queue_sms("+5511912341234", "oi", "alert", PRIORITY_ALERT)
        assert SentSms.get_by_id(row.id).status == "retrying"
    # The provider is back before the first retry falls due.
    assert run_scheduled_retries() == [2]
    row = SentSms.get_by_id(row.id)
    assert (row.status, row.attempts) == ("sent", 2) and FailedJob.select().count() == 0


@contextmanager
def queue_down():
    """The queue refuses every enqueue, as while Redis is down or restarting."""
    huey.immediate = False
    huey.storage = PriorityRedisStorage("penhas-down", url="redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        huey.immediate = True  # back to the tests' queue (immediate mode rebuilds its storage)


def test_a_queue_that_refuses_the_enqueue_leaves_a_failed_job_and_the_sweep_sends_it_later(db, frozen_clock):
    with queue_down():
        row = sms.queue_sms("+5511912341234", "oi", "alert", PRIORITY_ALERT)
        # The sweep while the queue is still down: the SMS stays pending, the failed job is not listed twice.
        frozen_clock.advance(minutes=3)
        assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 1}
    row = SentSms.get_by_id(row.id)
    assert (row.status, row.attempts) == ("queued", 0) and row.last_error.startswith("enqueue failed")
    job = FailedJob.get()
    assert (job.name, job.args, job.priority, job.status) == ("send_sms", [row.id], PRIORITY_ALERT, "failed")
    assert [j.id for j in jobs.list_failed()] == [job.id]

    # The queue is back: the next sweep sends it with no operator, and the failed job stops being listed.
    frozen_clock.advance(minutes=1)
    assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 0}  # not stale yet after the last attempt
    frozen_clock.advance(minutes=2)
    assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 1}
    row = SentSms.get_by_id(row.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert jobs.list_failed() == [] and FailedJob.get().status == "resolved"
    # An operator retry of the same job afterwards sends nothing again.
    other = jobs.record_failure(sms.TASK_NAME, [row.id], "late duplicate", priority=PRIORITY_ALERT)
    jobs.retry([other.id])
    assert SentSms.get_by_id(row.id).attempts == 1


def test_lost_tasks_are_queued_again(db, frozen_clock):
    stuck = new_row(status="sending", attempts=1)
    fresh = new_row(status="queued")
    done = new_row(status="sent")
    frozen_clock.advance(minutes=16)
    SentSms.update(updated_at=clock.now()).where(SentSms.id == fresh.id).execute()
    assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 1}  # what the worker runs every minute
    assert [SentSms.get_by_id(r.id).status for r in (stuck, fresh, done)] == ["sent", "queued", "sent"]
    assert SentSms.get_by_id(done.id).attempts == 0


def test_a_lost_alert_is_sent_again_within_minutes_an_invite_waits_longer(db, frozen_clock):
    # The worker died after claiming the alert's row (or Redis lost the queued task): nothing moves any more.
    alert_row = new_row(status="sending", attempts=1)
    retrying = new_row(status="retrying", attempts=2)
    invite_row = new_row(status="queued", kind="invite", priority=50)
    frozen_clock.advance(seconds=90)
    assert sms.requeue_stale() == 0  # a live claim or a pending retry is left alone
    frozen_clock.advance(seconds=31)
    assert sms.requeue_stale() == 2
    assert [SentSms.get_by_id(r.id).status for r in (alert_row, retrying, invite_row)] == ["sent", "sent", "queued"]
    assert [SentSms.get_by_id(r.id).attempts for r in (alert_row, retrying)] == [2, 3]
    frozen_clock.advance(minutes=14)
    assert sms.requeue_stale() == 1
    assert SentSms.get_by_id(invite_row.id).status == "sent"


def test_sms_texts_are_unaccented_and_fit_one_message():
    assert unaccent("Conceição Ñandú") == "Conceicao Nandu"
    text = alert_sms_text("Ána " + "x" * 60, "-23.000001", "-46.1")
    assert text.startswith("PenhaS: Ana xxxxxxxxxxxxxxxxxxxxxxxx adicionou")
    assert text.endswith("maps.google.com/maps?q=-23%2C-46.1") and len(text) <= 160
    invite = invite_sms_text("Márcia " + "y" * 300, "ABCDEFGHIJKLMNOP")
    assert invite.isascii() and invite.endswith("ABCDEFGHIJKLMNOP") and len(invite) <= 150


def test_an_operator_retry_while_the_queue_is_down_keeps_the_job_listed(db):
    job = jobs.record_failure(sms.TASK_NAME, [new_row(status="failed").id], "SmsError", priority=PRIORITY_ALERT)
    with queue_down(), pytest.raises(PenhasError) as err:
        jobs.retry(all_failed=True)
    assert (err.value.error, err.value.status) == ("queue_unavailable", 503)
    assert [j.id for j in jobs.list_failed()] == [job.id]
