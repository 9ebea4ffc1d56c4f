"""Database backups: dump, compress, encrypt and store with a manifest; verify, restore, prune.

A backup is two objects under a timestamped id: ``<id>.dump.enc`` (the dump — ``pg_dump`` custom format on
PostgreSQL, an online-backup copy of the file on SQLite — gzip-compressed, then AES-256-GCM encrypted with a key
derived from ``BACKUP_KEY``) and ``<id>.manifest.json`` (plain JSON: size, SHA-256, schema version and the row
count of every table as of the dump). They live in the configured object storage under ``backups/`` or in a
directory the operator names. Every create/verify/prune/restore leaves a ``backup_runs`` row that
``penhas health`` reads.

Modules: ``container`` (encryption format), ``engines`` (dump/restore drivers), ``manifests``, ``locations``,
``runs`` (backup_runs records), ``create``, ``verify``, ``restore``, ``retention`` (prune), ``health``. The
operator-facing functions are re-exported here.
"""
from penhas_api.core.services.backups.locations import location  # noqa: F401
from penhas_api.core.services.backups.container import key_id  # noqa: F401
from penhas_api.core.services.backups.engines import engine_of, IGNORED_TABLES  # noqa: F401
from penhas_api.core.services.backups.manifests import (  # noqa: F401
    Inventory, Manifest, ORPHAN_MIN_AGE, Orphan, get_manifest, list_backups, new_backup_id, scan_backups)
from penhas_api.core.services.backups.runs import last_verifications  # noqa: F401
from penhas_api.core.services.backups.create import create_backup  # noqa: F401
from penhas_api.core.services.backups.verify import VerifyResult, verify_backup  # noqa: F401
from penhas_api.core.services.backups.restore import Restored, restore_backup  # noqa: F401
from penhas_api.core.services.backups.retention import PrunePlan, plan_prune, prune_backups  # noqa: F401
from penhas_api.core.services.backups.health import health_detail  # noqa: F401
