"""Engine drivers: dump (``pg_dump`` from an exported snapshot, SQLite online backup), row inventories,
and restores (into a scratch database for verification, or over a target)."""
import os
import secrets
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from penhas_api.core.db import database, libpq_params
from penhas_api.core.services.backups.errors import backup_error
from penhas_api.core.settings import get_settings


# PostGIS's own catalogue: recreated by CREATE EXTENSION, not application data.
IGNORED_TABLES = {"spatial_ref_sys"}


def engine_of(url: str) -> str:
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql"
    if url.startswith("sqlite:///"):
        return "sqlite"
    raise backup_error("DATABASE_URL must start with postgresql:// or sqlite:///")


# libpq keyword -> the environment variable pg_dump/pg_restore read it from (libpq's own table).
_PG_ENV_NAMES = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER",
                 "password": "PGPASSWORD", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                 "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslcrl": "PGSSLCRL",
                 "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME", "options": "PGOPTIONS",
                 "target_session_attrs": "PGTARGETSESSIONATTRS", "channel_binding": "PGCHANNELBINDING"}


def _pg_params(url: str) -> dict:
    """The URL's libpq keywords (core/db.py parses DATABASE_URL once), keeping only what libpq understands."""
    return {k: v for k, v in libpq_params(url).items() if k in _PG_ENV_NAMES}


def _pg_env(url: str) -> dict:
    """libpq environment for pg_dump/pg_restore, so the password never appears on a command line."""
    env = dict(os.environ)
    env.update({_PG_ENV_NAMES[k]: v for k, v in _pg_params(url).items()})
    return env


def _pg_connect(url: str):
    import psycopg2

    return psycopg2.connect(**{"connect_timeout": "10", **_pg_params(url)})


def _run_tool(args: list[str], env: dict) -> None:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise backup_error(f"{args[0]} not found: install the PostgreSQL client of the server's version"
                           ) from None
    if result.returncode != 0:
        # pg tools print the failing statement, never the password (it travels in PGPASSWORD).
        raise backup_error(f"{args[0]} failed: {result.stderr.strip()[-500:]}")


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


def dump_postgres(url: str, target: Path) -> tuple[dict, str | None]:
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


def sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):])


def dump_sqlite(url: str, target: Path) -> tuple[dict, str | None]:
    source = sqlite3.connect(sqlite_path(url), timeout=30)
    dest = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot while the app keeps writing.
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return _sqlite_inventory(target)


def _scratch_postgres_url(base_url: str) -> str:
    parsed = urlparse(base_url)
    return urlunparse(parsed._replace(path=f"/penhas_verify_{secrets.token_hex(4)}"))


def restore_into_scratch_postgres(raw: Path) -> dict:
    base = get_settings().database_url
    if engine_of(base) != "postgresql":
        raise backup_error("verifying a PostgreSQL backup needs a PostgreSQL DATABASE_URL (the scratch database "
                     "is created on the same server)")
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


def check_sqlite(raw: Path) -> dict:
    conn = sqlite3.connect(raw)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError:
        raise backup_error("the restored file is not a valid SQLite database") from None
    finally:
        conn.close()
    if status != "ok":
        raise backup_error(f"SQLite integrity_check failed: {status[:200]}")
    return _sqlite_inventory(raw)[0]


def _close_own_pool() -> None:
    # Pooled idle connections of this process would keep the old schema's catalog entries busy (and count as
    # other clients of the target).
    close_all = getattr(database.obj, "close_all", None)
    if close_all:
        close_all()


def pg_other_connections(url: str) -> int:
    """Client connections to the database of ``url`` other than this process's probe."""
    _close_own_pool()
    # A missing or unreachable target raises libpq's error: the CLI names it with its remedy (penhas_cli/errors.py).
    conn = _pg_connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            return cursor.fetchone()[0]
    finally:
        conn.close()


def has_tables(url: str) -> bool:
    """Whether the database holds any table (something a restore would overwrite)."""
    if engine_of(url) == "postgresql":
        conn = _pg_connect(url)
        try:
            with conn.cursor() as cursor:
                cursor.execute(_PG_TABLES)
                return any(r[0] not in IGNORED_TABLES for r in cursor.fetchall())
        finally:
            conn.close()
    path = sqlite_path(url)
    if not path.is_file():
        return False
    conn = sqlite3.connect(path)
    try:
        return bool(conn.execute(_SQLITE_TABLES).fetchall())
    finally:
        conn.close()


def restore_postgres(raw: Path, target_url: str) -> None:
    _close_own_pool()
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


def restore_sqlite(raw: Path, target: Path) -> None:
    check_sqlite(raw)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(raw)
    dest = sqlite3.connect(target, timeout=30)
    try:
        # The backup API replaces every page of the target, WAL included, under SQLite's own locking.
        source.backup(dest)
    finally:
        dest.close()
        source.close()
