"""``backup_runs`` records: one per create/verify/prune (running → ok / failed), read by ``penhas health``."""
from contextlib import contextmanager

from penhas_api.core import clock
from penhas_api.core.db import connection
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import BackupRun
from penhas_api.core.services.backups.locations import Location


# Statuses without an outcome; "interrupted" marks a run whose outcome a restore left behind (close_stale_runs).
NO_OUTCOME = ("running", "interrupted")


@contextmanager
def recorded_run(kind: str, loc: Location, backup_id: str | None = None):
    """A backup_runs row for this piece of work: running → ok / failed (with the error) whatever happens."""
    with connection():
        run = BackupRun.create(kind=kind, backup_id=backup_id, location=loc.label, status="running",
                               started_at=clock.now())
    try:
        yield run
    except BaseException as exc:
        message = exc.message if isinstance(exc, PenhasError) else f"{exc.__class__.__name__}: {exc}"
        _close_run(run, "failed", message[:1000])
        raise
    _close_run(run, "ok")


def _close_run(run: BackupRun, status: str, error: str | None = None) -> None:
    with connection():
        BackupRun.update(status=status, error=error, finished_at=clock.now(), backup_id=run.backup_id,
                         detail=run.detail).where(BackupRun.id == run.id).execute()


def last_verifications(ids: list[str]) -> dict[str, BackupRun]:
    """The newest finished verification of each backup id."""
    if not ids:
        return {}
    out = {}
    with connection():
        query = (BackupRun.select().where(BackupRun.kind == "verify", BackupRun.backup_id.in_(ids),
                                          BackupRun.status.not_in(NO_OUTCOME)).order_by(BackupRun.id))
        for run in query:
            out[run.backup_id] = run
    return out
