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


# Work nobody must act on when it keeps failing: retried with backoff, then dropped with one log line instead of
# burying the failures an operator must act on (SMS) in failed_jobs. A CEP never resolved leaves her city and state
# empty, as a CEP ViaCEP does not know would.
DROPPED_WHEN_EXHAUSTED = frozenset({accounts.cliente_update_cep.name})


@huey.signal(SIGNAL_ERROR)
def record_final_failure(signal, task, exc=None):
    """Log every failed attempt as one line; a task that raised with no retries left would vanish from the queue:
    keep it for `penhas jobs retry` (unless it is in DROPPED_WHEN_EXHAUSTED).

    Periodic jobs are left out: they log their own failure, run again on their schedule and keep their own record
    (periodic_runs).
    """
    if isinstance(task, PeriodicTask):
        return
    attempt = max(1, type(task).default_retries - task.retries + 1)
    if task.retries:
        outcome = "will retry"
    elif task.name in DROPPED_WHEN_EXHAUSTED:
        outcome = "retries exhausted, dropped"
    else:
        outcome = "retries exhausted, kept in failed_jobs"
    critical = not task.retries and task.name not in DROPPED_WHEN_EXHAUSTED
    log.log(logging.ERROR if critical else logging.WARNING, "task failed (attempt %s): %s", attempt, outcome,
            exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else None,
            extra={"task": task.name, "task_id": task.id, "attempt": attempt})
    if not critical:
        return
    kwargs = {k: v for k, v in (task.kwargs or {}).items() if k != "task"}
    try:
        with connection():
            jobs.record_failure(task.name, list(task.args or ()), f"{exc.__class__.__name__}: {exc}", kwargs=kwargs,
                                priority=task.priority)
    except Exception:  # the queue must go on even when the database is down; the log line stays
        log.exception("could not record failed job %s", task.name)
