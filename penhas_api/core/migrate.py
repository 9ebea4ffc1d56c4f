"""Versioned SQL migrations from ``sql/NNNN_name.sql``, applied in order and recorded in ``schema_migrations``.

One file serves both engines. Differences are written with two macros and engine blocks:

* ``@PK@``   → ``BIGSERIAL PRIMARY KEY`` (PostgreSQL) / ``INTEGER PRIMARY KEY AUTOINCREMENT`` (SQLite)
* ``@BLOB@`` → ``BYTEA`` / ``BLOB``
* lines between ``-- [postgres]`` and ``-- [end]`` run only on PostgreSQL; ``-- [sqlite]`` … ``-- [end]`` only on SQLite.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from penhas_api.core import clock
from penhas_api.core.db import database, init_db, is_postgres
from penhas_api.core.shipped import shipped_dir

SQL_DIR = shipped_dir("sql")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_MACROS = {
    "postgres": {"@PK@": "BIGSERIAL PRIMARY KEY", "@BLOB@": "BYTEA"},
    "sqlite": {"@PK@": "INTEGER PRIMARY KEY AUTOINCREMENT", "@BLOB@": "BLOB"},
}


@dataclass
class Migration:
    version: str
    name: str
    path: Path

    def render(self, engine: str) -> str:
        out, block = [], None
        for line in self.path.read_text().splitlines():
            tag = line.strip().lower()
            if tag in ("-- [postgres]", "-- [sqlite]"):
                block = tag[4:-1]
                continue
            if tag == "-- [end]":
                block = None
                continue
            if block is None or block == engine:
                out.append(line)
        sql = "\n".join(out)
        for macro, value in _MACROS[engine].items():
            sql = sql.replace(macro, value)
        return sql


def available(sql_dir: Path = SQL_DIR) -> list[Migration]:
    found = []
    for path in sorted(sql_dir.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise RuntimeError(f"migration file name must look like 0001_name.sql: {path.name}")
        found.append(Migration(m.group(1), m.group(2), path))
    if not found:
        raise RuntimeError(f"no migration files in {sql_dir}: this install is incomplete (reinstall the package)")
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError("two migration files share a version number")
    return found


def _ensure_table():
    database.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version VARCHAR(10) PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )


def applied() -> dict[str, str]:
    _ensure_table()
    return {row[0]: row[1] for row in database.execute_sql("SELECT version, name FROM schema_migrations")}


def status(sql_dir: Path = SQL_DIR) -> list[tuple[Migration, bool]]:
    init_db()
    with database.connection_context():
        done = applied()
        return [(m, m.version in done) for m in available(sql_dir)]


def migrate(sql_dir: Path = SQL_DIR, progress=None) -> list[Migration]:
    """Apply pending migrations; returns what was applied (empty on a second run)."""
    init_db()
    engine = "postgres" if is_postgres() else "sqlite"
    ran = []
    with database.connection_context():
        if engine == "postgres":
            # Serialise concurrent `penhas db migrate` runs (several release processes).
            database.execute_sql("SELECT pg_advisory_lock(727001)")
        try:
            done = applied()
            for mig in available(sql_dir):
                if mig.version in done:
                    continue
                sql = mig.render(engine)
                if engine == "postgres":
                    with database.atomic():
                        database.cursor().execute(sql)
                        database.execute_sql(
                            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                            (mig.version, mig.name, clock.now()))
                else:
                    raw = database.connection()
                    stamp = clock.now().isoformat(sep=" ")
                    raw.executescript(
                        "BEGIN;\n" + sql + f"\n;INSERT INTO schema_migrations (version, name, applied_at) "
                        f"VALUES ('{mig.version}', '{mig.name}', '{stamp}');\nCOMMIT;")
                ran.append(mig)
                if progress:
                    progress(mig)
        finally:
            if engine == "postgres":
                database.execute_sql("SELECT pg_advisory_unlock(727001)")
    return ran
