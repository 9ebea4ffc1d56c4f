"""The restore drill an operator runs, through the real CLI: create data → backup → wipe → restore → data back.

Runs on the engine of the test run (SQLite by default, PostgreSQL with DATABASE_URL) and on S3 when configured.
"""
import json
import os

import pytest
from typer.testing import CliRunner

from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.db import database
from penhas_api.core.models import AuditLog, BackupRun, Cliente, PeriodicRun
from penhas_api.core.services.health import extra_checks
from penhas_api.core.settings import get_settings, load_settings, reset_settings
from penhas_cli.main import app
from tests.factories import make_user
from tests.helpers import needs_s3, needs_sqlite

runner = CliRunner()


@pytest.fixture(autouse=True)
def _empty_backup_storage():
    # The S3 bucket outlives each test (the data-dir storage is removed by the harness).
    storage = get_storage()
    for key, _ in list(storage.list("backups/")):
        storage.delete(key)


def _invoke(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _drill(where: str):
    with database.connection_context():
        users = [make_user(apelido=f"drill{i}") for i in range(3)]
        expected = sorted((u.id, u.apelido, u.email) for u in users)
    manifest = json.loads(_invoke("backup", "create", "--to", where, "--json").output)
    assert manifest["tables"]["clientes"] == 3 and manifest["schema_version"]
    assert [m["id"] for m in json.loads(_invoke("backup", "list", "--from", where, "--json").output)] == [manifest["id"]]

    with database.connection_context():
        Cliente.delete().execute()
        make_user(apelido="created-after-the-backup")
    _invoke("backup", "restore", manifest["id"], "--target", get_settings().database_url, "--yes", "--from", where)

    with database.connection_context():
        assert sorted((u.id, u.apelido, u.email) for u in Cliente.select()) == expected
        assert AuditLog.select().where(AuditLog.action == "backup.restore").count() == 1
        # The restored database keeps working: sequences came back with the rows.
        assert make_user().id > max(u[0] for u in expected)
    result = _invoke("backup", "verify", manifest["id"], "--from", where)
    assert "match the manifest" in result.output
    return manifest


def test_drill_on_the_configured_storage():
    manifest = _drill("storage")
    keys = [key for key, _ in get_storage().list("backups/")]
    assert sorted(keys) == [f"backups/{manifest['id']}.dump.enc", f"backups/{manifest['id']}.manifest.json"]


def test_drill_into_a_directory(tmp_path):
    manifest = _drill(str(tmp_path / "bk"))
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == [f"{manifest['id']}.dump.enc",
                                                                    f"{manifest['id']}.manifest.json"]


@needs_s3
def test_drill_on_s3():
    assert get_storage().name == "s3"
    _drill("storage")


def test_restore_requires_yes_and_a_matching_engine(tmp_path):
    manifest = json.loads(_invoke("backup", "create", "--to", str(tmp_path), "--json").output)
    result = runner.invoke(app, ["backup", "restore", manifest["id"], "--target", get_settings().database_url,
                                 "--from", str(tmp_path)])
    assert result.exit_code == 1 and "--yes" in result.output
    other = "sqlite:///" + str(tmp_path / "x.db") if get_settings().is_postgres else "postgresql://u@127.0.0.1/x"
    result = runner.invoke(app, ["backup", "restore", manifest["id"], "--target", other, "--yes",
                                 "--from", str(tmp_path)])
    assert result.exit_code == 1 and "não pode ser restaurado" in result.output


@needs_sqlite
def test_restore_into_another_sqlite_file(tmp_path):
    with database.connection_context():
        make_user(apelido="copied")
    manifest = json.loads(_invoke("backup", "create", "--to", str(tmp_path), "--json").output)
    target = tmp_path / "copy.db"
    _invoke("backup", "restore", manifest["id"], "--target", f"sqlite:///{target}", "--yes", "--from", str(tmp_path))
    import sqlite3

    conn = sqlite3.connect(target)
    assert conn.execute("SELECT apelido FROM clientes").fetchall() == [("copied",)]
    conn.close()


def test_nightly_job_creates_verifies_and_prunes():
    from tasks.base import PERIODIC_JOBS

    with database.connection_context():
        make_user()
    PERIODIC_JOBS["backup.nightly"].task()  # huey immediate mode in tests: runs now, as the consumer would
    with database.connection_context():
        runs = {r.kind: r.status for r in BackupRun.select()}
        assert runs == {"create": "ok", "verify": "ok", "prune": "ok"}
        assert PeriodicRun.get(PeriodicRun.name == "backup.nightly").status == "ok"
    assert next(c for c in extra_checks() if c.name == "backup").ok


@pytest.fixture
def broken_storage():
    """Storage that really refuses the upload: a missing bucket on S3, a file in the way on disk."""
    settings = get_settings()
    if settings.s3_bucket:
        reset_settings(load_settings(dict(os.environ, S3_BUCKET=settings.s3_bucket + "-missing")))
    else:
        settings.storage_dir.mkdir(parents=True, exist_ok=True)
        (settings.storage_dir / "backups").write_text("not a directory")

    def repair():
        reset_settings(None)
        if not settings.s3_bucket:
            (settings.storage_dir / "backups").unlink()

    yield repair
    reset_settings(None)


def test_a_failing_nightly_backup_shows_in_health_and_failed_jobs(broken_storage):
    from tasks.base import PERIODIC_JOBS

    try:
        PERIODIC_JOBS["backup.nightly"].task()
    except Exception:
        pass
    with database.connection_context():
        run = PeriodicRun.get(PeriodicRun.name == "backup.nightly")
        assert run.status == "failed" and run.error
        assert BackupRun.get(BackupRun.kind == "create").status == "failed"
    result = runner.invoke(app, ["health", "--json"])
    assert result.exit_code == 1
    backup = next(c for c in json.loads(result.output)["checks"] if c["name"] == "backup")
    assert backup["ok"] is False and "last backup failed" in backup["detail"]

    failed = json.loads(_invoke("jobs", "failed", "--json").output)
    assert [(f["name"], f["kwargs"]) for f in failed] == [("backup.nightly", {"manual": True})]
    # Once the cause is fixed, the operator retries: it runs now, outside the nightly period already used.
    broken_storage()
    _invoke("jobs", "retry", str(failed[0]["id"]))
    assert json.loads(_invoke("jobs", "failed", "--json").output) == []
    assert next(c for c in extra_checks() if c.name == "backup").ok
    with database.connection_context():
        assert [r.source for r in PeriodicRun.select().order_by(PeriodicRun.id)] == ["schedule", "manual"]
