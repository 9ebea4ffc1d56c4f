"""Database backups: dump, compress, encrypt and store with a manifest; verify, restore, prune.

A backup is two objects under a timestamped id: ``<id>.dump.enc`` (the dump — ``pg_dump`` custom format on
PostgreSQL, an online-backup copy of the file on SQLite — gzip-compressed, then AES-256-GCM encrypted with a key
derived from ``BACKUP_KEY``) and ``<id>.manifest.json`` (plain JSON: size, SHA-256, schema version and the row
count of every table as of the dump). They live in the configured object storage under ``backups/`` or in a
directory the operator names. Every create/verify/prune/restore leaves a ``backup_runs`` row that
``penhas health`` reads.
"""
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse, urlunparse

import peewee
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from penhas_api.core import clock
from penhas_api.core.adapters.storage import DiskStorage, StorageError, get_storage
from penhas_api.core.audit import audit
from penhas_api.core.db import connection, database, make_database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import BackupRun
from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.backups")

FORMAT = "penhas-backup-1"
MAGIC = b"PENHASBK\x01"
SALT_BYTES, NONCE_BYTES, TAG_BYTES = 16, 12, 16
CHUNK = 1 << 20
STORAGE_PREFIX = "backups/"
# PostGIS's own catalogue: recreated by CREATE EXTENSION, not application data.
IGNORED_TABLES = {"spatial_ref_sys"}
# `penhas health` reports the backups as down when the newest good one is older than this.
MAX_AGE = timedelta(hours=48)
# Orphaned files (no readable manifest) are removed only once their id is this old: a create still uploading
# has its blob stored before its manifest and must never be touched.
ORPHAN_MIN_AGE = timedelta(days=1)
# Statuses without an outcome; "interrupted" marks a run whose outcome a restore left behind (_close_stale_runs).
NO_OUTCOME = ("running", "interrupted")
_FILE_NAME = re.compile(r"^(?P<id>\d{8}T\d{6}Z-[0-9a-f]{4})\.(?:dump\.enc|manifest\.json)$")


def _error(message: str) -> PenhasError:
    return PenhasError("backup_error", message, 400)


# --- where backups live -------------------------------------------------------------------------------------


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


# --- encryption: MAGIC | salt | nonce | ciphertext | tag ------------------------------------------------------


def _derive_key(salt: bytes) -> bytes:
    secret = get_settings().backup_key.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"penhas-backup-v1").derive(secret)


def key_id() -> str:
    """A fingerprint of BACKUP_KEY (not the key): tells which key a backup needs without revealing it."""
    return hmac.new(get_settings().backup_key.encode(), b"penhas-backup-key-id", hashlib.sha256).hexdigest()[:16]


def _encrypt_file(source: Path, target: Path, backup_id: str) -> tuple[int, str]:
    """gzip then AES-GCM ``source`` into ``target``; returns (size, sha256) of ``target``."""
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(_derive_key(salt)), modes.GCM(nonce)).encryptor()
    # The id is authenticated with the data so a blob cannot be passed off under another backup's manifest.
    encryptor.authenticate_additional_data(MAGIC + backup_id.encode())
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as out:
        def write(data: bytes):
            if data:
                out.write(data)
                digest.update(data)

        write(MAGIC + salt + nonce)
        while chunk := src.read(CHUNK):
            write(encryptor.update(compressor.compress(chunk)))
        write(encryptor.update(compressor.flush()))
        write(encryptor.finalize())
        write(encryptor.tag)
    return target.stat().st_size, digest.hexdigest()


