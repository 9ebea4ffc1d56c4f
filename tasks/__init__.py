"""The Huey instance and every task module.

Redis (priority queue) when REDIS_URL is set, SQLite in the data dir otherwise. Priorities: panic-alert SMS
run at ``PRIORITY_ALERT`` ahead of anything else queued; bulk work at ``PRIORITY_BULK``.
Run the consumer with ``penhas worker`` (the only process that runs periodic tasks).
"""
from huey import PriorityRedisHuey, SqliteHuey

from penhas_api.core.settings import get_settings

PRIORITY_ALERT = 100
PRIORITY_DEFAULT = 50
PRIORITY_BULK = 0


class _StampedPeriodic:
    """Periodic tasks carry the minute their scheduler fired for (``scheduled_for``), so copies enqueued by two
    consumers name the same period and only one of them runs (see tasks/base.py ``periodic_job``)."""

    def read_periodic(self, timestamp):
        timestamp = timestamp or self._get_timestamp()
        due = super().read_periodic(timestamp)
        for task in due:
            task.kwargs = {"scheduled_for": timestamp.replace(second=0, microsecond=0).isoformat()}
        return due


class PenhasRedisHuey(_StampedPeriodic, PriorityRedisHuey):
    pass


class PenhasSqliteHuey(_StampedPeriodic, SqliteHuey):
    pass


def make_huey(settings=None):
    settings = settings or get_settings()
    if settings.redis_url:
        return PenhasRedisHuey("penhas", url=settings.redis_url, utc=True)
    return PenhasSqliteHuey("penhas", filename=str(settings.data_dir / "huey.db"), utc=True)


huey = make_huey()

# Task modules register themselves on `huey` when imported; keep this list complete.
from tasks import base  # noqa: E402,F401
from tasks import operations  # noqa: E402,F401
from tasks import audio  # noqa: E402,F401
from tasks import jobs  # noqa: E402,F401
from tasks import sms  # noqa: E402,F401
from tasks import accounts  # noqa: E402,F401
from tasks import guardians  # noqa: E402,F401
from tasks import timeline  # noqa: E402,F401
