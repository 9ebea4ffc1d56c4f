"""Creating a backup: dump, encrypt, store blob + manifest."""
import json

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import connection
from penhas_api.core.services.backups.container import encrypt_file, key_id, workdir
from penhas_api.core.services.backups.engines import dump_postgres, dump_sqlite, engine_of
from penhas_api.core.services.backups.locations import location
from penhas_api.core.services.backups.manifests import Manifest, new_backup_id
from penhas_api.core.services.backups.runs import recorded_run
from penhas_api.core.settings import get_settings


def create_backup(where: str | None = None, database_url: str | None = None, progress=None,
                  actor: str | None = None) -> Manifest:
    """Dump the configured database (or ``database_url``), encrypt it and store blob + manifest at ``where``
    (audited as ``actor``: the operator, or the nightly task)."""
    url = database_url or get_settings().database_url
    engine = engine_of(url)
    loc = location(where)
    step = progress or (lambda _msg: None)
    now = clock.now()
    backup_id = new_backup_id(now)
    # The run row names its backup from the start: the copy of it inside the dump is how a restore recognises
    # the backup's own (still running) create row.
    with recorded_run("create", loc, backup_id) as run, workdir() as work:
        raw, enc = work / "dump", work / "dump.enc"
        step("dump")
        counts, version = (dump_postgres if engine == "postgresql" else dump_sqlite)(url, raw)
        plain_size = raw.stat().st_size
        step("encrypt")
        size, digest = encrypt_file(raw, enc, backup_id)
        manifest = Manifest(id=backup_id, created_at=now, engine=engine, schema_version=version, tables=counts,
                            size=size, sha256=digest, key_id=key_id(), extra={"dump_size": plain_size})
        step("upload")
        blob_key = loc.key(backup_id, "dump.enc")
        loc.storage.put_file(blob_key, enc)
        try:
            loc.storage.put(loc.key(backup_id, "manifest.json"),
                            json.dumps(manifest.as_dict(), indent=2).encode(), "application/json")
        except Exception:
            loc.storage.delete(blob_key)
            raise
        run.detail = {"size": size, "rows": manifest.total_rows, "schema_version": version, "engine": engine}
    with connection():
        audit("backup.create", "backup", manifest.id, actor=actor, location=where or "storage", size=manifest.size)
    return manifest
