"""Restoring a backup over a target database, and closing the run records the dump caught running."""
import logging
from datetime import datetime

import peewee

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import connection, database, make_database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import BackupRun
from penhas_api.core.services.backups.container import fetch_plain, workdir
from penhas_api.core.services.backups.engines import engine_of, restore_postgres, restore_sqlite, sqlite_path
from penhas_api.core.services.backups.errors import backup_error
from penhas_api.core.services.backups.locations import Location, location
from penhas_api.core.services.backups.manifests import Manifest, get_manifest


log = logging.getLogger("penhas.backups")


def restore_backup(backup_id: str, target_url: str, where: str | None = None, progress=None) -> Manifest:
    """Replace everything in ``target_url`` with the backup's contents. Stop the API and workers first.

    The target may be the configured database itself, lost or empty (the disaster this exists for): nothing is
    written to the configured database before the restore, and its run record and audit row are written after
    it, so they land in the restored database instead of being replaced or overwriting a restored row."""
    loc = location(where)
    step = progress or (lambda _msg: None)
    started = clock.now()
    try:
        target_engine = engine_of(target_url)
        with workdir() as work:
            manifest = get_manifest(backup_id, where)
            if manifest.engine != target_engine:
                raise backup_error(f"a {manifest.engine} backup cannot be restored into {target_engine}")
            step("download")
            raw = fetch_plain(manifest, loc, work)
            step("restore")
            if not database.is_closed():
                database.close()
            if target_engine == "postgresql":
                restore_postgres(raw, target_url)
            else:
                restore_sqlite(raw, sqlite_path(target_url))
            close_stale_runs(target_url, manifest)
    except BaseException as exc:
        message = exc.message if isinstance(exc, PenhasError) else f"{exc.__class__.__name__}: {exc}"
        _record_restore(loc, backup_id, started, "failed", error=message[:1000])
        raise
    _record_restore(loc, backup_id, started, "ok", detail={"target_engine": target_engine,
                                                           "rows": manifest.total_rows},
                    schema_version=manifest.schema_version)
    return manifest


def _record_restore(loc: Location, backup_id: str, started: datetime, status: str, error: str | None = None,
                    detail: dict | None = None, schema_version: str | None = None) -> None:
    """The restore's backup_runs row (and, when it worked, its audit row) in the configured database. That
    database may have no tables (a failed restore into it, or a restore into another target while it is down);
    the outcome still reaches the operator as the command's result, so a record that cannot be written is
    only logged."""
    try:
        with connection():
            BackupRun.create(kind="restore", backup_id=backup_id, location=loc.label, status=status, error=error,
                             started_at=started, finished_at=clock.now(), detail=detail or {})
            if status == "ok":
                audit("backup.restore", "backup", backup_id, target_engine=(detail or {}).get("target_engine"),
                      schema_version=schema_version)
    except peewee.DatabaseError as exc:
        log.warning("restore of %s (%s) could not be recorded: %s", backup_id, status, exc.__class__.__name__)


def close_stale_runs(target_url: str, manifest: Manifest) -> None:
    """Close the backup_runs rows the dump caught while ``running``.

    Rule: in a freshly restored database every ``running`` row is stale — the process that wrote it recorded
    its outcome in the database the backup was taken from, never in this one. The backup's own create row
    (same backup_id; it is always in its dump) has a known outcome: the restore just used its manifest and
    authenticated blob, so it becomes ``ok`` with the manifest's figures. Every other one becomes
    ``interrupted`` (outcome unknown here). Backups made before create rows carried their id from the start
    have that row without an id: it is closed as ``interrupted`` too. finished_at is the restore time: the
    real end is only known to the source database."""
    target = make_database(target_url)
    now = clock.now()
    try:
        with BackupRun.bind_ctx(target), target.connection_context():
            if not target.table_exists(BackupRun._meta.table_name):
                return  # a backup of a database older than the backup_runs table
            with target.atomic():
                (BackupRun.update(status="ok", finished_at=now, error=None,
                                  detail={"size": manifest.size, "rows": manifest.total_rows,
                                          "schema_version": manifest.schema_version, "engine": manifest.engine})
                 .where(BackupRun.status == "running", BackupRun.kind == "create",
                        BackupRun.backup_id == manifest.id).execute())
                (BackupRun.update(status="interrupted", finished_at=now,
                                  error=f"Sem desfecho neste banco: restaurado do backup {manifest.id}.")
                 .where(BackupRun.status == "running").execute())
    finally:
        if hasattr(target, "close_all"):
            target.close_all()