def _decrypt_file(source: Path, target: Path, backup_id: str) -> None:
    """Authenticate and decrypt ``source``, then decompress into ``target``. Nothing is decompressed before the
    GCM tag has been checked, so a tampered file never reaches zlib or a database."""
    size = source.stat().st_size
    header = len(MAGIC) + SALT_BYTES + NONCE_BYTES
    if size < header + TAG_BYTES:
        raise _error("Arquivo de backup truncado.")
    compressed = target.with_name(target.name + ".gz")
    with open(source, "rb") as src, open(compressed, "wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise _error("Arquivo não é um backup do PenhaS.")
        salt, nonce = src.read(SALT_BYTES), src.read(NONCE_BYTES)
        src.seek(size - TAG_BYTES)
        tag = src.read(TAG_BYTES)
        src.seek(header)
        decryptor = Cipher(algorithms.AES(_derive_key(salt)), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(MAGIC + backup_id.encode())
        remaining = size - header - TAG_BYTES
        while remaining > 0:
            chunk = src.read(min(CHUNK, remaining))
            remaining -= len(chunk)
            out.write(decryptor.update(chunk))
        try:
            decryptor.finalize()
        except InvalidTag:
            out.close()
            compressed.unlink()
            raise _error("Backup adulterado ou cifrado com outra chave (BACKUP_KEY).") from None
    try:
        decompressor = zlib.decompressobj(31)
        with open(compressed, "rb") as src, open(target, "wb") as out:
            while chunk := src.read(CHUNK):
                out.write(decompressor.decompress(chunk))
            out.write(decompressor.flush())
    except zlib.error:
        raise _error("Backup corrompido.") from None
    finally:
        compressed.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- engines --------------------------------------------------------------------------------------------------


def engine_of(url: str) -> str:
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql"
    if url.startswith("sqlite:///"):
        return "sqlite"
    raise _error("DATABASE_URL deve começar com postgresql:// ou sqlite:///")


def _pg_env(url: str) -> dict:
    """libpq environment for pg_dump/pg_restore, so the password never appears on a command line."""
    parsed = urlparse(url)
    env = dict(os.environ)
    env.update(PGHOST=parsed.hostname or "localhost", PGPORT=str(parsed.port or 5432),
               PGDATABASE=unquote(parsed.path.lstrip("/")))
    if parsed.username:
        env["PGUSER"] = unquote(parsed.username)
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    sslmode = parse_qs(parsed.query).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode[0]
    return env


def _pg_connect(url: str):
    import psycopg2

    parsed = urlparse(url)
    return psycopg2.connect(dbname=unquote(parsed.path.lstrip("/")), host=parsed.hostname or "localhost",
                            port=parsed.port or 5432,
                            user=unquote(parsed.username) if parsed.username else None,
                            password=unquote(parsed.password) if parsed.password else None,
                            connect_timeout=10, **{k: v[0] for k, v in parse_qs(parsed.query).items()})


def _run_tool(args: list[str], env: dict) -> None:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise _error(f"{args[0]} não encontrado: instale o cliente do PostgreSQL da versão do servidor.") from None
    if result.returncode != 0:
        # pg tools print the failing statement, never the password (it travels in PGPASSWORD).
        raise _error(f"{args[0]} falhou: {result.stderr.strip()[-500:]}")


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _schema_version(counts: dict, cursor) -> str | None:
    if "schema_migrations" not in counts:
        return None
    cursor.execute("SELECT MAX(version) FROM schema_migrations")
    return cursor.fetchone()[0]


_PG_TABLES = ("SELECT table_name FROM information_schema.tables "
              "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


def _pg_inventory(cursor) -> tuple[dict, str | None]:
    cursor.execute(_PG_TABLES)
    counts = _count_rows(cursor, [r[0] for r in cursor.fetchall() if r[0] not in IGNORED_TABLES])
    return counts, _schema_version(counts, cursor)


def _sqlite_inventory(path: Path) -> tuple[dict, str | None]:
    conn = sqlite3.connect(path)
    try:
        cursor = conn.cursor()
        cursor.execute(_SQLITE_TABLES)
        counts = _count_rows(cursor, [r[0] for r in cursor.fetchall()])
        return counts, _schema_version(counts, cursor)
    finally:
        conn.close()


def _dump_postgres(url: str, target: Path) -> tuple[dict, str | None]:
    """pg_dump from an exported snapshot, counting rows in that same snapshot so the manifest matches the dump."""
    conn = _pg_connect(url)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, version = _pg_inventory(cursor)
            _run_tool(["pg_dump", "--format=custom", "--compress=0", "--no-owner", "--no-privileges",
                       f"--snapshot={snapshot}", f"--file={target}"], _pg_env(url))
        conn.rollback()
    finally:
        conn.close()
    return counts, version


def _sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):])


def _dump_sqlite(url: str, target: Path) -> tuple[dict, str | None]:
    source = sqlite3.connect(_sqlite_path(url), timeout=30)
    dest = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot while the app keeps writing.
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return _sqlite_inventory(target)


