"""Restoring a backup over a target database, and closing the run records the dump caught running."""
import logging
from dataclasses import dataclass
from datetime import datetime

import peewee

from penhas_api.core import clock, serving_lock
from penhas_api.core.audit import audit
from penhas_api.core.db import connection, database, make_database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import BackupRun
from penhas_api.core.services.backups.container import fetch_plain, workdir
from penhas_api.core.services.backups.create import create_backup
from penhas_api.core.services.backups.engines import (engine_of, has_tables, pg_other_connections, restore_postgres,
                                                      restore_sqlite, sqlite_path)
from penhas_api.core.services.backups.errors import backup_error
from penhas_api.core.services.backups.locations import Location, location
from penhas_api.core.services.backups.manifests import Manifest, get_manifest


log = logging.getLogger("penhas.backups")


@dataclass
class Restored:
    manifest: Manifest
    safety_backup: Manifest | None  # the backup of what the restore replaced (None: empty target, or skipped)
    forced_over: str | None  # the active clients a --force restore went ahead despite


def active_clients(target_url: str) -> str | None:
    """What else uses the target database right now, in words for the operator; None when nothing does.
    PostgreSQL: other client connections to it. SQLite: a `penhas serve` or `penhas worker` holding its lock."""
    if engine_of(target_url) == "postgresql":
        count = pg_other_connections(target_url)
        return f"{count} other connection(s) to the target database are open" if count else None
    if serving_lock.in_use(target_url):
        return "a penhas serve or penhas worker is running on the target database"
    return None


def restore_backup(backup_id: str, target_url: str, where: str | None = None, progress=None, *, force: bool = False,
                   safety_backup: bool = True, on_forced=None) -> Restored:
    """Replace everything in ``target_url`` with the backup's contents. Stop the API and workers first: a target
    with active clients is refused unless ``force`` (``on_forced(description)`` is told before going ahead).
    What the target holds is backed up first (to ``where``, next to the backup being restored) unless
    ``safety_backup`` is off or the target has no tables.

    The target may be the configured database itself, lost or empty (the disaster this exists for): nothing is
    written to the configured database before the restore but the safety backup's own record, and the restore's
    run record and audit row are written after it, so they land in the restored database instead of being
    replaced or overwriting a restored row."""
    loc = location(where)
    step = progress or (lambda _msg: None)
    started = clock.now()
    safety, busy = None, None
    try:
        target_engine = engine_of(target_url)
        manifest = get_manifest(backup_id, where)
        if manifest.engine != target_engine:
            raise backup_error(f"a {manifest.engine} backup cannot be restored into {target_engine}")
        busy = active_clients(target_url)
        if busy and not force:
            raise backup_error(f"{busy}: stop every penhas serve and penhas worker using it, or pass --force")
        if busy and on_forced:
            on_forced(busy)
        with workdir() as work:
            step("download")
            raw = fetch_plain(manifest, loc, work)
            if safety_backup and has_tables(target_url):
                step("safety")
                safety = create_backup(where, database_url=target_url)
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
                                                           "rows": manifest.total_rows,
                                                           "safety_backup": safety.id if safety else None,
                                                           "forced": bool(busy)},
                    schema_version=manifest.schema_version)
    return Restored(manifest, safety, busy)


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
                audit("backup.restore", "backup", backup_id, target_engine=detail["target_engine"],
                      schema_version=schema_version, safety_backup=detail["safety_backup"],
                      forced=detail["forced"])
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
