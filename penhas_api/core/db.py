"""Database handle shared by every door: PostgreSQL+PostGIS (pooled) in production, SQLite (WAL) embedded.

One schema is written in ``sql/`` migrations; the peewee models here describe the same tables
(``tests/unit/test_schema_drift.py`` fails when they disagree).
"""
import json
from contextlib import contextmanager
from urllib.parse import unquote, urlparse

import peewee
from playhouse.pool import PooledPostgresqlDatabase

from penhas_api.core.settings import get_settings

database = peewee.DatabaseProxy()
_initialized_url: str | None = None


def make_database(url: str):
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        return peewee.SqliteDatabase(
            path,
            pragmas={"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal"},
            timeout=10,
        )
    if url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(url)
        return PooledPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or 5432,
            max_connections=32,
            stale_timeout=300,
            timeout=10,
            options="-c timezone=UTC",
            connect_timeout=5,
        )
    raise ValueError("DATABASE_URL must start with postgresql:// or sqlite:///")


def init_db(url: str | None = None, force: bool = False):
    """Point the shared proxy at the configured database (idempotent)."""
    global _initialized_url
    if url is None and _initialized_url is not None and not force:
        return database
    url = url or get_settings().database_url
    if force or _initialized_url != url:
        if _initialized_url is not None and database.obj is not None:
            database.close() if not database.is_closed() else None
            if hasattr(database.obj, "close_all"):
                database.obj.close_all()
        database.initialize(make_database(url))
        _initialized_url = url
    return database


def is_postgres() -> bool:
    return isinstance(database.obj, peewee.PostgresqlDatabase)


@contextmanager
def connection():
    """Open a connection for one unit of work (CLI command, task) and always close it."""
    init_db()
    opened = database.connect(reuse_if_open=True)
    try:
        yield database
    finally:
        if opened and not database.is_closed():
            database.close()


class JSONField(peewee.TextField):
    """JSON kept as text on both engines, so SQL stays identical and values round-trip the same."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        if value is None or isinstance(value, (dict, list)):
            return value
        return json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False
