import os
import tempfile
from pathlib import Path

from penhas_api.core import migrate as migrations
from penhas_api.core.db import database, init_db
from tests.helpers import needs_postgres


def test_second_migrate_is_a_no_op(db):
    assert migrations.migrate() == []
    assert all(done for _, done in migrations.status())


def test_render_keeps_only_the_engine_blocks(tmp_path):
    path = tmp_path / "0001_x.sql"
    path.write_text("-- [postgres]\nPG ONLY;\n-- [end]\n-- [sqlite]\nLITE ONLY;\n-- [end]\nCREATE TABLE t (id @PK@, b @BLOB@);\n")
    mig = migrations.available(tmp_path)[0]
    pg, lite = mig.render("postgres"), mig.render("sqlite")
    assert "PG ONLY" in pg and "LITE ONLY" not in pg and "BIGSERIAL PRIMARY KEY" in pg and "BYTEA" in pg
    assert "LITE ONLY" in lite and "PG ONLY" not in lite and "AUTOINCREMENT" in lite and "BLOB" in lite


def test_badly_named_migration_is_refused(tmp_path):
    (tmp_path / "1_bad.sql").write_text("SELECT 1;")
    try:
        migrations.available(tmp_path)
    except RuntimeError as exc:
        assert "0001_name.sql" in str(exc)
    else:
        raise AssertionError("bad name accepted")


def test_fresh_sqlite_database_migrates_from_empty():
    url = os.environ["DATABASE_URL"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = f"sqlite:///{Path(tmp) / 'fresh.db'}"
        try:
            init_db(fresh)
            ran = migrations.migrate()
            assert [m.version for m in ran] == [m.version for m in migrations.available()]
            assert migrations.migrate() == []
        finally:
            init_db(url)


@needs_postgres
def test_postgres_schema_has_postgis(db):
    version = database.execute_sql("SELECT postgis_lib_version()").fetchone()[0]
    assert version.split(".")[0] >= "3"
