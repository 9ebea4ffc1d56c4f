"""The SMS task under a real Huey consumer (threads) on the configured queue storage (SQLite or Redis)."""
import json
import time
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from penhas_api.core.models import FailedJob, SentSms
from penhas_api.core.services import sms
from penhas_cli.main import app as cli
from penhas_api.core.queue import PRIORITY_ALERT, PRIORITY_BULK, huey
from tasks.base import PERIODIC_JOBS
from tasks.sms import send_sms
from tests.factories import auth_headers, make_user
from tests.sms_helpers import add_guardian, closed_port_url, random_mobile, sms_provider

pytestmark = pytest.mark.slow


@contextmanager
def queue_mode():
    """Tasks go to the real queue storage instead of running inline."""
    huey.immediate = False
    huey.flush()
    try:
        yield
    finally:
        huey.flush()
        huey.immediate = True


@contextmanager
def running_consumer(workers: int):
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=False, initial_delay=0.05,
                                    max_delay=0.1, check_worker_health=False)
    # Threads started by hand: Consumer.start() would also take over the test process's signal handlers.
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_alert_sms_jump_ahead_of_queued_bulk_work(app):
    with queue_mode():
        bulk = [sms.queue_sms(random_mobile(), "boletim", "test", PRIORITY_BULK).id for _ in range(30)]
        urgent = sms.queue_sms(random_mobile(), "socorro", "alert", PRIORITY_ALERT).id
        assert SentSms.select().where(SentSms.status == "queued").count() == 31
        with running_consumer(workers=1):
            wait_for(lambda: SentSms.select().where(SentSms.status == "sent").count() == 31)
    first_bulk = min(SentSms.get_by_id(i).sent_at for i in bulk)
    assert SentSms.get_by_id(urgent).sent_at < first_bulk


def test_outage_retries_under_a_consumer_then_operator_retry_delivers(client, app, monkeypatch):
    # Shorter backoff than production (2 s doubling, 5 retries) so the test takes seconds, same mechanism.
    monkeypatch.setattr(send_sms.task_class, "default_retries", 2)
    monkeypatch.setattr(send_sms.task_class, "default_retry_delay", 0.2)
    user = make_user(nome_completo="Carla Dias")
    headers = auth_headers(app, user)
    numbers = [random_mobile() for _ in range(2)]
    for number in numbers:
        add_guardian(client, headers, number)

    with queue_mode(), running_consumer(workers=2):
        with sms_provider("sns", closed_port_url()):
            r = client.post("/me/guardioes/alert", headers=headers)
            assert r.status_code == 200 and r.get_json()["title"] == "2 alertas enviados!"
            wait_for(lambda: FailedJob.select().count() == 2)
        rows = list(SentSms.select().where(SentSms.kind == "alert"))
        assert [(s.status, s.attempts) for s in rows] == [("failed", 3)] * 2
        failed = json.loads(CliRunner().invoke(cli, ["jobs", "failed", "--json"]).output)
        assert sorted(f["args"][0] for f in failed) == sorted(s.id for s in rows)

        with sms_provider("log"):
            assert CliRunner().invoke(cli, ["jobs", "retry", "--all-failed"]).exit_code == 0
            wait_for(lambda: SentSms.select().where((SentSms.kind == "alert") & (SentSms.status == "sent"))
                     .count() == 2)
    rows = list(SentSms.select().where(SentSms.kind == "alert"))
    assert sorted(s.phonenumber for s in rows) == sorted(numbers)
    assert [s.attempts for s in rows] == [4, 4]


def test_alert_tasks_lost_by_a_queue_restart_are_sent_by_the_sweep(client, app, frozen_clock):
    user = make_user(nome_completo="Dora Lima")
    headers = auth_headers(app, user)
    numbers = [random_mobile() for _ in range(2)]
    for number in numbers:
        add_guardian(client, headers, number)

    with queue_mode():
        assert client.post("/me/guardioes/alert", headers=headers).status_code == 200
        assert huey.pending_count() == 2
        huey.flush()  # Redis restarted without persistence (or the worker died holding the tasks)
        frozen_clock.advance(minutes=1)
        assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 0}
        frozen_clock.advance(minutes=2)
        assert PERIODIC_JOBS["sms.requeue_stale"].fn() == {"requeued": 2}
        with running_consumer(workers=2):
            wait_for(lambda: SentSms.select().where((SentSms.kind == "alert") & (SentSms.status == "sent"))
                     .count() == 2)
    rows = list(SentSms.select().where(SentSms.kind == "alert"))
    assert sorted(s.phonenumber for s in rows) == sorted(numbers) and [s.attempts for s in rows] == [1, 1]
