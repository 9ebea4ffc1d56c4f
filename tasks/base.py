"""Helpers every task module uses: a database connection per run, and periodic jobs with a lock."""
import functools
import logging
import time
from datetime import datetime
from typing import NamedTuple

from penhas_api.core.audit import audit
from penhas_api.core.db import connection, database, init_db
from penhas_api.core.queue import huey

log = logging.getLogger("penhas.tasks")

# name -> PeriodicJob; `penhas jobs schedule` lists these and `penhas jobs run NAME` runs one.
PERIODIC_JOBS: dict = {}


class PeriodicJob(NamedTuple):
    task: object
    fn: object
    description: str
    name: str
    schedule: object  # the huey.crontab validator: schedule(datetime) -> bool


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
    """Register ``fn`` as a Huey periodic task: once per scheduled period, never two at once, always logged.

    ``schedule`` is a ``huey.crontab``. Every consumer with a scheduler enqueues the job when it is due; the copy
    that claims the (job, period) row in ``periodic_runs`` runs it and the others skip, so two consumers still
    run each job once per period. A lock named after the job also keeps a slow run from overlapping the next one.
    """
    def decorator(fn):
        @functools.wraps(fn)
        def run(scheduled_for: str | None = None, manual: bool = False):
            # `manual`: enqueued by `penhas jobs retry` for a failed run; it runs outside any period.
            return run_periodic(name, scheduled_for=scheduled_for, manual=manual)

        task = huey.periodic_task(schedule, name=name)(run)
        # The docstring's first paragraph, unwrapped: `penhas jobs schedule` shows it whole.
        summary = " ".join((fn.__doc__ or "").strip().split("\n\n")[0].split())
        PERIODIC_JOBS[name] = PeriodicJob(task, fn, description or summary, name, schedule)
        return task

    return decorator


def run_periodic(name: str, scheduled_for: str | None = None, manual: bool = False):
    """Run the periodic job ``name`` for its period (or now, ``manual``), recording the run in ``periodic_runs``."""
    from huey.exceptions import TaskLockedException

    from penhas_api.core import clock
    from penhas_api.core.services import periodic

    job = PERIODIC_JOBS[name]

    @with_db
    def claimed_run():
        if manual:
            period, source = None, "manual"
        else:
            at = datetime.fromisoformat(scheduled_for) if scheduled_for else clock.now()
            period, source = periodic.period_start(job.schedule, at), "schedule"
        run = periodic.claim(name, period, source)
        if run is None:
            log.info("periodic job skipped: period already claimed by another consumer", extra={"task": name})
            return None
        start = time.perf_counter()
        try:
            with huey.lock_task(f"periodic:{name}"):
                result = job.fn()
        except TaskLockedException:
            periodic.finish(run, "skipped", "previous run still going")
            log.info("periodic job skipped: already running elsewhere", extra={"task": name})
            return None
        except Exception as exc:
            periodic.finish(run, "failed", f"{exc.__class__.__name__}: {exc}")
            log.exception("periodic job failed", extra={"task": name})
            raise
        periodic.finish(run, "ok")
        log.info("periodic job done in %.0f ms: %s", (time.perf_counter() - start) * 1000, _summary(result),
                 extra={"task": name})
        return result

    return claimed_run()


def run_now(name: str, actor: str | None = None):
    """An operator's run of the periodic job ``name`` (`penhas jobs run`), outside any period; audited first, so
    the trail shows the attempt whatever its outcome."""
    with connection():
        audit("jobs.run", "periodic_job", name, actor=actor)
    return run_periodic(name, manual=True)


def _summary(result) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in result.items() if isinstance(v, (int, float, str)))[:300]
    return "" if result is None else str(result)[:300]
