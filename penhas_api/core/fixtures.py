"""Seed data from ``fixtures/NNN_table.json``: ``{"table": ..., "key": [...], "rows": [...]}``.

Loading is idempotent: rows are matched on ``key`` and updated, or inserted when missing. Files load in
name order so referenced tables come first.
"""
import json
from pathlib import Path

from penhas_api.core.db import database, init_db, is_postgres
from penhas_api.core.shipped import shipped_dir

FIXTURES_DIR = shipped_dir("fixtures")


def fixture_files(directory: Path = FIXTURES_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def seed_tables(directory: Path = FIXTURES_DIR) -> list[str]:
    return [json.loads(p.read_text())["table"] for p in fixture_files(directory)]


def _load_file(path: Path) -> tuple[str, int, int]:
    spec = json.loads(path.read_text())
    table, key, rows = spec["table"], spec["key"], spec["rows"]
    p = database.param
    inserted = updated = 0
    for row in rows:
        values = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                  for k, v in row.items()}
        where = " AND ".join(f"{k} = {p}" for k in key)
        found = database.execute_sql(f"SELECT 1 FROM {table} WHERE {where}", [values[k] for k in key]).fetchone()
        if found:
            cols = [c for c in values if c not in key]
            if cols:
                sets = ", ".join(f"{c} = {p}" for c in cols)
                database.execute_sql(f"UPDATE {table} SET {sets} WHERE {where}",
                                     [values[c] for c in cols] + [values[k] for k in key])
            updated += 1
        else:
            cols = list(values)
            database.execute_sql(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([p] * len(cols))})",
                [values[c] for c in cols])
            inserted += 1
    if is_postgres() and rows and "id" in rows[0]:
        # Explicit ids do not advance the sequence; move it past them so later inserts do not collide.
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
    return table, inserted, updated


def load_fixtures(directory: Path = FIXTURES_DIR) -> list[tuple[str, int, int]]:
    init_db()
    results = []
    with database.connection_context():
        with database.atomic():
            for path in fixture_files(directory):
                results.append(_load_file(path))
    return results
