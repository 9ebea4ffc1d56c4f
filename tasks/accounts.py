"""Accounts: the CEP lookup after sign-up, and housekeeping (due LGPD deletions, expired sessions, stale CPF-error
counters, CEPs never looked up)."""
import logging

from huey import crontab

from penhas_api.core.services import accounts
from penhas_api.core.queue import huey
from tasks.base import periodic_job, with_db

log = logging.getLogger("penhas.tasks")


@huey.task(retries=4, retry_delay=60, name="accounts.delete_user")
@with_db
def delete_user(cliente_id: int):
    """Erase one account whose grace period is over (idempotent; retried on failure)."""
    return accounts.erase_user(cliente_id, reason="scheduled")


# 5 attempts, as the original; waits of 16, 40, 100 and 250 s between them (≈ Minion's retries⁴ + 15 s).
@huey.task(retries=4, retry_delay=16, retry_backoff=2.5, name=accounts.CEP_TASK_NAME)
@with_db
def cliente_update_cep(cliente_id: int):
    """Fill the account's city, state and IBGE municipality from ViaCEP (idempotent; retried on failure)."""
    return accounts.update_cep(cliente_id)


@periodic_job("accounts.housekeeping", crontab(minute="*"))
def accounts_housekeeping():
    """Start due account deletions, drop expired sessions and CPF-error counters older than 24 h, queue CEP
    lookups never queued."""
    due = accounts.start_due_deletions()
    for cliente_id in due:
        delete_user(cliente_id)
    sessions = accounts.purge_expired_sessions()
    cpf_errors = accounts.purge_expired_cpf_errors()
    ceps = accounts.queue_missing_cep_updates()
    return {"deletions_started": len(due), "sessions_expired": sessions, "cpf_errors_expired": cpf_errors,
            "cep_lookups_queued": ceps}
