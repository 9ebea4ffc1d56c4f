"""Verifying a backup by restoring it into a scratch database and comparing row counts."""
from dataclasses import dataclass

from penhas_api.core.audit import audit
from penhas_api.core.db import connection
from penhas_api.core.services.backups.container import fetch_plain, workdir
from penhas_api.core.services.backups.engines import check_sqlite, restore_into_scratch_postgres
from penhas_api.core.services.backups.errors import backup_error
from penhas_api.core.services.backups.locations import location
from penhas_api.core.services.backups.manifests import get_manifest
from penhas_api.core.services.backups.runs import recorded_run


@dataclass
class VerifyResult:
    backup_id: str
    ok: bool
    expected: dict
    found: dict

    @property
    def mismatches(self) -> dict:
        names = set(self.expected) | set(self.found)
        return {n: (self.expected.get(n), self.found.get(n)) for n in sorted(names)
                if self.expected.get(n) != self.found.get(n)}


def verify_backup(backup_id: str, where: str | None = None, progress=None, actor: str | None = None) -> VerifyResult:
    """Restore the backup into a scratch database and compare every table's row count with the manifest
    (audited when it matches)."""
    loc = location(where)
    step = progress or (lambda _msg: None)
    manifest = get_manifest(backup_id, where)  # an unknown id is the operator's typo: not a verification result
    with recorded_run("verify", loc, backup_id) as run, workdir() as work:
        step("download")
        raw = fetch_plain(manifest, loc, work)
        step("restore")
        found = restore_into_scratch_postgres(raw) if manifest.engine == "postgresql" else check_sqlite(raw)
        result = VerifyResult(backup_id, found == manifest.tables, manifest.tables, found)
        run.detail = {"tables": len(found), "rows": sum(found.values())}
        if not result.ok:
            run.detail["mismatches"] = {k: list(v) for k, v in result.mismatches.items()}
            raise backup_error("row counts of the restored database differ from the manifest: "
                         + ", ".join(f"{k} {e}→{f}" for k, (e, f) in list(result.mismatches.items())[:10]))
    with connection():
        audit("backup.verify", "backup", backup_id, actor=actor, location=where or "storage")
    return result
