"""Operations housekeeping: the nightly backup (create → verify → prune), trimming job history and geo cache."""
import logging

from huey import crontab

from penhas_api.core.services import backups, housekeeping, jobs, periodic
from tasks.base import periodic_job

log = logging.getLogger("penhas.tasks")


# The audit trail's actor for what the nightly job does to the backups (an operator's name otherwise).
NIGHTLY_ACTOR = "task:backup.nightly"


@periodic_job("backup.nightly", crontab(minute="30", hour="3"))
def nightly_backup():
    """Back up the database to storage, verify the backup by restoring it, prune by 7 daily/4 weekly/6 monthly."""
    try:
        manifest = backups.create_backup(actor=NIGHTLY_ACTOR)
        backups.verify_backup(manifest.id, actor=NIGHTLY_ACTOR)
        plan = backups.prune_backups(7, 4, 6, actor=NIGHTLY_ACTOR)
    except Exception as exc:
        # Shown by `penhas jobs failed`; `penhas jobs retry` runs it again at once, outside the schedule.
        jobs.record_failure("backup.nightly", error=str(getattr(exc, "message", None) or exc) or repr(exc),
                            kwargs={"manual": True})
        raise
    return {"backup": manifest.id, "size": manifest.size, "rows": manifest.total_rows, "pruned": len(plan.delete)}


@periodic_job("ops.trim_job_history", crontab(minute="10", hour="4"))
def trim_job_history():
    """Forget periodic-run records older than 30 days."""
    return {"deleted": periodic.trim_history(30)}


@periodic_job("geo.trim_cache", crontab(minute="20", hour="4"))
def trim_geo_cache():
    """Delete expired geocoder cache rows."""
    return {"deleted": housekeeping.trim_geo_cache()}
