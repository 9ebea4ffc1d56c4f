"""Helpers every task module uses: a database connection per run, and periodic jobs with a lock."""
import functools
import logging
import time

from penhas_api.core.db import database, init_db

log = logging.getLogger("penhas.tasks")

# name -> (task, schedule description); `penhas jobs schedule` lists these.
PERIODIC_JOBS: dict = {}


def with_db(fn):
    """Open the database for the task's run and always close it (the consumer's threads are long-lived)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        init_db()
        opened = database.connect(reuse_if_open=True)
        try:
            return fn(*args, **kwargs)
        finally:
            if opened and not database.is_closed():
                database.close()

    return wrapper


def periodic_job(name: str, schedule, description: str = ""):
    """Register ``fn`` as a Huey periodic task that runs under a lock named after it.

    ``schedule`` is a ``huey.crontab``. Two consumers with schedulers never run the same job at once:
    the second one finds the lock taken and skips that run.
    """
    from huey.exceptions import TaskLockedException

    from tasks import huey

    def decorator(fn):
        @functools.wraps(fn)
        def run():
            try:
                with huey.lock_task(f"periodic:{name}"):
                    start = time.perf_counter()
                    result = with_db(fn)()
                    log.info("periodic job done", extra={"task": name})
                    log.debug("%s took %.1f ms", name, (time.perf_counter() - start) * 1000)
                    return result
            except TaskLockedException:
                log.info("periodic job skipped: already running elsewhere", extra={"task": name})
                return None

        task = huey.periodic_task(schedule, name=name)(run)
        PERIODIC_JOBS[name] = (task, fn, description or (fn.__doc__ or "").strip().splitlines()[0:1])
        return task

    return decorator
