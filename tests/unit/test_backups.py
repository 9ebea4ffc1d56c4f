"""Backup internals: encryption, retention planning, failure records and the health check."""
import json
import os
from datetime import datetime, timedelta

import pytest

from penhas_api.core.errors import PenhasError
from penhas_api.core.models import BackupRun
from penhas_api.core.services import backups
from penhas_api.core.services.health import extra_checks
from penhas_api.core.settings import get_settings, load_settings, reset_settings


def test_encryption_round_trip_detects_tampering_and_swapped_ids(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"penhas " * 50_000)
    enc, out = tmp_path / "enc", tmp_path / "out"
    size, digest = backups._encrypt_file(plain, enc, "20261123T120000Z-abcd")
    assert size == enc.stat().st_size and digest == backups._sha256(enc)
    assert b"penhas" not in enc.read_bytes()
    assert size < plain.stat().st_size  # compressed before encryption

    backups._decrypt_file(enc, out, "20261123T120000Z-abcd")
    assert out.read_bytes() == plain.read_bytes()

    with pytest.raises(PenhasError, match="outra chave"):
        backups._decrypt_file(enc, out, "20261124T120000Z-ffff")
    data = bytearray(enc.read_bytes())
    data[len(data) // 2] ^= 0x01
    enc.write_bytes(bytes(data))
    with pytest.raises(PenhasError, match="adulterado"):
        backups._decrypt_file(enc, out, "20261123T120000Z-abcd")


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
    frozen_clock.advance(hours=49)
    assert not _check().ok and "older than 48 h" in _check().detail


def test_failed_create_is_recorded_with_its_error(db, tmp_path):
    with pytest.raises(Exception):
        backups.create_backup(tmp_path / "out", database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    run = BackupRun.get()
    assert (run.kind, run.status, run.location) == ("create", "failed", str(tmp_path / "out"))
    assert run.error and run.finished_at is not None
    assert list((tmp_path / "out").iterdir()) == []


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
    reset_settings(load_settings(dict(os.environ, BACKUP_KEY="another-key-" + "y" * 40)))
    try:
        with pytest.raises(PenhasError, match="outra chave"):
            backups.verify_backup(manifest.id, str(tmp_path))
    finally:
        reset_settings(None)
    assert get_settings().backup_key != "another-key-" + "y" * 40


def test_unknown_or_malicious_ids_are_refused(db, tmp_path):
    for bad in ("nope", "../../etc/passwd", ".hidden"):
        with pytest.raises(PenhasError):
            backups.verify_backup(bad, str(tmp_path))
