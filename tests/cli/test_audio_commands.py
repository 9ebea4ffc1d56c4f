"""`penhas audio …`: operator commands over the same services the app uses."""
import hashlib
import json
import os
import stat
import uuid

import pytest
from typer.testing import CliRunner

from penhas_api.core import clock, envelope
from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.models import AuditLog, ClienteAudio, ClienteAudioEvento, MediaUpload
from penhas_api.core.services import audio as audio_service
from penhas_api.core.settings import load_settings, reset_settings
from penhas_cli.main import app as cli
from tests.audio_samples import aac, empty_audio_storage, upload  # noqa: F401 (autouse fixture)
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error, key_for

runner = CliRunner()


@pytest.fixture
def her(app):
    user = make_user()
    return user, auth_headers(app, user)


def run(*args):
    return runner.invoke(cli, ["audio", *args])


def audits(action):
    return list(AuditLog.select().where(AuditLog.action == action))


def test_list_shows_every_event_of_the_user(client, her, frozen_clock):
    user, headers = her
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    upload(client, headers, first, 1, aac(2, 440))
    upload(client, headers, first, 2, aac(3, 550))
    frozen_clock.advance(minutes=5)
    upload(client, headers, second, 1, aac(2, 660))
    client.delete(f"/me/audios/{second}", headers=headers)

    r = run("list", str(user.id), "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [row["event_id"] for row in rows] == [f"{user.id}:{second}", f"{user.id}:{first}"]
    assert [row["segments"] for row in rows] == [1, 2]
    assert rows[0]["deleted_by_user_at"] is not None and rows[1]["status"] == "free_access"
    assert audits("audio.list")[0].target_id == str(user.id)

    table = run("list", str(user.id))
    assert table.exit_code == 0 and f"{user.id}:{first}" in table.output and "2 event(s)" in table.output
    assert run("list", "999999").exit_code == 1


def test_download_refused_when_blocked_and_allowed_after_grant(client, her, frozen_clock):
    user, headers = her
    event = str(uuid.uuid4())
    seg = aac(2, 440)
    upload(client, headers, event, 1, seg)
    frozen_clock.advance(days=4)
    url = f"/me/audios/{event}/download?audio_sequences=all"
    assert_error(client.get(url, headers=headers), 400, "audio_blocked_access")
    client.post(f"/me/audios/{event}/request-access", headers=headers)

    r = run("grant", event)
    assert r.exit_code == 0, r.output
    assert "granted" in r.output
    ok = client.get(url, headers=headers)
    assert ok.status_code == 200 and ok.data == seg
    row = client.get("/me/audios", headers=headers).get_json()["rows"][0]
    assert row["meta"] == {"download_granted": 1, "request_granted": 1, "requested_by_user": 1}
    (entry,) = audits("audio.grant")
    assert entry.target_id == f"{user.id}:{event}" and entry.detail == {"status": "free_access_by_admin"}

    frozen_clock.advance(days=36)  # 40 days after recording, even a grant ends
    assert client.get("/me/audios", headers=headers).get_json()["rows"] == []


def test_grant_of_an_event_she_deleted_points_to_export(client, her):
    _, headers = her
    event = str(uuid.uuid4())
    upload(client, headers, event, 1, aac())
    client.delete(f"/me/audios/{event}", headers=headers)
    r = run("grant", event)
    assert r.exit_code == 0 and "she deleted it" in r.output and "export" in r.output
    assert "she can download it" not in r.output
    assert ClienteAudioEvento.get().status == "free_access_by_admin"


def test_grant_names_events_without_ambiguity(client, app, her):
    user, headers = her
    event = str(uuid.uuid4())
    other = make_user()
    upload(client, headers, event, 1, aac())
    upload(client, auth_headers(app, other), event, 1, aac())
    r = run("grant", event)
    assert r.exit_code == 1 and "give the full id" in r.output
    assert run("grant", f"{other.id}:{event}").exit_code == 0
    statuses = {e.cliente_id: e.status for e in ClienteAudioEvento.select()}
    assert statuses == {user.id: "free_access", other.id: "free_access_by_admin"}
    assert run("grant", str(uuid.uuid4())).exit_code == 1
    assert run("grant", "nonsense").exit_code == 1


def test_export_writes_the_decrypted_recording_and_audits(client, her, tmp_path):
    user, headers = her
    event = str(uuid.uuid4())
    seg1, seg2 = aac(2, 440), aac(3, 550)
    upload(client, headers, event, 2, seg2)
    upload(client, headers, event, 1, seg1)
    client.delete(f"/me/audios/{event}", headers=headers)  # deleted in the app, still exportable for a court

    target = tmp_path / "evidence.aac"
    r = run("export", event, "--to", str(target))
    assert r.exit_code == 0, r.output
    assert target.read_bytes() == seg1 + seg2
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    digest = hashlib.sha256(seg1 + seg2).hexdigest()
    assert digest in r.output
    (entry,) = audits("audio.export")
    assert entry.target_id == f"{user.id}:{event}"
    assert entry.detail == {"bytes": len(seg1 + seg2), "segments": 2, "sha256": digest}

    again = run("export", event, "--to", str(target))
    assert again.exit_code == 1 and target.read_bytes() == seg1 + seg2


def test_orphans_are_reported_and_fixed(client, her):
    _, headers = her
    upload(client, headers, str(uuid.uuid4()), 1, aac())
    storage = get_storage()
    storage.put("audio/" + "0" * 64, b"left behind")
    storage.put("audio-test-other-feature/x.bin", b"other feature")

    r = run("orphans", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"orphans": [{"key": "audio/" + "0" * 64, "size": 11}], "unlinked_media": [],
                                    "removed": 0}

    r = run("orphans", "--fix")
    assert r.exit_code == 0 and "1 orphan object(s), 0 unlinked upload(s), 1 removed" in r.output
    assert not storage.exists("audio/" + "0" * 64) and storage.exists("audio-test-other-feature/x.bin")
    storage.delete("audio-test-other-feature/x.bin")
    assert storage.exists(MediaUpload.get().s3_path)
    assert [a.detail for a in audits("audio.orphans")] == [{"found": 1, "unlinked": 0, "removed": 0},
                                                           {"found": 1, "unlinked": 0, "removed": 1}]
    assert json.loads(run("orphans", "--json").output)["orphans"] == []


def test_orphans_job_reports_without_removing(client, her):
    from tasks.base import PERIODIC_JOBS

    _, headers = her
    upload(client, headers, str(uuid.uuid4()), 1, aac())
    get_storage().put("audio/" + "1" * 64, b"x" * 10)
    assert PERIODIC_JOBS["audio.orphans_check"].fn() == {"orphans": 1, "bytes": 10, "unlinked_media": 0}
    assert get_storage().exists("audio/" + "1" * 64)


def crashed_upload(user, data: bytes) -> MediaUpload:
    """The state a crash leaves between an upload's media_upload row (with its object) and its segment row."""
    key = audio_service.new_storage_key()
    sealed = envelope.seal(data, key)
    media = MediaUpload.create(id=str(uuid.uuid4()), file_sha1=hashlib.sha1(data).hexdigest(), file_size=len(data),
                               s3_path=key, cliente=user.id, intention=audio_service.INTENTION,
                               created_at=clock.now(), enc_key_id=sealed.key_id, enc_wrapped_key=sealed.wrapped_key)
    get_storage().put(key, sealed.blob, "application/octet-stream")
    return media


def test_uploads_left_without_a_segment_are_found_after_a_grace_period_and_fixed(client, her, frozen_clock):
    from tasks.base import PERIODIC_JOBS

    user, headers = her
    event, kept = str(uuid.uuid4()), aac(2, 440)
    upload(client, headers, event, 1, aac(3, 550))
    upload(client, headers, event, 1, kept)  # the first copy stays, referenced by its replaced segment row
    linked = {m.id for m in MediaUpload.select()}
    storage = get_storage()
    crashed = crashed_upload(user, aac(2, 660))
    # A crash inside the failed-upload clean-up (object deleted, row not yet) leaves a row without its object.
    half_dropped = crashed_upload(user, aac(2, 770))
    storage.delete(half_dropped.s3_path)

    def report():
        r = run("orphans", "--json")
        assert r.exit_code == 0, r.output
        return json.loads(r.output)

    # Still within the grace period: an upload may be on its way to its segment row, so nothing is touched.
    frozen_clock.advance(hours=23, minutes=59)
    assert report() == {"orphans": [], "unlinked_media": [], "removed": 0}
    assert "0 orphan object(s), 0 unlinked upload(s), 0 removed" in run("orphans", "--fix").output
    assert MediaUpload.select().count() == 4 and storage.exists(crashed.s3_path)

    frozen_clock.advance(minutes=1)
    found = report()
    assert found["orphans"] == [] and found["removed"] == 0
    assert found["unlinked_media"] == [
        {"id": m.id, "key": m.s3_path, "size": m.file_size, "created_at": "2026-11-23T12:00:00"}
        for m in sorted([crashed, half_dropped], key=lambda m: m.id)]
    assert PERIODIC_JOBS["audio.orphans_check"].fn() == {"orphans": 0, "bytes": 0, "unlinked_media": 2}
    assert storage.exists(crashed.s3_path) and MediaUpload.select().count() == 4

    text = run("orphans")
    assert crashed.id in text.output and "2 unlinked upload(s)" in text.output

    # A row that gained a segment after it was listed is not removed.
    segment = ClienteAudio.create(cliente=user.id, created_at=clock.now(), cliente_created_at=clock.now(),
                                  media_upload=crashed.id, event=f"{user.id}:{event}", event_sequence=2,
                                  audio_duration=2.0)
    assert audio_service.remove_unlinked_media([crashed.id]) == 0 and storage.exists(crashed.s3_path)
    segment.delete_instance()

    r = run("orphans", "--fix")
    assert r.exit_code == 0 and "0 orphan object(s), 2 unlinked upload(s), 2 removed" in r.output, r.output
    assert {m.id for m in MediaUpload.select()} == linked
    assert not storage.exists(crashed.s3_path)
    assert sorted(k for k, _ in storage.list(audio_service.STORAGE_PREFIX)) == sorted(
        m.s3_path for m in MediaUpload.select())
    assert client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers).data == kept
    assert [a.detail for a in audits("audio.orphans")][-1] == {"found": 0, "unlinked": 2, "removed": 2}
    assert report() == {"orphans": [], "unlinked_media": [], "removed": 0}


