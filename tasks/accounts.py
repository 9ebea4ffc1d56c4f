"""Accounts housekeeping: due LGPD deletions, expired sessions and stale CPF-error counters."""
import logging

from huey import crontab

from penhas_api.core.services import accounts
from tasks import huey
from tasks.base import periodic_job, with_db

log = logging.getLogger("penhas.tasks")


@huey.task(retries=4, retry_delay=60, name="accounts.delete_user")
@with_db
def delete_user(cliente_id: int):
    """Erase one account whose grace period is over (idempotent; retried on failure)."""
    return accounts.erase_user(cliente_id, reason="scheduled")


@periodic_job("accounts.housekeeping", crontab(minute="*"))
def accounts_housekeeping():
    """Start due account deletions, drop expired sessions and CPF-error counters older than 24 h."""
    due = accounts.start_due_deletions()
    for cliente_id in due:
        delete_user(cliente_id)
    sessions = accounts.purge_expired_sessions()
    cpf_errors = accounts.purge_expired_cpf_errors()
    return {"deletions_started": len(due), "sessions_expired": sessions, "cpf_errors_expired": cpf_errors}
