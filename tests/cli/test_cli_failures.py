"""Every CLI failure, run as the real `penhas` command: one or two lines on stderr saying what failed and what to
do, a non-zero exit, and no traceback unless --debug / PENHAS_DEBUG=1 — one test per failure class."""
import json
import os

import pytest

from tests.commands import penhas
from tests.helpers import needs_postgres
from tests.sms_helpers import closed_port_url


def assert_short_failure(r, *expected: str):
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0, r.stderr
    assert 1 <= len(lines) <= 2, r.stderr[-3000:]
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    said = " ".join(r.stderr.split())
    for text in expected:
        assert text in said, r.stderr


def _closed_port() -> int:
    return int(closed_port_url().rsplit(":", 1)[1])


def test_unreachable_database():
    port = _closed_port()
    r = penhas("db", "status", DATABASE_URL=f"postgresql://postgres:secret-pw@127.0.0.1:{port}/penhas")
    assert_short_failure(r, f"database unreachable at 127.0.0.1:{port}", "DATABASE_URL")
    assert "secret-pw" not in r.stderr


def test_unknown_database_host():
    r = penhas("users", "show", "1", DATABASE_URL="postgresql://postgres:x@no-such-host.invalid:5432/penhas")
    assert_short_failure(r, "database host no-such-host.invalid not found", "DATABASE_URL")


@needs_postgres
def test_missing_database():
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/penhas_does_not_exist"
    r = penhas("db", "status", DATABASE_URL=url)
    assert_short_failure(r, 'database "penhas_does_not_exist" does not exist', "createdb penhas_does_not_exist")


@pytest.mark.parametrize("url", ["mysql://root@localhost/penhas", "garbage"])
def test_unsupported_database_url(url):
    r = penhas("db", "status", DATABASE_URL=url)
    assert_short_failure(r, "DATABASE_URL", "postgresql://", "sqlite:///")


def test_sqlite_file_that_cannot_be_opened(tmp_path):
    r = penhas("db", "status", DATABASE_URL=f"sqlite:///{tmp_path}/missing-dir/penhas.db")
    assert_short_failure(r, "cannot open the SQLite database file", "writable")


@pytest.mark.parametrize("command", [["jobs", "status"], ["stats"]])
def test_redis_down(command):
    port = _closed_port()
    r = penhas(*command, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert_short_failure(r, f"Redis unreachable at 127.0.0.1:{port}", "REDIS_URL")


def test_export_to_a_missing_directory():
    r = penhas("centers", "export", "-o", "/missing/dir/x.csv")
    assert_short_failure(r, "/missing/dir/x.csv: no such file or directory", "choose another")


@needs_postgres
def test_restore_into_a_missing_database(tmp_path):
    target = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/penhas_restore_target_missing"
    created = penhas("backup", "create", "--to", str(tmp_path), "--json")
    assert created.returncode == 0, created.stderr
    backup_id = json.loads(created.stdout)["id"]
    r = penhas("backup", "restore", backup_id, "--target", target, "--yes", "--from", str(tmp_path))
    assert_short_failure(r, 'database "penhas_restore_target_missing" does not exist',
                         "createdb penhas_restore_target_missing")


def test_debug_shows_the_traceback():
    url = f"postgresql://postgres:x@127.0.0.1:{_closed_port()}/penhas"
    assert "Traceback" in penhas("--debug", "db", "status", DATABASE_URL=url).stderr
    assert "Traceback" in penhas("db", "status", DATABASE_URL=url, PENHAS_DEBUG="1").stderr


def test_usage_errors_are_short_too():
    r = penhas("users", "lst")
    assert_short_failure(r, "No such command 'lst'", "--help")
    assert r.returncode == 2


def test_backup_verify_with_an_unknown_id_is_a_usage_error(tmp_path):
    from penhas_api.core.db import connection
    from penhas_api.core.models import BackupRun

    r = penhas("backup", "verify", "nope", "--from", str(tmp_path))
    assert_short_failure(r, "backup 'nope' not found", "penhas backup list")
    assert r.returncode == 2
    with connection():
        assert BackupRun.select().where(BackupRun.kind == "verify").count() == 0, "a typo is not a verification"
    health = json.loads(penhas("health", "--json").stdout)
    assert next(c for c in health["checks"] if c["name"] == "backup")["detail"] != "" and "nope" not in json.dumps(health)
