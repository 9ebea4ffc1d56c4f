"""Backup internals: encryption, retention planning, failure records and the health check."""
import json
import os
from datetime import datetime, timedelta

import pytest

from penhas_api.core.errors import PenhasError
from penhas_api.core.models import BackupRun, Cliente
from penhas_api.core.services import backups
from penhas_api.core.services.backups import container
from penhas_api.core.services.health import extra_checks
from penhas_api.core.settings import get_settings, load_settings, reset_settings
from tests.helpers import needs_sqlite, key_for


def test_encryption_round_trip_detects_tampering_and_swapped_ids(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"penhas " * 50_000)
    enc, out = tmp_path / "enc", tmp_path / "out"
    size, digest = container.encrypt_file(plain, enc, "20261123T120000Z-abcd")
    assert size == enc.stat().st_size and digest == container._sha256(enc)
    assert b"penhas" not in enc.read_bytes()
    assert size < plain.stat().st_size  # compressed before encryption

    container.decrypt_file(enc, out, "20261123T120000Z-abcd")
    assert out.read_bytes() == plain.read_bytes()

    with pytest.raises(PenhasError, match="another key"):
        container.decrypt_file(enc, out, "20261124T120000Z-ffff")
    data = bytearray(enc.read_bytes())
    data[len(data) // 2] ^= 0x01
    enc.write_bytes(bytes(data))
    with pytest.raises(PenhasError, match="tampered with"):
        container.decrypt_file(enc, out, "20261123T120000Z-abcd")


def _manifest(at: datetime, n: int) -> backups.Manifest:
    return backups.Manifest(id=f"{at:%Y%m%dT%H%M%SZ}-{n:04x}", created_at=at, engine="sqlite", schema_version="0006",
                            tables={}, size=1, sha256="", key_id="")


def test_prune_plan_keeps_newest_per_day_week_and_month():
    start = datetime(2026, 1, 1, 3, 30)
    # Two backups a day for 200 days.
    found = [_manifest(start + timedelta(days=d, hours=h), d * 2 + h) for d in range(200) for h in (0, 1)]
    plan = backups.plan_prune(found, keep_daily=7, keep_weekly=4, keep_monthly=6)
    kept = sorted(m.created_at for m in plan.keep)
    newest = max(m.created_at for m in found)
    assert len(plan.keep) + len(plan.delete) == len(found)
    # The 7 newest days keep their later backup only.
    assert [d for d in kept if d > newest - timedelta(days=7)] == [newest - timedelta(days=i) for i in range(6, -1, -1)]
    months = {(d.year, d.month) for d in kept}
    assert len(months) == 6 and (2026, 7) in months and (2026, 1) not in months
    assert len(plan.keep) <= 7 + 4 + 6
    assert backups.plan_prune(found, 0, 0, 1).keep == [max(found, key=lambda m: m.created_at)]


def test_prune_refuses_to_delete_everything(db):
    with pytest.raises(PenhasError):
        backups.prune_backups(0, 0, 0)


def _check(name="backup"):
    return next(c for c in extra_checks() if c.name == name)


def test_health_backup_check_follows_the_newest_runs(db, frozen_clock):
    assert _check().ok and _check().detail == "no backup yet"
    BackupRun.create(kind="create", backup_id="b1", location="storage", status="ok", started_at=frozen_clock.now)
    assert _check().ok and "b1" in _check().detail
    BackupRun.create(kind="create", location="storage", status="failed", started_at=frozen_clock.now,
                     error="pg_dump falhou: connection refused")
    check = _check()
    assert not check.ok and "connection refused" in check.detail
    BackupRun.create(kind="create", backup_id="b2", location="storage", status="ok", started_at=frozen_clock.now)
    assert _check().ok
    BackupRun.create(kind="verify", backup_id="b2", location="storage", status="failed", started_at=frozen_clock.now,
                     error="Contagem de linhas difere")
    assert not _check().ok
    BackupRun.create(kind="verify", backup_id="b2", location="storage", status="ok", started_at=frozen_clock.now)
    assert _check().ok
    # Runs a restore closed without an outcome (backups.restore.close_stale_runs) say nothing about the backups.
    for kind in ("create", "verify"):
        BackupRun.create(kind=kind, backup_id="b3", location="storage", status="interrupted",
                         started_at=frozen_clock.now)
    assert _check().ok and _check().detail == "newest b2"
    frozen_clock.advance(hours=49)
    assert not _check().ok and "older than 48 h" in _check().detail


def test_failed_create_is_recorded_with_its_error(db, tmp_path):
    with pytest.raises(Exception):
        backups.create_backup(tmp_path / "out", database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    run = BackupRun.get()
    assert (run.kind, run.status, run.location) == ("create", "failed", str(tmp_path / "out"))
    assert run.error and run.finished_at is not None
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_verify_fails_when_counts_differ_from_the_manifest(db, tmp_path):
    manifest = backups.create_backup(str(tmp_path))
    assert backups.verify_backup(manifest.id, str(tmp_path)).ok
    path = tmp_path / f"{manifest.id}.manifest.json"
    data = json.loads(path.read_text())
    data["tables"]["clientes"] += 5
    path.write_text(json.dumps(data))
    with pytest.raises(PenhasError, match="clientes"):
        backups.verify_backup(manifest.id, str(tmp_path))
    runs = list(BackupRun.select().where(BackupRun.kind == "verify").order_by(BackupRun.id))
    assert [r.status for r in runs] == ["ok", "failed"]
    assert runs[1].detail["mismatches"]["clientes"][0] == runs[1].detail["mismatches"]["clientes"][1] + 5


def test_a_backup_needs_the_key_it_was_made_with(db, tmp_path):
    manifest = backups.create_backup(str(tmp_path))
    reset_settings(load_settings(dict(os.environ, BACKUP_KEY=key_for("another-backup-key"))))
    try:
        with pytest.raises(PenhasError, match="another key"):
            backups.verify_backup(manifest.id, str(tmp_path))
    finally:
        reset_settings(None)
    assert get_settings().backup_key != key_for("another-backup-key")


def test_unknown_or_malicious_ids_are_refused(db, tmp_path):
    for bad in ("nope", "../../etc/passwd", ".hidden"):
        with pytest.raises(PenhasError):
            backups.verify_backup(bad, str(tmp_path))


def _tamper(path, position=None):
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if position is None else position] ^= 0x01
    path.write_bytes(bytes(data))


def _rewrite_manifest(tmp_path, backup_id, **changes):
    path = tmp_path / f"{backup_id}.manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def _reseal_checksum(tmp_path, backup_id):
    """What someone who can write to the bucket would do: make the manifest match the altered blob."""
    blob = tmp_path / f"{backup_id}.dump.enc"
    _rewrite_manifest(tmp_path, backup_id, sha256=container._sha256(blob), size=blob.stat().st_size)


def test_tampered_stored_backups_are_refused_and_the_target_left_alone(db, tmp_path):
    from tests.factories import make_user

    user = make_user(apelido="still-here")
    first = backups.create_backup(str(tmp_path))
    second = backups.create_backup(str(tmp_path))
    target = get_settings().database_url

    # A flipped bit: the manifest's checksum catches it.
    _tamper(tmp_path / f"{first.id}.dump.enc")
    with pytest.raises(PenhasError, match="checksum"):
        backups.verify_backup(first.id, str(tmp_path))
    # The checksum resealed to match: the AES-GCM tag still catches it, before anything is decompressed.
    _reseal_checksum(tmp_path, first.id)
    with pytest.raises(PenhasError, match="tampered with"):
        backups.verify_backup(first.id, str(tmp_path))
    with pytest.raises(PenhasError, match="tampered with"):
        backups.restore_backup(first.id, target, str(tmp_path))
    # Another backup's intact blob passed off under this id: the id is authenticated with the data.
    (tmp_path / f"{first.id}.dump.enc").write_bytes((tmp_path / f"{second.id}.dump.enc").read_bytes())
    _reseal_checksum(tmp_path, first.id)
    with pytest.raises(PenhasError, match="tampered with"):
        backups.restore_backup(first.id, target, str(tmp_path))
    # Truncated to less than a header.
    (tmp_path / f"{first.id}.dump.enc").write_bytes(b"PENHASBK")
    _reseal_checksum(tmp_path, first.id)
    with pytest.raises(PenhasError, match="truncated"):
        backups.verify_backup(first.id, str(tmp_path))

    # Nothing reached the database, and every refusal is on record.
    assert [c.apelido for c in Cliente.select()] == ["still-here"] and Cliente.get().id == user.id
    runs = [(r.kind, r.status) for r in BackupRun.select().where(BackupRun.backup_id == first.id)
            .order_by(BackupRun.id)]
    assert runs == [("create", "ok"), ("verify", "failed"), ("verify", "failed"), ("restore", "failed"),
                    ("restore", "failed"), ("verify", "failed")]
    assert backups.verify_backup(second.id, str(tmp_path)).ok


def test_prune_keeps_the_newest_backup_per_day_week_and_month(db, tmp_path, frozen_clock):
    from typer.testing import CliRunner

    from penhas_cli.main import app

    made = {}
    # 2026-11-23 is a Monday (ISO week 48); 11-22 and 11-21 are in week 47.
    for label, at in (("H", datetime(2026, 9, 30, 3, 30)), ("G", datetime(2026, 10, 5, 3, 30)),
                      ("F", datetime(2026, 10, 31, 3, 30)), ("E", datetime(2026, 11, 10, 3, 30)),
                      ("D", datetime(2026, 11, 21, 3, 30)), ("C", datetime(2026, 11, 22, 3, 30)),
                      ("A", datetime(2026, 11, 23, 3, 30)), ("B", datetime(2026, 11, 23, 12, 0))):
        frozen_clock(at)
        made[label] = backups.create_backup(str(tmp_path)).id
        assert made[label].startswith(at.strftime("%Y%m%dT%H%M%SZ"))
    names = {v: k for k, v in made.items()}
    args = ["backup", "prune", "--keep-daily", "2", "--keep-weekly", "2", "--keep-monthly", "2",
            "--from", str(tmp_path)]

    result = CliRunner().invoke(app, args + ["--dry-run"])
    assert result.exit_code == 0, result.output
    assert "kept 3, would delete 5" in result.output
    assert len(list(tmp_path.iterdir())) == 16

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    # B: newest of 11-23, of week 48 and of November. C: newest of 11-22 and of week 47. F: newest of October.
    # A (same day as B), D (day, week and month already kept), E, G and H fall outside every rule.
    assert sorted(names[m.id] for m in backups.list_backups(str(tmp_path))) == ["B", "C", "F"]
    assert sorted(p.name.split(".")[0] for p in tmp_path.iterdir()) == sorted([made["B"]] * 2 + [made["C"]] * 2
                                                                              + [made["F"]] * 2)
    prune = BackupRun.get(BackupRun.kind == "prune")
    assert prune.status == "ok" and sorted(names[i] for i in prune.detail["deleted"]) == ["A", "D", "E", "G", "H"]
    from penhas_api.core.models import AuditLog

    assert AuditLog.get(AuditLog.action == "backup.prune").detail["deleted"] == prune.detail["deleted"]

    # A week later, the defaults (7 daily, 4 weekly, 6 monthly) keep all three: each is the newest of its month.
    frozen_clock(datetime(2026, 11, 30, 3, 30))
    assert [names[m.id] for m in backups.prune_backups(where=str(tmp_path)).keep] == ["B", "C", "F"]


@needs_sqlite
def test_a_failed_restore_into_a_database_without_tables_is_still_reported(tmp_path, caplog):
    """Restoring into the lost database with a damaged backup: the error reaches the operator; the record,
    which has nowhere to go, is logged."""
    import logging

    from penhas_api.core.db import connection, init_db

    with connection():
        manifest = backups.create_backup(str(tmp_path))
    _tamper(tmp_path / f"{manifest.id}.dump.enc")
    _reseal_checksum(tmp_path, manifest.id)
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    logger = logging.getLogger("penhas.backups")
    logger.addHandler(caplog.handler)  # the "penhas" loggers do not propagate to the root caplog listens on
    init_db(empty)
    try:
        with pytest.raises(PenhasError, match="tampered with"):
            backups.restore_backup(manifest.id, empty, str(tmp_path))
    finally:
        logger.removeHandler(caplog.handler)
        init_db(force=True)
    assert f"restore of {manifest.id} (failed) could not be recorded: OperationalError" in caplog.text
    with connection():
        assert [r.kind for r in BackupRun.select()] == ["create"]


@pytest.mark.parametrize("where", ["dir", "storage"])
def test_orphaned_files_are_reported_and_pruned_once_old_enough(db, tmp_path, frozen_clock, where):
    """Works through the storage adapter's list/get/delete only, so the same runs on a directory, the data-dir
    storage and S3 (when S3_BUCKET/S3_ENDPOINT_URL point the configured storage at it)."""
    from typer.testing import CliRunner

    from penhas_api.core.models import AuditLog
    from penhas_cli.main import app

    where = str(tmp_path / "bk") if where == "dir" else "storage"
    loc = backups.location(where)
    for key, _ in list(loc.storage.list(loc.prefix)):  # an S3 bucket outlives the test
        loc.storage.delete(key)

    def make(at):
        frozen_clock(at)
        return backups.create_backup(where).id

    good = make(datetime(2026, 11, 20, 3, 30))
    # A create that crashed between storing the blob and the manifest.
    crashed = make(datetime(2026, 11, 21, 3, 30))
    loc.storage.delete(loc.key(crashed, "manifest.json"))
    # A manifest that cannot be read any more.
    damaged = make(datetime(2026, 11, 22, 3, 30))
    loc.storage.put(loc.key(damaged, "manifest.json"), b"{not json")
    # A create that may still be uploading: its blob is there, its manifest not yet.
    recent = make(datetime(2026, 11, 23, 11, 0))
    loc.storage.delete(loc.key(recent, "manifest.json"))
    # Files a create never writes are not ours to judge.
    foreign = [loc.prefix + "notes.txt", loc.prefix + "20261101T000000Z-abcd.dump.enc.bak"]
    for key in foreign:
        loc.storage.put(key, b"operator's")
    frozen_clock(datetime(2026, 11, 23, 12, 0))

    inventory = backups.scan_backups(where)
    assert [m.id for m in inventory.backups] == [good]
    assert [(o.id, o.removable(frozen_clock.now)) for o in inventory.orphans] == [
        (crashed, True), (damaged, True), (recent, False)]
    assert inventory.orphans[1].keys == [loc.key(damaged, "dump.enc"), loc.key(damaged, "manifest.json")]

    result = CliRunner().invoke(app, ["backup", "list", "--from", where])
    assert result.exit_code == 0, result.output
    assert "3 orphaned backup(s)" in result.output and crashed in result.output and recent in result.output
    result = CliRunner().invoke(app, ["backup", "list", "--from", where, "--json"])
    assert [m["id"] for m in json.loads(result.stdout)] == [good]

    stored = sorted(k for k, _ in loc.storage.list(loc.prefix))
    args = ["backup", "prune", "--from", where]
    result = CliRunner().invoke(app, args + ["--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"would delete orphan {crashed} (1 file(s)" in result.output
    assert f"would delete orphan {damaged} (2 file(s)" in result.output
    assert "kept 1 recent orphan(s)" in result.output and f"orphan {recent}" not in result.output
    assert sorted(k for k, _ in loc.storage.list(loc.prefix)) == stored

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "kept 1, deleted 0 + 2 orphan(s)" in result.output
    assert sorted(k for k, _ in loc.storage.list(loc.prefix)) == sorted(
        [loc.key(good, "dump.enc"), loc.key(good, "manifest.json"), loc.key(recent, "dump.enc"), *foreign])
    prune = BackupRun.get(BackupRun.kind == "prune")
    assert prune.detail["orphans_deleted"] == [crashed, damaged]
    assert AuditLog.get(AuditLog.action == "backup.prune").detail["orphans_deleted"] == [crashed, damaged]

    # A day after it started, nothing can still be writing the recent one.
    frozen_clock(datetime(2026, 11, 24, 11, 0))
    plan = backups.prune_backups(where=where)
    assert [o.id for o in plan.orphans] == [recent] and plan.recent_orphans == []
    assert sorted(k for k, _ in loc.storage.list(loc.prefix)) == sorted(
        [loc.key(good, "dump.enc"), loc.key(good, "manifest.json"), *foreign])
    assert backups.verify_backup(good, where).ok
    for key in foreign:
        loc.storage.delete(key)
