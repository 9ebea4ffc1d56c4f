"""Database handle shared by every door: PostgreSQL+PostGIS (pooled) in production, SQLite (WAL) embedded.

One schema is written in ``sql/`` migrations; the peewee models here describe the same tables
(``tests/unit/test_schema_drift.py`` fails when they disagree).
"""
import hashlib
import itertools
import json
import re
import threading
import time
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import unquote, urlparse

import peewee
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase

from penhas_api.core.settings import get_settings

_POSTGRES_SCHEMES = ("postgres", "postgresql")
_current: ContextVar = ContextVar("penhas_database", default=None)


class _ContextDatabaseProxy(peewee.DatabaseProxy):
    """The models' database: the one of the app serving this request (``use_database``), else the process's."""

    @property
    def obj(self):
        return _current.get() or peewee.DatabaseProxy.obj.__get__(self)

    @obj.setter
    def obj(self, value):
        peewee.DatabaseProxy.obj.__set__(self, value)


database = _ContextDatabaseProxy()
_initialized_url: str | None = None


def _parse(url: str) -> tuple[str, dict]:
    """(engine, connection keywords) of a DATABASE_URL, query parameters (``sslmode`` ...) included."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        engine = "sqlite"
    elif scheme in _POSTGRES_SCHEMES:
        engine = "postgresql"
    else:
        raise ValueError("DATABASE_URL must start with postgresql:// or sqlite:///")
    params = db_url.parse(url, unquote_password=True, unquote_user=True)
    params["database"] = unquote(params.get("database") or "")
    return engine, params


def libpq_params(url: str) -> dict[str, str]:
    """libpq keywords of a PostgreSQL DATABASE_URL (``dbname``, ``host``, ``port``, ``user``, ``password`` and every
    query parameter such as ``sslmode``): for ``psycopg2.connect(**...)`` and, as PG* variables, for pg_dump."""
    engine, params = _parse(url)
    if engine != "postgresql":
        raise ValueError("not a PostgreSQL DATABASE_URL")
    params["dbname"] = params.pop("database")
    params.setdefault("host", "localhost")
    params.setdefault("port", 5432)
    # Back to text: db_url turns "true"/"5" into Python values, libpq wants strings.
    return {k: ("1" if v is True else "0" if v is False else str(v)) for k, v in params.items() if v is not None}


def sqlite_path(url: str) -> str:
    """The file of a sqlite:/// DATABASE_URL."""
    engine, params = _parse(url)
    if engine != "sqlite":
        raise ValueError("not a SQLite DATABASE_URL")
    return params["database"]


class _PooledPostgres(PooledPostgresqlDatabase):
    """peewee's pool checks each connection it hands out with a ``SELECT 1`` round trip; on a busy worker that was
    one extra round trip per request. A connection handed back less than ``PING_AFTER`` seconds ago and idle by
    libpq's own status is handed out without it; one idle longer is still checked."""

    PING_AFTER = 5.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned_at: dict[int, float] = {}

    def _close(self, conn, close_conn=False):
        if close_conn:
            self._returned_at.pop(self.conn_key(conn), None)
        else:
            self._returned_at[self.conn_key(conn)] = time.monotonic()
        return super()._close(conn, close_conn)

    def _is_closed(self, conn):
        returned = self._returned_at.pop(self.conn_key(conn), None)
        if (not conn.closed and returned is not None and time.monotonic() - returned < self.PING_AFTER
                and self._adapter.txn_status(conn) == self._adapter.txn_idle):
            return False
        return super()._is_closed(conn)


# PostgreSQL plans every statement it receives, and for the hot lookups (the session query on every authenticated
# request, GET /me's) planning costs more than running them: 0.15 ms sent as text, 0.05 ms prepared (issue 17,
# bench/profile_hot.py). So they are prepared once per connection and then only executed. SQLite needs none of
# this: its driver keeps compiled statements. Prepared statements outlive a rollback and end with the connection.
_PG_FORMS: dict[str, tuple[str, str, int]] = {}
_prepared_on: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_prepared_lock = threading.Lock()


def _pg_form(sql: str) -> tuple[str, str, int]:
    """(statement name, text with $n parameters, parameter count) of a query written with %s parameters."""
    form = _PG_FORMS.get(sql)
    if form is None:
        if re.search(r"%[^s]", sql):
            raise ValueError("a prepared statement takes %s parameters only")
        numbers = itertools.count(1)
        text = re.sub(r"%s", lambda _m: f"${next(numbers)}", sql)
        name = "penhas_" + hashlib.sha1(sql.encode()).hexdigest()[:20]
        form = _PG_FORMS.setdefault(sql, (name, text, sql.count("%s")))
    return form


def execute_prepared(sql: str, params=()):
    """``database.execute_sql(sql, params)``, prepared once per PostgreSQL connection (see above)."""
    if not is_postgres():
        return database.execute_sql(sql, params)
    name, text, count = _pg_form(sql)
    conn = database.connection()
    with _prepared_lock:
        done = _prepared_on.setdefault(conn, set())
    if name not in done:
        database.execute_sql(f"PREPARE {name} AS {text}")
        done.add(name)
    if not count:
        return database.execute_sql(f"EXECUTE {name}")
    return database.execute_sql(f"EXECUTE {name} ({', '.join(['%s'] * count)})", params)


def make_database(url: str):
    engine, params = _parse(url)
    path = params.pop("database")
    if engine == "sqlite":
        return peewee.SqliteDatabase(
            path,
            # secure_delete: deleted rows (an erased account) are overwritten, whatever the library's build default.
            pragmas={"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal",
                     "secure_delete": 1},
            **{"timeout": 10, **params},
        )
    # Defaults first, so the URL's own parameters (connect_timeout, max_connections ...) win.
    options = {"port": 5432, "max_connections": 32, "stale_timeout": 300, "timeout": 10,
               "options": "-c timezone=UTC", "connect_timeout": 5}
    options.update(params)
    return _PooledPostgres(path, **options)


@contextmanager
def use_database(db):
    """Run the models against ``db`` in this context (an app built by ``create_app(settings)``)."""
    token = _current.set(db)
    try:
        yield db
    finally:
        _current.reset(token)


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
