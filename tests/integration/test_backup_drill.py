"""The restore drill an operator runs, through the real CLI: create data → backup → wipe → restore → data back.

The data covers every feature (accounts, notifications, audio rows and their stored objects, support centers,
guardians, alerts, SMS); "back" means every row of every table is equal, and the app shows it again.

Runs on the engine of the test run (SQLite by default, PostgreSQL with DATABASE_URL) and on S3 when configured.
"""
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.db import database
from penhas_api.core.models import AuditLog, BackupRun, Center, Guardian, PeriodicRun
from penhas_api.core.services import backups
from penhas_api.core.services.backups import engines
from penhas_api.core.services.health import extra_checks
from penhas_api.core.settings import get_settings, load_settings, reset_settings
from penhas_cli.main import app
from tests.deletion_seeders import seed_all
from tests.factories import auth_headers, make_user
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


# Rows that the drill itself changes: the run records (the backup's own create row is still "running" inside the
# dump; the restore closes it) and the audit rows of the create/restore commands.
OPERATIONAL_TABLES = {"backup_runs", "audit_log"}


def _every_row() -> dict:
    """Every row of every table, comparable across engines' drivers (BYTEA comes back as a memoryview)."""
    out = {}
    with database.connection_context():
        for table in database.get_tables():
            if table in backups.IGNORED_TABLES or table in OPERATIONAL_TABLES:
                continue
            rows = database.execute_sql(f'SELECT * FROM "{table}"').fetchall()
            if table == "sqlite_sequence":
                rows = [row for row in rows if row[0] not in OPERATIONAL_TABLES]
            out[table] = sorted((tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows),
                                key=repr)
    return out


def _seed_every_feature(app):
    """A user with data in every feature (tests/deletion_seeders.py: accounts, notifications, audio with its
    stored objects, support centers, guardians, alerts, SMS) and a session the app would hold on to."""
    with database.connection_context():
        user = make_user(apelido="drill")
        seed_all(user)
        make_user(apelido="drill-other")
    return user, auth_headers(app, user)


def _wipe(how: str):
    """"drop": the database is gone (empty schema / no file); "dirty": it moved on after the backup."""
    if how == "dirty":
        with database.connection_context():
            Guardian.delete().execute()
            Center.update(nome="renamed after the backup").execute()
            make_user(apelido="created-after-the-backup")
        return
    database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    url = get_settings().database_url
    if get_settings().is_postgres:
        conn = engines._pg_connect(url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        conn.close()
    else:
        path = engines.sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    with database.connection_context():
        assert "clientes" not in database.get_tables()
    database.close()


def _app_sees_her_data(client, headers, center_name):
    """What the app shows her after the restore, through the real endpoints (same session token as before)."""
    assert client.get("/me", headers=headers).status_code == 200
    guards = client.get("/me/guardioes", headers=headers).get_json()["guards"]
    assert [row["nome"] for row in guards[0]["rows"]] == ["Guardiã"]
    events = client.get("/me/audios", headers=headers).get_json()["rows"]
    assert len(events) == 1
    # The restored rows still unwrap the encrypted objects left in storage.
    download = client.get(f"/me/audios/{events[0]['data']['event_id']}/download?audio_sequences=all",
                          headers=headers)
    assert download.status_code == 200 and len(download.data) > 1000
    centers = client.get("/me/pontos-de-apoio?latitude=-23.55&longitude=-46.63", headers=headers).get_json()
    assert [row["nome"] for row in centers["rows"]] == [center_name]
    titles = [row["title"] for row in client.get("/me/notifications", headers=headers).get_json()["rows"]]
    assert "Aviso" in titles


def _drill(where: str, app, client, wipe: str = "drop"):
    user, headers = _seed_every_feature(app)
    expected = _every_row()
    assert all(expected[t] for t in ("clientes_guardioes", "clientes_audios_eventos", "clientes_audios",
                                     "media_upload", "ponto_apoio", "notification_log", "sent_sms_log"))
    with database.connection_context():
        # A verification in progress elsewhere while the backup is taken: caught "running" by the dump.
        BackupRun.create(kind="verify", backup_id="20261101T033000Z-beef", location="storage", status="running",
                         started_at=datetime(2026, 11, 1, 3, 31))
    manifest = json.loads(_invoke("backup", "create", "--to", where, "--json").output)
    # The seeders add the other people her data involves (a chat partner, someone she blocked…).
    assert manifest["tables"]["clientes"] == len(expected["clientes"]) >= 3 and manifest["schema_version"]
    assert all(manifest["tables"][t] == len(rows) for t, rows in expected.items() if t != "sqlite_sequence")
    listed = json.loads(_invoke("backup", "list", "--from", where, "--json").output)
    assert [m["id"] for m in listed] == [manifest["id"]]

    _wipe(wipe)
    restored = _invoke("backup", "restore", manifest["id"], "--target", get_settings().database_url, "--yes",
                       "--from", where)
    # A wiped (dropped) database has nothing to keep; a database that moved on is backed up before being replaced.
    assert ("safety backup" in restored.output) == (wipe != "drop")

    assert _every_row() == expected
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.action == "backup.restore").count() == 1
        restore = BackupRun.get(BackupRun.kind == "restore")
        assert (restore.backup_id, restore.status) == (manifest["id"], "ok")
        # No run stays "running" forever: the backup's own create row (caught mid-run by its dump) is closed as
        # ok with its manifest's figures; the other one cannot be known here.
        runs = {r.kind: r for r in BackupRun.select()}
        assert len(runs) == 3 and BackupRun.select().where(BackupRun.status == "running").count() == 0
        assert (runs["create"].backup_id, runs["create"].status) == (manifest["id"], "ok")
        assert runs["create"].finished_at and runs["create"].error is None
        assert runs["create"].detail == {"size": manifest["size"], "rows": sum(manifest["tables"].values()),
                                         "schema_version": manifest["schema_version"], "engine": manifest["engine"]}
        assert runs["verify"].status == "interrupted" and manifest["id"] in runs["verify"].error
        center_name = Center.get().nome
    _app_sees_her_data(client, headers, center_name)
    check = next(c for c in extra_checks() if c.name == "backup")
    assert check.ok and check.detail == f"newest {manifest['id']}"
    with database.connection_context():
        # The restored database keeps working: sequences came back with the rows.
        assert make_user().id > user.id
    result = _invoke("backup", "verify", manifest["id"], "--from", where)
    assert "match the manifest" in result.output
    return manifest


