"""The queue port: the Huey instance, its priorities, enqueue by task name and the few inspect calls services use.

Redis (priority queue) when REDIS_URL is set, SQLite in the data dir otherwise. Priorities: panic-alert SMS
run at ``PRIORITY_ALERT`` ahead of anything else queued; bulk work at ``PRIORITY_BULK``.

Task functions live in ``tasks/`` and register on ``huey`` (``@huey.task(name=...)``); services enqueue them by
name through ``enqueue`` and never import ``tasks``. A process enqueues only tasks it has registered, so every
door imports ``tasks`` once (the app factory, the ``penhas`` CLI root, ``penhas worker``).
The instance is built on first use (``from penhas_api.core.queue import huey`` or any function here), so
importing a service opens no queue storage.
"""
import threading
from pathlib import Path

from huey import PriorityRedisHuey, SqliteHuey
from huey.storage import SqliteStorage

from penhas_api.core.data_dir import secure as secure_data_dir
from penhas_api.core.errors import PenhasError
from penhas_api.core.settings import settings_without_keys

PRIORITY_ALERT = 100
PRIORITY_DEFAULT = 50
PRIORITY_BULK = 0


class _PenhasHuey:
    """Our additions to Huey: a public name -> task table, and periodic tasks stamped with their period.

    Periodic tasks carry the minute their scheduler fired for (``scheduled_for``), so copies enqueued by two
    consumers name the same period and only one of them runs (see tasks/base.py ``periodic_job``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_name: dict = {}

    def task(self, *args, **kwargs):
        return self._named(super().task(*args, **kwargs))

    def periodic_task(self, *args, **kwargs):
        return self._named(super().periodic_task(*args, **kwargs))

    def _named(self, decorator):
        def register(fn):
            wrapper = decorator(fn)
            self.by_name[wrapper.name] = wrapper
            return wrapper

        return register

    def read_periodic(self, timestamp):
        timestamp = timestamp or self._get_timestamp()
        due = super().read_periodic(timestamp)
        for task in due:
            task.kwargs = {"scheduled_for": timestamp.replace(second=0, microsecond=0).isoformat()}
        return due


class PenhasRedisHuey(_PenhasHuey, PriorityRedisHuey):
    pass


class _FirstUseSqliteStorage(SqliteStorage):
    """Huey's SQLite storage creating its file (and the data dir) on first use instead of when the instance is
    built: every process builds it on import, before its first-start step, and `penhas secrets generate` or a
    command refused for a missing key must leave a fresh machine untouched."""

    def __init__(self, *args, **kwargs):
        self._schema_ready = False
        super().__init__(*args, create_tables=False, **kwargs)

    def _create_connection(self):
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        conn = super()._create_connection()
        if not self._schema_ready:
            for statement in self.ddl:  # CREATE … IF NOT EXISTS
                conn.execute(statement)
            self._schema_ready = True
        return conn


class PenhasSqliteHuey(_PenhasHuey, SqliteHuey):
    storage_class = _FirstUseSqliteStorage


def make_huey(settings=None):
    # Built on import by every door, before `penhas secrets`/`db migrate` may have made the keys it never uses.
    settings = settings or settings_without_keys()
    if settings.redis_url:
        return PenhasRedisHuey("penhas", url=settings.redis_url, utc=True)
    # The embedded queue is a file of the data dir: the dir must exist (private) before SQLite opens it, which on
    # a fresh setup is before any command has provisioned it.
    secure_data_dir(settings.data_dir)
    return PenhasSqliteHuey("penhas", filename=str(settings.data_dir / "huey.db"), utc=True)


_building = threading.Lock()


def __getattr__(name):
    # `huey` is built the first time it is asked for (PEP 562), then kept as a plain module attribute.
    if name != "huey":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _building:
        if "huey" not in globals():
            globals()["huey"] = make_huey()
    return globals()["huey"]


def _huey():
    # Not `globals().get("huey") or ...`: a Huey instance is falsy while its queue is empty (it has __len__).
    return globals()["huey"] if "huey" in globals() else __getattr__("huey")


# Names `penhas jobs retry` may enqueue again; tasks/jobs.py declares them.
_retryable: set[str] = set()


def allow_retry(*tasks) -> None:
    _retryable.update(task.name for task in tasks)


def is_retryable(name: str) -> bool:
    return name in _retryable


def enqueue(name: str, *args, priority: int | None = None, **kwargs) -> None:
    """Queue the task registered as ``name``; raises ``unknown_job`` when this process registered none by that name."""
    huey = _huey()
    task = huey.by_name.get(name)
    if task is None:
        raise PenhasError("unknown_job", f"unknown task: {name}", 400)
    huey.enqueue(task.s(*args, priority=priority, **kwargs))


def pending_count() -> int:
    return _huey().pending_count()


def scheduled_count() -> int:
    """Tasks delayed or waiting to retry."""
    return _huey().scheduled_count()


def pending_by_priority() -> dict[int, int]:
    """Queued tasks per priority, highest first."""
    per_priority: dict[int, int] = {}
    for task in _huey().pending():
        per_priority[task.priority or 0] = per_priority.get(task.priority or 0, 0) + 1
    return dict(sorted(per_priority.items(), reverse=True))
