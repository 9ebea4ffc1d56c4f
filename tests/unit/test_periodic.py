"""Periodic-job claims: periods from crontabs, one claim per period, outcomes recorded."""
from datetime import datetime, timedelta

import pytest
from huey import crontab

from penhas_api.core.models import PeriodicRun
from penhas_api.core.services import periodic
from tasks.base import PERIODIC_JOBS, periodic_job, run_periodic


def test_period_start_and_next_run_follow_the_crontab():
    nightly = crontab(minute="30", hour="3")
    assert periodic.period_start(nightly, datetime(2026, 11, 23, 12, 5, 41)) == datetime(2026, 11, 23, 3, 30)
    assert periodic.period_start(nightly, datetime(2026, 11, 23, 2, 0)) == datetime(2026, 11, 22, 3, 30)
    assert periodic.next_run(nightly, datetime(2026, 11, 23, 3, 30)) == datetime(2026, 11, 24, 3, 30)
    every5 = crontab(minute="*/5")
    assert periodic.period_start(every5, datetime(2026, 11, 23, 12, 9, 59)) == datetime(2026, 11, 23, 12, 5)
    assert periodic.next_run(every5, datetime(2026, 11, 23, 12, 9, 59)) == datetime(2026, 11, 23, 12, 10)


def test_a_period_is_claimed_once(db):
    period = datetime(2026, 11, 23, 3, 30)
    first = periodic.claim("x.job", period, "schedule")
    assert first is not None
    assert periodic.claim("x.job", period, "schedule") is None
    assert periodic.claim("y.job", period, "schedule") is not None
    # Manual runs have no period and never collide.
    assert periodic.claim("x.job", None, "manual") and periodic.claim("x.job", None, "manual")
    periodic.finish(first, "failed", "boom " * 500)
    first = PeriodicRun.get_by_id(first.id)
    assert first.status == "failed" and len(first.error) == periodic.ERROR_LIMIT and first.finished_at


@pytest.fixture
def probe_job():
    calls = []

    @periodic_job("test.unit_probe", crontab(minute="0", hour="*/6"))
    def probe():
        """Count calls."""
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("third call fails")
        return {"calls": len(calls)}

    yield calls
    from penhas_api.core.queue import huey

    huey._registry.unregister(PERIODIC_JOBS.pop("test.unit_probe").task.task_class)


def test_scheduled_copies_of_one_period_run_once_and_manual_runs_always(db, probe_job, frozen_clock):
    job = PERIODIC_JOBS["test.unit_probe"]
    assert job.description == "Count calls."
    # Two consumers' copies stamped by their schedulers with the same minute.
    assert run_periodic("test.unit_probe", scheduled_for="2026-11-23T12:00:00") == {"calls": 1}
    assert run_periodic("test.unit_probe", scheduled_for="2026-11-23T12:00:00") is None
    # Without a stamp (a task enqueued by hand) the period comes from the clock: 12:00 again.
    assert run_periodic("test.unit_probe") is None
    assert probe_job == [1]
    assert run_periodic("test.unit_probe", manual=True) == {"calls": 2}
    with pytest.raises(RuntimeError):
        run_periodic("test.unit_probe", scheduled_for="2026-11-23T18:00:00")
    runs = [(r.period_start, r.source, r.status) for r in PeriodicRun.select().order_by(PeriodicRun.id)]
    assert runs == [(datetime(2026, 11, 23, 12), "schedule", "ok"), (None, "manual", "ok"),
                    (datetime(2026, 11, 23, 18), "schedule", "failed")]


def test_a_job_still_running_elsewhere_is_skipped(db, probe_job):
    from penhas_api.core.queue import huey

    with huey.lock_task("periodic:test.unit_probe"):
        assert run_periodic("test.unit_probe", manual=True) is None
    run = PeriodicRun.get()
    assert (run.status, run.error) == ("skipped", "previous run still going")
    assert probe_job == []


def test_geo_cache_trim_job_deletes_only_expired_rows(db, frozen_clock):
    from penhas_api.core.models import GeoCache

    now = frozen_clock.now
    GeoCache.create(key="rua a", value="-23.5,-46.6", created_at=now, valid_until=now + timedelta(days=30))
    GeoCache.create(key="rua b", value="", created_at=now, valid_until=now - timedelta(minutes=1))
    assert run_periodic("geo.trim_cache", manual=True) == {"deleted": 1}
    assert [g.key for g in GeoCache.select()] == ["rua a"]
