"""Failed jobs: recorded when a job exhausts its retries, listed and re-enqueued by operators.

Huey keeps no record of a task that gave up, whatever its storage (Redis, SQLite), so failures land in the
``failed_jobs`` table: every queued task that raises on its last attempt is recorded by ``tasks/jobs.py``, and
work that fails outside a task (a queue that refused an enqueue, a backup run) calls ``record_failure``.
``retry`` enqueues the task of the same name again with the same arguments.
"""
from peewee import Case, Value

from penhas_api.core import clock, queue
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import FailedJob


def record_failure(name: str, args=(), error: str = "", kwargs: dict | None = None,
                   priority: int | None = None) -> FailedJob:
    """Keep a job that failed, for operators to see and retry. ``args``/``kwargs`` must be ids, never personal data."""
    return FailedJob.create(name=name, args=list(args), kwargs=kwargs or {}, priority=priority,
                            error=(error or "unknown error")[:2000], failed_at=clock.now(), status="failed")


def _open(name: str, args):
    # Compared as the stored JSON text: peewee would otherwise read a list as an IN tuple.
    stored = Value(FailedJob.args.db_value(list(args)), converter=False)
    return (FailedJob.name == name) & (FailedJob.status == "failed") & (FailedJob.args == stored)


def is_failed(name: str, args=()) -> bool:
    """Whether this job (same name and arguments) is already listed as failed."""
    return FailedJob.select().where(_open(name, args)).exists()


def resolve(name: str, args=()) -> int:
    """The job's work got done another way (an automatic re-run): stop listing it as failed."""
    return FailedJob.update(status="resolved", retried_at=clock.now()).where(_open(name, args)).execute()


# SMS first: an undelivered panic alert is what an operator must see before anything else.
FIRST_TASKS = ("send_sms",)


def _group(name_column):
    return Case(None, [(name_column.in_(FIRST_TASKS), 0)], 1)


def list_failed(limit: int = 50, before_id: int | None = None, task: str | None = None) -> list[FailedJob]:
    """Failed jobs, SMS first, then newest first; ``before_id`` (the last id of the previous page) continues after
    that row in this order; ``task`` keeps one task's jobs."""
    query = FailedJob.select().where(FailedJob.status == "failed")
    if task:
        query = query.where(FailedJob.name == task.strip())
    if before_id is not None:
        last = FailedJob.get_or_none(FailedJob.id == before_id)
        group = 0 if last is not None and last.name in FIRST_TASKS else 1
        query = query.where((_group(FailedJob.name) > group)
                            | ((_group(FailedJob.name) == group) & (FailedJob.id < before_id)))
    return list(query.order_by(_group(FailedJob.name), FailedJob.id.desc()).limit(limit))


def retry(job_ids: list[int] | None = None, all_failed: bool = False, on_each=None) -> list[FailedJob]:
    """Re-enqueue failed jobs (the given ids, or every failed one) and mark them retried."""
    query = FailedJob.select().where(FailedJob.status == "failed").order_by(FailedJob.id)
    if not all_failed:
        ids = list(job_ids or [])
        found = list(query.where(FailedJob.id.in_(ids))) if ids else []
        missing = sorted(set(ids) - {j.id for j in found})
        if missing or not ids:
            raise PenhasError("item_not_found", f"no failed job with id {', '.join(map(str, missing or ids))}", 404)
        jobs = found
    else:
        jobs = list(query)
    for job in jobs:
        try:
            if not queue.is_retryable(job.name):
                raise PenhasError("unknown_job", f"unknown task: {job.name}", 400)
            queue.enqueue(job.name, *job.args, priority=job.priority, **(job.kwargs or {}))
        except PenhasError:
            raise
        except Exception as exc:  # queue unreachable: this job and the rest stay listed, to retry once it is back
            raise PenhasError("queue_unavailable", f"the queue refused job {job.id} ({exc.__class__.__name__}): it stays in "
                                                   "the failed list; retry once the queue is back", 503) from None
        FailedJob.update(status="retried", retried_at=clock.now()).where(FailedJob.id == job.id).execute()
        audit("jobs.retry", "failed_job", job.id, name=job.name)
        if on_each:
            on_each(job)
    return jobs


def failed_count() -> int:
    return FailedJob.select().where(FailedJob.status == "failed").count()


def queue_status() -> dict:
    """Queue depth per priority, scheduled (delayed and retrying) tasks, and failed jobs."""
    per_priority = queue.pending_by_priority()
    return {
        "pending": sum(per_priority.values()),
        "pending_by_priority": per_priority,
        "scheduled": queue.scheduled_count(),
        "failed": failed_count(),
    }
