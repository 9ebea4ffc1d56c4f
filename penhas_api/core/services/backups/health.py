"""The backups' line in `penhas health`."""
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.db import connection
from penhas_api.core.models import BackupRun
from penhas_api.core.services.backups.runs import NO_OUTCOME


# `penhas health` reports the backups as down when the newest good one is older than this.
MAX_AGE = timedelta(hours=48)


def health_detail() -> str:
    """For `penhas health`: raises when the newest backup or verification failed, or backups are too old."""
    with connection():
        def newest(kind, *where):
            return (BackupRun.select().where(BackupRun.kind == kind, BackupRun.status.not_in(NO_OUTCOME), *where)
                    .order_by(BackupRun.id.desc()).first())

        last = newest("create")
        if last is None:
            return "no backup yet"
        if last.status == "failed":
            raise RuntimeError(f"last backup failed at {last.started_at:%Y-%m-%d %H:%M}: {last.error}")
        check = newest("verify")
        if check is not None and check.status == "failed":
            raise RuntimeError(f"verification of {check.backup_id} failed: {check.error}")
        good = newest("create", BackupRun.status == "ok")
        if clock.now() - good.started_at > MAX_AGE:
            raise RuntimeError(f"newest backup {good.backup_id} is older than {int(MAX_AGE.total_seconds() // 3600)} h")
        return f"newest {good.backup_id}"