def test_drill_on_the_configured_storage(app, client):
    manifest = _drill("storage", app, client)
    keys = [key for key, _ in get_storage().list("backups/")]
    assert sorted(keys) == [f"backups/{manifest['id']}.dump.enc", f"backups/{manifest['id']}.manifest.json"]


def test_drill_into_a_directory_over_a_database_that_moved_on(tmp_path, app, client):
    manifest = _drill(str(tmp_path / "bk"), app, client, wipe="dirty")
    names = sorted(p.name for p in (tmp_path / "bk").iterdir())
    # The backup restored, and the safety backup of what the restore replaced.
    assert len(names) == 4 and {f"{manifest['id']}.dump.enc", f"{manifest['id']}.manifest.json"} < set(names)


@needs_s3
def test_drill_on_s3(app, client):
    assert get_storage().name == "s3"
    _drill("storage", app, client)


def test_restore_requires_yes_and_a_matching_engine(tmp_path):
    manifest = json.loads(_invoke("backup", "create", "--to", str(tmp_path), "--json").output)
    result = runner.invoke(app, ["backup", "restore", manifest["id"], "--target", get_settings().database_url,
                                 "--from", str(tmp_path)])
    assert result.exit_code == 1 and "--yes" in result.output
    other = "sqlite:///" + str(tmp_path / "x.db") if get_settings().is_postgres else "postgresql://u@127.0.0.1/x"
    result = runner.invoke(app, ["backup", "restore", manifest["id"], "--target", other, "--yes",
                                 "--from", str(tmp_path)])
    assert result.exit_code == 1 and "cannot be restored into" in result.output


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
    # The copy's own record of the backup was closed there too, not in the configured database.
    assert conn.execute("SELECT kind, backup_id, status FROM backup_runs").fetchall() == [
        ("create", manifest["id"], "ok")]
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
        # What the job did to the backups is in the audit trail under the job's own name.
        assert [(a.action, a.actor) for a in AuditLog.select().order_by(AuditLog.id)] == [
            ("backup.create", "task:backup.nightly"), ("backup.verify", "task:backup.nightly"),
            ("backup.prune", "task:backup.nightly")]
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
