"""Failed-job bookkeeping shared by every task: final failures land in ``failed_jobs``; retries re-enqueue by name."""
import logging

from huey.api import PeriodicTask
from huey.signals import SIGNAL_ERROR

from penhas_api.core import queue
from penhas_api.core.db import connection
from penhas_api.core.queue import huey
from penhas_api.core.services import jobs
from tasks import accounts, operations, sms

log = logging.getLogger("penhas.tasks")

# What `penhas jobs retry` may enqueue again: the queued tasks whose final failures are recorded below, and the
# periodic jobs that record their own failure (the nightly backup, re-run with `manual=True`).
RETRYABLE_TASKS = (sms.send_sms, accounts.delete_user, accounts.cliente_update_cep, operations.nightly_backup)
queue.allow_retry(*RETRYABLE_TASKS)


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
