"""Guardians housekeeping: invites nobody answered within their 30 days become expired."""
from huey import crontab

from penhas_api.core.services import guardians
from tasks.base import periodic_job


@periodic_job("guardians.expire_invites", crontab(minute="*/15"))
def expire_invites():
    """Mark pending guardian invites past their expiry date as expired."""
    return {"expired": guardians.expire_all_overdue()}
