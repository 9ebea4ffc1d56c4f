"""`penhas backup restore` looks before it leaps, through the real CLI: a target with active clients (another
PostgreSQL connection; a running `penhas worker` on a SQLite file) is refused without --force and restored with
a warning with it; what the target held is backed up first unless --no-safety-backup."""
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time

from typer.testing import CliRunner

from penhas_api.core import serving_lock
from penhas_api.core.db import database
from penhas_api.core.services.backups import engines
from penhas_api.core.settings import get_settings
from penhas_cli.main import app
from tests.factories import make_user
from tests.helpers import needs_postgres, needs_sqlite

runner = CliRunner()


def _penhas(*args):
    return runner.invoke(app, [str(a) for a in args])


def _backup(where, apelido):
    with database.connection_context():
        make_user(apelido=apelido)
    result = _penhas("backup", "create", "--to", where, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _apelidos(path):
    with sqlite3.connect(path) as conn:
        return sorted(r[0] for r in conn.execute("SELECT apelido FROM clientes"))


@needs_sqlite
def test_sqlite_target_of_a_running_worker_needs_force_and_keeps_a_safety_backup(tmp_path):
    where = str(tmp_path / "bk")
    first = _backup(where, "first")
    target = tmp_path / "copy.db"
    url = f"sqlite:///{target}"
    # An empty target: nothing to keep, so no safety backup.
    result = _penhas("backup", "restore", first, "--target", url, "--yes", "--from", where)
    assert result.exit_code == 0 and "safety backup" not in result.output, result.output
    second = _backup(where, "second")

    env = dict(os.environ, DATABASE_URL=url, PENHAS_DATA_DIR=str(tmp_path / "worker-data"))
    worker = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "worker", "--threads", "1",
                               "--no-scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not serving_lock.in_use(url):
            assert worker.poll() is None and time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        refused = _penhas("backup", "restore", second, "--target", url, "--yes", "--from", where)
        assert refused.exit_code == 1
        assert "a penhas serve or penhas worker is running on the target database" in refused.output
        assert "--force" in refused.output and _apelidos(target) == ["first"]

        forced = _penhas("backup", "restore", second, "--target", url, "--yes", "--force", "--from", where)
        assert forced.exit_code == 0, forced.output
        assert "warning:" in forced.output and "restoring anyway" in forced.output
        assert _apelidos(target) == ["first", "second"]
    finally:
        worker.terminate()
        worker.wait(30)
    assert not serving_lock.in_use(url)  # the lock died with its holder: no stale pid file to clean

    # The safety backup holds what the forced restore replaced, and restores like any other.
    safety = next(line.split()[2] for line in forced.output.splitlines() if line.startswith("safety backup"))
    undo = _penhas("backup", "restore", safety, "--target", url, "--yes", "--no-safety-backup", "--from", where)
    assert undo.exit_code == 0 and "no safety backup" in undo.output
    assert not any(line.startswith("safety backup") for line in undo.output.splitlines())
    assert _apelidos(target) == ["first"]
    assert len(list((tmp_path / "bk").iterdir())) == 6  # first, second, safety: no backup for the --no-... run


@needs_postgres
def test_postgres_target_with_another_connection_needs_force():
    import psycopg2

    base = get_settings().database_url
    name = f"penhas_restore_{secrets.token_hex(4)}"
    url = base.rsplit("/", 1)[0] + "/" + name
    admin = engines._pg_connect(base)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    other = None
    try:
        where = "storage"
        backup_id = _backup(where, "in-the-backup")
        assert _penhas("backup", "restore", backup_id, "--target", url, "--yes").exit_code == 0
        other = psycopg2.connect(**engines._pg_params(url))  # e.g. a web process still running
        refused = _penhas("backup", "restore", backup_id, "--target", url, "--yes")
        assert refused.exit_code == 1 and "1 other connection(s) to the target database are open" in refused.output
        forced = _penhas("backup", "restore", backup_id, "--target", url, "--yes", "--force")
        assert forced.exit_code == 0 and "restoring anyway" in forced.output and "safety backup" in forced.output
    finally:
        if other is not None:
            other.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
