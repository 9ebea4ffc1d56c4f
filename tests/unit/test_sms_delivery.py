"""SMS delivery rules: log row first, one send per row, claims, lost tasks, a queue that refuses the enqueue."""

import pytest
from huey.storage import PriorityRedisStorage

from penhas_api.core import clock
from penhas_api.core.adapters.sms import SmsError
from penhas_api.core.models import FailedJob, SentSms
from penhas_api.core.services import sms
from penhas_api.core.services.guardians import alert_sms_text, invite_sms_text, unaccent
from tasks import PRIORITY_ALERT, huey
from tasks.base import PERIODIC_JOBS
from tests.sms_helpers import closed_port_url, run_scheduled_retries, sms_provider


def new_row(status="queued", **extra):
    now = clock.now()
    return SentSms.create(phonenumber="+5511912341234", message="oi", notes={}, created_at=now, kind="alert",
                          priority=PRIORITY_ALERT, status=status, updated_at=now, **extra)


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


def test_a_queue_that_refuses_the_enqueue_leaves_a_failed_job_not_a_lost_sms(db):
    huey.immediate = False
    huey.storage = PriorityRedisStorage("penhas-down", url="redis://127.0.0.1:1/0")
    try:
        row = sms.queue_sms("+5511912341234", "oi", "alert", PRIORITY_ALERT)
    finally:
        huey.immediate = True
    row = SentSms.get_by_id(row.id)
    assert row.status == "failed" and row.last_error.startswith("enqueue failed")
    job = FailedJob.get()
    assert (job.name, job.args, job.priority) == ("send_sms", [row.id], PRIORITY_ALERT)


def test_lost_tasks_are_queued_again(db, frozen_clock):
    stuck = new_row(status="sending", attempts=1)
    fresh = new_row(status="queued")
    done = new_row(status="sent")
    frozen_clock.advance(minutes=16)
    SentSms.update(updated_at=clock.now()).where(SentSms.id == fresh.id).execute()
    assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 1}  # what the worker runs every 5 minutes
    assert [SentSms.get_by_id(r.id).status for r in (stuck, fresh, done)] == ["sent", "queued", "sent"]
    assert SentSms.get_by_id(done.id).attempts == 0


def test_sms_texts_are_unaccented_and_fit_one_message():
    assert unaccent("Conceição Ñandú") == "Conceicao Nandu"
    text = alert_sms_text("Ána " + "x" * 60, "-23.000001", "-46.1")
    assert text.startswith("PenhaS: Ana xxxxxxxxxxxxxxxxxxxxxxxx adicionou")
    assert text.endswith("maps.google.com/maps?q=-23%2C-46.1") and len(text) <= 160
    invite = invite_sms_text("Márcia " + "y" * 300, "ABCDEFGHIJKLMNOP")
    assert invite.isascii() and invite.endswith("ABCDEFGHIJKLMNOP") and len(invite) <= 150
