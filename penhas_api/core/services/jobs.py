"""Failed jobs: recorded when a job exhausts its retries, listed and re-enqueued by operators.

Huey keeps no record of a task that gave up, whatever its storage (Redis, SQLite), so failures land in the
``failed_jobs`` table: every queued task that raises on its last attempt is recorded by ``tasks/jobs.py``, and
work that fails outside a task (a queue that refused an enqueue, a backup run) calls ``record_failure``.
``retry`` enqueues the task of the same name again with the same arguments.
"""
from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import FailedJob


def record_failure(name: str, args=(), error: str = "", kwargs: dict | None = None,
                   priority: int | None = None) -> FailedJob:
    """Keep a job that will not run again by itself. ``args``/``kwargs`` must be ids, never personal data."""
    return FailedJob.create(name=name, args=list(args), kwargs=kwargs or {}, priority=priority,
                            error=(error or "unknown error")[:2000], failed_at=clock.now(), status="failed")


def list_failed(limit: int = 50, before_id: int | None = None) -> list[FailedJob]:
    query = FailedJob.select().where(FailedJob.status == "failed")
    if before_id is not None:
        query = query.where(FailedJob.id < before_id)
    return list(query.order_by(FailedJob.id.desc()).limit(limit))


def retry(job_ids: list[int] | None = None, all_failed: bool = False, on_each=None) -> list[FailedJob]:
    """Re-enqueue failed jobs (the given ids, or every failed one) and mark them retried."""
    from tasks.jobs import enqueue_by_name

    query = FailedJob.select().where(FailedJob.status == "failed").order_by(FailedJob.id)
    if not all_failed:
        ids = list(job_ids or [])
        found = list(query.where(FailedJob.id.in_(ids))) if ids else []
        missing = sorted(set(ids) - {j.id for j in found})
        if missing or not ids:
            raise PenhasError("item_not_found", f"Nenhum job com falha com id {missing or ids}.", 404)
        jobs = found
    else:
        jobs = list(query)
    for job in jobs:
        enqueue_by_name(job.name, job.args, job.kwargs, job.priority)
        FailedJob.update(status="retried", retried_at=clock.now()).where(FailedJob.id == job.id).execute()
        audit("jobs.retry", "failed_job", job.id, name=job.name)
        if on_each:
            on_each(job)
    return jobs


def failed_count() -> int:
    return FailedJob.select().where(FailedJob.status == "failed").count()


def queue_status() -> dict:
    """Queue depth per priority, scheduled (delayed and retrying) tasks, and failed jobs."""
    from tasks import huey

    per_priority: dict[int, int] = {}
    for task in huey.pending():
        per_priority[task.priority or 0] = per_priority.get(task.priority or 0, 0) + 1
    return {
        "pending": sum(per_priority.values()),
        "pending_by_priority": dict(sorted(per_priority.items(), reverse=True)),
        "scheduled": huey.scheduled_count(),
        "failed": failed_count(),
    }