def test_rewrap_after_master_key_rotation(client, her):
    _, headers = her
    event = str(uuid.uuid4())
    seg = aac()
    old_key, new_key = key_for("old-master"), key_for("new-master")
    try:
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY=old_key)))
        upload(client, headers, event, 1, seg)
        blob_before = get_storage().get(MediaUpload.get().s3_path)

        # Rotation step 1: new current key, the old one kept for unwrapping.
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY=new_key, ENCRYPTION_KEYS_OLD=old_key)))
        assert client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers).data == seg
        r = run("rewrap")
        assert r.exit_code == 0 and "1 data key(s) re-wrapped" in r.output, r.output
        assert MediaUpload.get().enc_key_id == envelope.current_key().key_id
        assert audits("audio.rewrap")[0].detail == {"rewrapped": 1}

        # Step 2: the old key retired; the object itself never changed.
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY=new_key)))
        assert get_storage().get(MediaUpload.get().s3_path) == blob_before
        assert client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers).data == seg
        assert "0 data key(s)" in run("rewrap").output

        # Without the key that wrapped a data key, rewrap stops with a clear error instead of a traceback.
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY=key_for("unrelated"))))
        failed = run("rewrap")
        assert failed.exit_code == 1 and "not configured" in failed.output
    finally:
        reset_settings(None)


def test_help_teaches_rotation_and_lists_commands():
    r = runner.invoke(cli, ["audio", "--help"])
    assert r.exit_code == 0
    for command in ("list", "grant", "export", "orphans", "rewrap"):
        assert command in r.output
    assert "ENCRYPTION_KEYS_OLD" in runner.invoke(cli, ["audio", "rewrap", "--help"]).output
