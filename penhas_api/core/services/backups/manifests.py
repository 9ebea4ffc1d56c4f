"""Manifests (``<id>.manifest.json``: size, SHA-256, schema version, row counts) and the scan of a
location into backups and orphaned files."""
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from penhas_api.core.adapters.storage import StorageError
from penhas_api.core.services.backups.errors import backup_not_found
from penhas_api.core.services.backups.locations import location


FORMAT = "penhas-backup-1"


# Orphaned files (no readable manifest) are removed only once their id is this old: a create still uploading
# has its blob stored before its manifest and must never be touched.
ORPHAN_MIN_AGE = timedelta(days=1)


_FILE_NAME = re.compile(r"^(?P<id>\d{8}T\d{6}Z-[0-9a-f]{4})\.(?:dump\.enc|manifest\.json)$")


@dataclass
class Manifest:
    id: str
    created_at: datetime
    engine: str
    schema_version: str | None
    tables: dict
    size: int
    sha256: str
    key_id: str
    format: str = FORMAT
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"format": self.format, "id": self.id, "created_at": self.created_at.isoformat(timespec="seconds"),
                "engine": self.engine, "schema_version": self.schema_version, "size": self.size,
                "sha256": self.sha256, "key_id": self.key_id, "tables": self.tables, **self.extra}

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        known = {"format", "id", "created_at", "engine", "schema_version", "size", "sha256", "key_id", "tables"}
        return cls(id=data["id"], created_at=datetime.fromisoformat(data["created_at"]), engine=data["engine"],
                   schema_version=data.get("schema_version"), tables=data["tables"], size=data["size"],
                   sha256=data["sha256"], key_id=data["key_id"], format=data.get("format", FORMAT),
                   extra={k: v for k, v in data.items() if k not in known})

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def new_backup_id(now: datetime) -> str:
    # Sortable by time; the random tail keeps two backups in the same second apart.
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@dataclass
class Orphan:
    """Files of a backup id without a readable manifest: a create that crashed between the blob and the
    manifest, or a damaged manifest. Nothing can verify or restore them."""
    id: str
    created_at: datetime
    keys: list
    size: int

    def removable(self, now: datetime) -> bool:
        return now - self.created_at >= ORPHAN_MIN_AGE


@dataclass
class Inventory:
    backups: list
    orphans: list


def scan_backups(where: str | None = None) -> Inventory:
    """The backups at ``where`` with a readable manifest (newest first) and the orphaned files (oldest first).

    Only names a create writes (``<id>.dump.enc``, ``<id>.manifest.json``) are considered, so other files in
    an operator's directory are never taken for orphans. An orphan's age comes from its id (the time its
    create started) because the storage listing gives no dates on either backend."""
    loc = location(where)
    files: dict[str, list] = {}
    for key, size in loc.storage.list(loc.prefix):
        match = _FILE_NAME.match(key[len(loc.prefix):])
        if match:
            files.setdefault(match["id"], []).append((key, size))
    found, orphans = [], []
    for backup_id, entries in files.items():
        try:
            found.append(Manifest.from_dict(json.loads(loc.storage.get(loc.key(backup_id, "manifest.json")))))
            continue
        except (StorageError, ValueError, KeyError, TypeError):
            pass
        created_at = datetime.strptime(backup_id[:16], "%Y%m%dT%H%M%SZ")
        orphans.append(Orphan(backup_id, created_at, sorted(k for k, _ in entries), sum(s for _, s in entries)))
    return Inventory(sorted(found, key=lambda m: (m.created_at, m.id), reverse=True),
                     sorted(orphans, key=lambda o: o.id))


def list_backups(where: str | None = None) -> list[Manifest]:
    """Every backup at ``where`` with a readable manifest, newest first."""
    return scan_backups(where).backups


def get_manifest(backup_id: str, where: str | None = None) -> Manifest:
    loc = location(where)
    if "/" in backup_id or backup_id.startswith("."):
        raise backup_not_found(backup_id, loc.label)
    try:
        return Manifest.from_dict(json.loads(loc.storage.get(loc.key(backup_id, "manifest.json"))))
    except StorageError:
        raise backup_not_found(backup_id, loc.label) from None