# --- manifests and records ------------------------------------------------------------------------------------


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


@contextmanager
def _recorded(kind: str, loc: Location, backup_id: str | None = None):
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


@contextmanager
def _workdir():
    root = get_settings().data_dir / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="backup-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def new_backup_id(now: datetime) -> str:
    # Sortable by time; the random tail keeps two backups in the same second apart.
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


# --- operations -----------------------------------------------------------------------------------------------


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
    with _recorded("create", loc, backup_id) as run, _workdir() as work:
        raw, enc = work / "dump", work / "dump.enc"
        step("dump")
        counts, version = (_dump_postgres if engine == "postgresql" else _dump_sqlite)(url, raw)
        plain_size = raw.stat().st_size
        step("encrypt")
        size, digest = _encrypt_file(raw, enc, backup_id)
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
        raise _error("Identificador de backup inválido.")
    try:
        return Manifest.from_dict(json.loads(loc.storage.get(loc.key(backup_id, "manifest.json"))))
    except StorageError:
        raise _error(f"Backup {backup_id} não encontrado em {loc.label}.") from None


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


def _fetch_plain(manifest: Manifest, loc: Location, work: Path) -> Path:
    """Download, check size and checksum, decrypt and decompress; returns the dump's path."""
    if manifest.key_id != key_id():
        raise _error("Este backup foi cifrado com outra chave (BACKUP_KEY diferente da configurada).")
    enc, raw = work / "dump.enc", work / "dump"
    try:
        loc.storage.get_file(loc.key(manifest.id, "dump.enc"), enc)
    except StorageError:
        raise _error(f"Arquivo do backup {manifest.id} não encontrado.") from None
    if enc.stat().st_size != manifest.size or _sha256(enc) != manifest.sha256:
        raise _error("Checksum do backup não confere com o manifesto.")
    _decrypt_file(enc, raw, manifest.id)
    return raw


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


def _scratch_postgres_url(base_url: str) -> str:
    parsed = urlparse(base_url)
    return urlunparse(parsed._replace(path=f"/penhas_verify_{secrets.token_hex(4)}"))


def _restore_into_scratch_postgres(raw: Path) -> dict:
    base = get_settings().database_url
    if engine_of(base) != "postgresql":
        raise _error("Verificar um backup PostgreSQL exige DATABASE_URL PostgreSQL (o banco temporário é "
                     "criado no mesmo servidor).")
    scratch = _scratch_postgres_url(base)
    name = urlparse(scratch).path.lstrip("/")
    admin = _pg_connect(base)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            _run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={name}",
                       str(raw)], _pg_env(scratch))
            conn = _pg_connect(scratch)
            try:
                with conn.cursor() as cursor:
                    return _pg_inventory(cursor)[0]
            finally:
                conn.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _check_sqlite(raw: Path) -> dict:
    conn = sqlite3.connect(raw)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError:
        raise _error("O arquivo restaurado não é um banco SQLite válido.") from None
    finally:
        conn.close()
    if status != "ok":
        raise _error(f"integrity_check do SQLite falhou: {status[:200]}")
    return _sqlite_inventory(raw)[0]


def verify_backup(backup_id: str, where: str | None = None, progress=None, actor: str | None = None) -> VerifyResult:
    """Restore the backup into a scratch database and compare every table's row count with the manifest
    (audited when it matches)."""
    loc = location(where)
    step = progress or (lambda _msg: None)
    with _recorded("verify", loc, backup_id) as run, _workdir() as work:
        manifest = get_manifest(backup_id, where)
        step("download")
        raw = _fetch_plain(manifest, loc, work)
        step("restore")
        found = _restore_into_scratch_postgres(raw) if manifest.engine == "postgresql" else _check_sqlite(raw)
        result = VerifyResult(backup_id, found == manifest.tables, manifest.tables, found)
        run.detail = {"tables": len(found), "rows": sum(found.values())}
        if not result.ok:
            run.detail["mismatches"] = {k: list(v) for k, v in result.mismatches.items()}
            raise _error("Contagem de linhas do banco restaurado difere do manifesto: "
                         + ", ".join(f"{k} {e}→{f}" for k, (e, f) in list(result.mismatches.items())[:10]))
    with connection():
        audit("backup.verify", "backup", backup_id, actor=actor, location=where or "storage")
    return result


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
        with _workdir() as work:
            manifest = get_manifest(backup_id, where)
            if manifest.engine != target_engine:
                raise _error(f"Backup de {manifest.engine} não pode ser restaurado em {target_engine}.")
            step("download")
            raw = _fetch_plain(manifest, loc, work)
            step("restore")
            if not database.is_closed():
                database.close()
            if target_engine == "postgresql":
                _restore_postgres(raw, target_url)
            else:
                _restore_sqlite(raw, _sqlite_path(target_url))
            _close_stale_runs(target_url, manifest)
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


