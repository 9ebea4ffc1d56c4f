"""Periodic jobs across several consumers: claiming a scheduled period, recording how each run ended.

Every consumer started with a scheduler enqueues each due periodic job, so two consumers produce two copies of
the same run. The copy that inserts the ``periodic_runs`` row for (job, period) first runs the job; the unique
index makes the other copy's insert fail and it skips. Manual runs (``penhas jobs run``) carry no period.
"""
import os
import socket
from datetime import datetime, timedelta

import peewee

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.models import PeriodicRun

# Far enough back for a monthly schedule; a job whose schedule matched nowhere in that window is run per minute.
LOOKBACK_MINUTES = 32 * 24 * 60
LOOKAHEAD_MINUTES = 62 * 24 * 60
ERROR_LIMIT = 500


def consumer_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def period_start(schedule, at: datetime) -> datetime:
    """The latest minute at or before ``at`` that ``schedule`` (a ``huey.crontab`` validator) matches."""
    minute = at.replace(second=0, microsecond=0)
    probe = minute
    for _ in range(LOOKBACK_MINUTES):
        if schedule(probe):
            return probe
        probe -= timedelta(minutes=1)
    return minute


def next_run(schedule, after: datetime) -> datetime | None:
    """The first minute after ``after`` that ``schedule`` matches (None when more than two months away)."""
    probe = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(LOOKAHEAD_MINUTES):
        if schedule(probe):
            return probe
        probe += timedelta(minutes=1)
    return None


def claim(name: str, period: datetime | None, source: str) -> PeriodicRun | None:
    """Insert the run row; None when another consumer already claimed this job's period."""
    try:
        with database.atomic():
            return PeriodicRun.create(name=name, period_start=period, source=source, consumer=consumer_id(),
                                      status="running", started_at=clock.now())
    except peewee.IntegrityError:
        return None


def finish(run: PeriodicRun, status: str, error: str | None = None) -> None:
    run.status = status
    run.finished_at = clock.now()
    run.error = error[:ERROR_LIMIT] if error else None
    run.save(only=[PeriodicRun.status, PeriodicRun.finished_at, PeriodicRun.error])


def last_runs() -> dict[str, PeriodicRun]:
    """The newest run of every job that ever ran."""
    newest = (PeriodicRun.select(PeriodicRun.name, peewee.fn.MAX(PeriodicRun.id).alias("last_id"))
              .group_by(PeriodicRun.name))
    ids = [row.last_id for row in newest]
    return {run.name: run for run in PeriodicRun.select().where(PeriodicRun.id.in_(ids))} if ids else {}


def trim_history(keep_days: int = 30) -> int:
    """Forget run rows older than ``keep_days``; failures are kept as long as successes."""
    cutoff = clock.now() - timedelta(days=keep_days)
    return PeriodicRun.delete().where(PeriodicRun.started_at < cutoff).execute()
