"""Where backups live: the configured object storage under ``backups/``, or a directory."""
from dataclasses import dataclass
from pathlib import Path

from penhas_api.core.adapters.storage import DiskStorage, get_storage


STORAGE_PREFIX = "backups/"


@dataclass
class Location:
    storage: object
    prefix: str
    label: str

    def key(self, backup_id: str, suffix: str) -> str:
        return f"{self.prefix}{backup_id}.{suffix}"


def location(where: str | None = None) -> Location:
    """``None``/``"storage"``: the configured object storage (S3 or the data dir); anything else: a directory."""
    if where in (None, "", "storage"):
        return Location(get_storage(), STORAGE_PREFIX, "storage")
    path = Path(where).expanduser().resolve()
    return Location(DiskStorage(path), "", str(path))
