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


def make_huey(settings=None):
    settings = settings or get_settings()
    if settings.redis_url:
        return PriorityRedisHuey("penhas", url=settings.redis_url, utc=True)
    return SqliteHuey("penhas", filename=str(settings.data_dir / "huey.db"), utc=True)


huey = make_huey()

# Task modules register themselves on `huey` when imported; keep this list complete.
from tasks import base  # noqa: E402,F401