def _close_stale_runs(target_url: str, manifest: Manifest) -> None:
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


def _restore_postgres(raw: Path, target_url: str) -> None:
    # Pooled idle connections of this process would keep the old schema's catalog entries busy.
    close_all = getattr(database.obj, "close_all", None)
    if close_all:
        close_all()
    conn = _pg_connect(target_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            # An empty public schema, so tables added after the backup do not survive next to restored ones.
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    finally:
        conn.close()
    _run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={_pg_env(target_url)['PGDATABASE']}", str(raw)], _pg_env(target_url))


def _restore_sqlite(raw: Path, target: Path) -> None:
    _check_sqlite(raw)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(raw)
    dest = sqlite3.connect(target, timeout=30)
    try:
        # The backup API replaces every page of the target, WAL included, under SQLite's own locking.
        source.backup(dest)
    finally:
        dest.close()
        source.close()


@dataclass
class PrunePlan:
    keep: list
    delete: list
    # Orphaned files old enough to remove, and those too recent to touch (a create may still be running).
    orphans: list = field(default_factory=list)
    recent_orphans: list = field(default_factory=list)


def plan_prune(manifests: list[Manifest], keep_daily: int, keep_weekly: int, keep_monthly: int) -> PrunePlan:
    """Keep the newest backup of each of the last N days, ISO weeks and months that have one; drop the rest."""
    ordered = sorted(manifests, key=lambda m: (m.created_at, m.id), reverse=True)
    keep_ids = set()
    for count, bucket in ((keep_daily, lambda d: d.date()),
                          (keep_weekly, lambda d: tuple(d.isocalendar())[:2]),
                          (keep_monthly, lambda d: (d.year, d.month))):
        seen = []
        for m in ordered:
            b = bucket(m.created_at)
            if b not in seen:
                if len(seen) == count:
                    break
                seen.append(b)
                keep_ids.add(m.id)
    return PrunePlan([m for m in ordered if m.id in keep_ids], [m for m in ordered if m.id not in keep_ids])


def prune_backups(keep_daily: int = 7, keep_weekly: int = 4, keep_monthly: int = 6, where: str | None = None,
                  dry_run: bool = False, actor: str | None = None) -> PrunePlan:
    """Delete what the retention plan drops and removable orphans (audited; ``dry_run`` only plans)."""
    if min(keep_daily, keep_weekly, keep_monthly) < 0 or keep_daily + keep_weekly + keep_monthly == 0:
        raise _error("A retenção precisa manter ao menos um backup.")
    loc = location(where)
    found = scan_backups(where)
    plan = plan_prune(found.backups, keep_daily, keep_weekly, keep_monthly)
    now = clock.now()
    plan.orphans = [o for o in found.orphans if o.removable(now)]
    plan.recent_orphans = [o for o in found.orphans if not o.removable(now)]
    if dry_run:
        return plan
    with _recorded("prune", loc) as run:
        for m in plan.delete:
            loc.storage.delete(loc.key(m.id, "manifest.json"))
            loc.storage.delete(loc.key(m.id, "dump.enc"))
        for orphan in plan.orphans:
            for key in orphan.keys:
                loc.storage.delete(key)
        run.detail = {"kept": len(plan.keep), "deleted": [m.id for m in plan.delete],
                      "orphans_deleted": [o.id for o in plan.orphans]}
    with connection():
        audit("backup.prune", "backup", None, actor=actor, location=where or "storage",
              deleted=[m.id for m in plan.delete], orphans_deleted=[o.id for o in plan.orphans])
    return plan


# --- health ---------------------------------------------------------------------------------------------------


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
