"""Failed-job bookkeeping shared by every task: final failures land in ``failed_jobs``; retries re-enqueue by name."""
import logging

from huey.api import PeriodicTask
from huey.signals import SIGNAL_ERROR

from penhas_api.core.db import connection
from penhas_api.core.services import jobs
from tasks import huey

log = logging.getLogger("penhas.tasks")


@huey.signal(SIGNAL_ERROR)
def record_final_failure(signal, task, exc=None):
    """A task that raised with no retries left would vanish from the queue: keep it for `penhas jobs retry`.

    Periodic jobs are left out: they run again on their schedule and keep their own record (periodic_runs).
    """
    if task.retries or isinstance(task, PeriodicTask):
        return
    kwargs = {k: v for k, v in (task.kwargs or {}).items() if k != "task"}
    try:
        with connection():
            jobs.record_failure(task.name, list(task.args or ()), f"{exc.__class__.__name__}: {exc}", kwargs=kwargs,
                                priority=task.priority)
    except Exception:  # the queue must go on even when the database is down; the log line stays
        log.exception("could not record failed job %s", task.name)


def enqueue_by_name(name: str, args, kwargs=None, priority=None) -> None:
    from penhas_api.core.errors import PenhasError

    # Huey's registry is keyed by "module.name"; failed jobs store the task's short name.
    for key, task_class in huey._registry._registry.items():
        if task_class.__name__ == name or key == name:
            huey.enqueue(task_class(tuple(args or ()), dict(kwargs or {}), priority=priority))
            return
    raise PenhasError("unknown_job", f"Tarefa desconhecida: {name}", 400)
