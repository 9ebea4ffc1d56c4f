"""Audio recordings through the API, as the app uses them (mobile-contract §2.11, backend-rules §5.2–5.4)."""
import hashlib
import json
import re
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from penhas_api.core import tokens
from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.models import ClienteAudio, ClienteAudioEvento, ClienteSession, MediaUpload
from penhas_api.core.services import audio as audio_service
from tasks.base import PERIODIC_JOBS
from tests.audio_samples import aac, empty_audio_storage, upload  # noqa: F401 (autouse fixture)
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures/app/audios/audios_fetch.json").read_text())


def new_event() -> str:
    return str(uuid.uuid4())


def housekeeping():
    return PERIODIC_JOBS["audio.housekeeping"].fn()


def same_shape(expected, actual, path="$"):
    """Same keys and JSON types as the golden fixture, recursively (lists: every item like the first)."""
    assert type(actual) is type(expected), (path, expected, actual)
    if isinstance(expected, dict):
        missing = set(expected) - set(actual)
        assert not missing, (path, missing)
        for key in expected:
            same_shape(expected[key], actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected:
        for i, item in enumerate(actual):
            same_shape(expected[0], item, f"{path}[{i}]")


@pytest.fixture
def user(app):
    u = make_user()
    return u, auth_headers(app, u)


def stored_objects():
    return list(get_storage().list(audio_service.STORAGE_PREFIX))


def test_background_upload_flow_ends_with_the_right_event(client, user, frozen_clock):
    _, headers = user
    event = new_event()
    seg1, seg2, seg3 = aac(2, 440), aac(3, 550), aac(2, 660)

    # Out of order: the second segment arrives first.
    r2 = upload(client, headers, event, 2, seg2)
    assert r2.status_code == 200, r2.get_json()
    assert r2.get_json()["message"] == "Áudio recebido com sucesso!" and r2.get_json()["success"] == 1
    r1 = upload(client, headers, event, 1, seg1)
    assert r1.status_code == 200
    # The same segment twice: nothing new is stored.
    again = upload(client, headers, event, 1, seg1)
    assert again.status_code == 200 and again.get_json()["data"]["id"] == r1.get_json()["data"]["id"]
    # A copy cut short in transit (its sha1 is the full file's) is refused, so the app sends it again.
    cut = upload(client, headers, event, 3, seg3[: len(seg3) // 2], sha1=hashlib.sha1(seg3).hexdigest())
    assert_error(cut, 400, "sha1_mismatch", field="sha1")
    # An early copy taken while the file was still being written, then the complete file, then the early copy again.
    early = seg3[: len(seg3) // 2]
    assert upload(client, headers, event, 3, early).status_code == 200
    full = upload(client, headers, event, 3, seg3)
    assert full.status_code == 200
    stale = upload(client, headers, event, 3, early)
    assert stale.status_code == 200 and stale.get_json()["data"]["id"] == full.get_json()["data"]["id"]

    body = client.get("/me/audios", headers=headers).get_json()
    assert body["message"].startswith("Você tem 1 áudio gravado. Gravações com mais de 30 dias")
    assert len(body["rows"]) == 1
    same_shape(FIXTURE["rows"][0], body["rows"][0])
    data = body["rows"][0]["data"]
    assert data["event_id"] == event
    assert data["audio_duration"] == "0m07s"  # 2 s + 3 s + 2 s of AAC, each with its encoder priming
    assert data["total_bytes"] == audio_service.format_bytes(len(seg1) + len(seg2) + len(seg3))
    assert data["last_cliente_created_at"] == (frozen_clock.now - timedelta(minutes=10, seconds=-90)).isoformat()
    assert body["rows"][0]["meta"] == {"download_granted": 1, "request_granted": 0, "requested_by_user": 0}

    detail = client.get(f"/me/audios/{event}", headers=headers).get_json()
    assert [a["event_sequence"] for a in detail["audios"]] == [1, 2, 3]
    assert [a["audio_duration"] for a in detail["audios"]] == ["3s", "4s", "3s"]
    assert [a["bytes"] for a in detail["audios"]] == [audio_service.format_bytes(len(s)) for s in (seg1, seg2, seg3)]
    assert all(a["waveform"] for a in detail["audios"])

    rows = list(ClienteAudio.select().order_by(ClienteAudio.id))
    assert [(a.event_sequence, a.duplicated_upload) for a in rows] == [(2, False), (1, False), (3, True), (3, False)]
    ev = ClienteAudioEvento.get()
    assert ev.event_id.endswith(":" + event) and ev.total_bytes == len(seg1) + len(seg2) + len(seg3)
    assert 7.0 < float(ev.audio_duration) < 7.3

    dl = client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers)
    assert dl.status_code == 200 and dl.mimetype == "audio/aac"
    assert dl.data == seg1 + seg2 + seg3
    assert dl.headers["Cache-Control"] == "no-store"
    picked = client.get(f"/me/audios/{event}/download", query_string={"audio_sequences": "3,1"}, headers=headers)
    assert picked.data == seg1 + seg3
    played = {a.event_sequence: a.played_count for a in ClienteAudio.select().where(~ClienteAudio.duplicated_upload)}
    assert played == {1: 2, 2: 1, 3: 2}


def test_list_matches_the_app_fixture(client, user, frozen_clock):
    _, headers = user
    older, newer = new_event(), new_event()
    assert upload(client, headers, older, 1, aac(2, 440)).status_code == 200
    frozen_clock.advance(days=4)
    assert upload(client, headers, newer, 1, aac(3, 550)).status_code == 200
    assert client.post(f"/me/audios/{older}/request-access", headers=headers).status_code == 200

    body = client.get("/me/audios", headers=headers).get_json()
    same_shape(FIXTURE, body)
    assert body["message"] == FIXTURE["message"]
    assert [r["data"]["event_id"] for r in body["rows"]] == [newer, older]
    assert [r["meta"] for r in body["rows"]] == [r["meta"] for r in FIXTURE["rows"]]
    for row in body["rows"]:
        assert isinstance(row["data"]["audio_duration"], str) and isinstance(row["data"]["total_bytes"], str)
        datetime.fromisoformat(row["data"]["last_cliente_created_at"])
    assert body["has_more"] == 0 and body["next_page"] is None


def test_empty_list_message(client, user):
    _, headers = user
    body = client.get("/me/audios?", headers=headers).get_json()
    assert body["rows"] == [] and body["message"] == "Você ainda não tem nenhum áudio gravado."


def test_list_pages_with_a_token_bound_to_its_owner(client, app, user, frozen_clock):
    _, headers = user
    events = []
    for _ in range(3):
        events.append(new_event())
        assert upload(client, headers, events[-1], 1, aac(2, 440)).status_code == 200
        frozen_clock.advance(minutes=1)
    first = client.get("/me/audios?rows=2", headers=headers).get_json()
    assert [r["data"]["event_id"] for r in first["rows"]] == events[::-1][:2] and first["has_more"] == 1
    second = client.get("/me/audios", query_string={"rows": 2, "next_page": first["next_page"]},
                        headers=headers).get_json()
    assert [r["data"]["event_id"] for r in second["rows"]] == [events[0]] and second["has_more"] == 0

    other = auth_headers(app, make_user())
    replayed = client.get("/me/audios", query_string={"next_page": first["next_page"]}, headers=other)
    assert_error(replayed, 400, "form_error", field="next_page")
    foreign = tokens.sign("some-other-list", {"u": 1, "t": "2026-01-01T00:00:00", "e": "x"})
    assert_error(client.get("/me/audios", query_string={"next_page": foreign}, headers=headers), 400, "form_error",
                 field="next_page")


def test_upload_rejects_bad_input(client, user):
    _, headers = user
    event = new_event()
    no_media = client.post("/me/audios", data={"event_id": event, "event_sequence": "1",
                                               "cliente_created_at": "2026-11-23T11:00:00Z",
                                               "current_time": "2026-11-23T11:00:00Z"},
                           headers=headers, content_type="multipart/form-data")
    assert_error(no_media, 400, "media_missing")
    assert_error(upload(client, headers, event, 1, b""), 400, "media_invalid_size")
    assert_error(upload(client, headers, event, 1, b"\xff\xf1"), 400, "media_invalid_size")
    assert_error(upload(client, headers, event, 1, b"\0" * (audio_service.MAX_BYTES + 1)), 400, "media_too_big")
    body = assert_error(upload(client, headers, event, 1, b"this is not audio at all" * 5), 400,
                        "unsupported_media_type", field="media")
    assert body["message"] == "O arquivo de áudio está corrompido ou não é suportado."
    body = assert_error(upload(client, headers, event, 1, aac(), filename="notes.txt"), 400, "unsupported_media_type")
    assert body["message"] == "Tipo de arquivo não é suportado."
    assert_error(upload(client, headers, "not-a-uuid", 1, aac()), 400, "form_error", field="event_id",
                 reason="invalid")
    assert_error(upload(client, headers, str(uuid.uuid1()), 1, aac()), 400, "form_error", field="event_id")
    assert_error(upload(client, headers, event, 1001, aac()), 400, "form_error", field="event_sequence")
    assert_error(upload(client, headers, event, 1, aac(), current_time="ontem"), 400, "form_error",
                 field="current_time", reason="invalid")
    assert_error(upload(client, headers, event, 1, aac(), sha1="zz"), 400, "form_error", field="sha1")
    assert not stored_objects() and MediaUpload.select().count() == 0 and ClienteAudioEvento.select().count() == 0


def test_upload_blocked_account(client, app):
    u = make_user(upload_status="blocked_all")
    assert_error(upload(client, auth_headers(app, u), new_event(), 1, aac()), 400, "upload_blocked")
    only_audio = make_user(upload_status="only_guardiao")
    assert upload(client, auth_headers(app, only_audio), new_event(), 1, aac()).status_code == 200


def test_missing_ffmpeg_is_a_clear_error(client, user, monkeypatch, tmp_path):
    _, headers = user
    monkeypatch.setenv("PATH", str(tmp_path))
    body = assert_error(upload(client, headers, new_event(), 1, aac()), 503, "audio_tools_missing")
    assert "processar áudios" in body["message"]
    assert not stored_objects()


def test_container_upload_is_stored_as_adts(client, user, tmp_path):
    _, headers = user
    event = new_event()
    m4a = aac(2, 440, container="mp4")
    assert upload(client, headers, event, 1, m4a, filename="rec.m4a").status_code == 200
    dl = client.get(f"/me/audios/{event}/download?audio_sequences=1", headers=headers)
    assert dl.status_code == 200 and dl.data[:2] == b"\xff\xf1"  # ADTS sync word
    out = tmp_path / "dl.aac"
    out.write_bytes(dl.data)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=format_name", "-of", "csv=p=0",
                            str(out)], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "aac"


def test_clock_skew_is_corrected(client, user, frozen_clock):
    _, headers = user
    skewed, fine = new_event(), new_event()
    # The phone's clock says 2047: the recording time is moved by the same difference.
    r = upload(client, headers, skewed, 1, aac(), created_at="2047-01-01T10:00:00.000Z",
               current_time="2047-01-01T10:01:00.000000Z")
    assert r.status_code == 200
    assert ClienteAudioEvento.get(ClienteAudioEvento.event_id.endswith(skewed)).last_cliente_created_at == \
        frozen_clock.now - timedelta(minutes=1)
    # Within 10 s nothing is corrected.
    r = upload(client, headers, fine, 1, aac(), created_at="2026-11-23T11:50:00.000Z",
               current_time="2026-11-23T12:00:05.000Z")
    assert ClienteAudioEvento.get(ClienteAudioEvento.event_id.endswith(fine)).last_cliente_created_at == \
        datetime(2026, 11, 23, 11, 50)


def test_dates_out_of_any_calendar_are_refused_not_crashed(client, user):
    _, headers = user
    event = new_event()
    cases = (("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "current_time"),
             ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "current_time"),
             ("0001-01-01T00:00:00+05:00", "2026-11-23T12:00:00Z", "cliente_created_at"),
             ("2026-11-23T12:00:00Z", "9999-12-31T23:59:59-05:00", "current_time"))
    for created_at, current_time, field in cases:
        r = upload(client, headers, event, 1, aac(), created_at=created_at, current_time=current_time)
        assert_error(r, 400, "form_error", field=field, reason="invalid")
    assert not stored_objects() and ClienteAudioEvento.select().count() == 0


def test_status_life_cycle_on_schedule(client, user, frozen_clock):
    _, headers = user
    event = new_event()
    assert upload(client, headers, event, 1, aac()).status_code == 200
    dl_url = f"/me/audios/{event}/download?audio_sequences=all"

    frozen_clock.advance(days=3, minutes=-1)
    housekeeping()
    assert ClienteAudioEvento.get().status == "free_access"
    assert client.get(dl_url, headers=headers).status_code == 200

    frozen_clock.advance(minutes=2)
    assert housekeeping()["blocked"] == 1
    row = client.get("/me/audios", headers=headers).get_json()["rows"][0]
    assert row["meta"] == {"download_granted": 0, "request_granted": 0, "requested_by_user": 0}
    body = assert_error(client.get(dl_url, headers=headers), 400, "audio_blocked_access")
    assert body["message"] == "Você não pode fazer o download deste evento. Entre em contato com o administrador."

    asked = client.post(f"/me/audios/{event}/request-access", headers=headers)
    assert asked.status_code == 200 and asked.get_json() == {"message": audio_service.REQUEST_ACCESS_MESSAGE,
                                                             "success": 1}
    row = client.get("/me/audios", headers=headers).get_json()["rows"][0]
    assert row["meta"] == {"download_granted": 0, "request_granted": 0, "requested_by_user": 1}
    assert_error(client.get(dl_url, headers=headers), 400, "audio_blocked_access")

    frozen_clock.advance(days=27)  # 30 days and a minute after the event began
    assert housekeeping()["hidden"] == 1
    body = client.get("/me/audios", headers=headers).get_json()
    assert body["rows"] == [] and body["message"].startswith("Você tem 1 áudio gravado.")
    assert_error(client.get(f"/me/audios/{event}", headers=headers), 404, "item_not_found")
    assert_error(client.get(dl_url, headers=headers), 404, "item_not_found")
    assert len(stored_objects()) == 1  # hidden from her, still kept as evidence


def test_list_applies_the_life_cycle_without_the_job(client, user, frozen_clock):
    _, headers = user
    event = new_event()
    upload(client, headers, event, 1, aac())
    frozen_clock.advance(days=4)
    row = client.get("/me/audios", headers=headers).get_json()["rows"][0]
    assert row["meta"]["download_granted"] == 0
    assert ClienteAudioEvento.get().status == "blocked_access"


def test_five_year_purge_removes_the_objects(client, user, frozen_clock):
    _, headers = user
    event = new_event()
    upload(client, headers, event, 1, aac(2, 440))
    upload(client, headers, event, 2, aac(3, 550))
    keep = new_event()
    frozen_clock.advance(days=300)
    upload(client, headers, keep, 1, aac(2, 660))
    assert len(stored_objects()) == 3

    frozen_clock.advance(days=5 * 365 - 299)
    result = housekeeping()
    assert result["marked_purge"] == 1 and result["purged_events"] == 1
    purged = ClienteAudioEvento.get(ClienteAudioEvento.event_id.endswith(event))
    assert purged.status == "delete_from_s3"
    assert ClienteAudio.select().where(ClienteAudio.event == purged.event_id).count() == 0
    assert len(stored_objects()) == 1 and MediaUpload.select().count() == 1
    assert housekeeping()["purged_events"] == 0
    from penhas_api.core.models import AuditLog

    # Evidence leaving storage is in the audit trail, under the job's name.
    assert [(a.action, a.actor, a.detail) for a in AuditLog.select()] == [
        ("audio.purge", "task:audio.housekeeping", {"events": [purged.event_id]})]


def test_deleting_the_account_leaves_no_object(client, app, user):
    from penhas_api.core.models import Cliente
    from penhas_api.core.services.deletion import run_erasers

    her, headers = user
    other = make_user()
    other_headers = auth_headers(app, other)
    upload(client, headers, new_event(), 1, aac(2, 440))
    upload(client, headers, new_event(), 1, aac(3, 550))
    upload(client, other_headers, new_event(), 1, aac(2, 660))
    assert len(stored_objects()) == 3

    run_erasers(her.id)
    run_erasers(her.id)  # idempotent: a failed deletion is retried
    Cliente.delete().where(Cliente.id == her.id).execute()
    assert len(stored_objects()) == 1
    for model in (MediaUpload, ClienteAudio, ClienteAudioEvento):
        assert model.select().where(model.cliente == her.id).count() == 0
    assert client.get("/me/audios", headers=other_headers).get_json()["rows"][0]["meta"]["download_granted"] == 1


def test_delete_hides_the_event_but_keeps_the_evidence(client, user):
    _, headers = user
    event = new_event()
    upload(client, headers, event, 1, aac())
    r = client.delete(f"/me/audios/{event}", headers=headers)
    assert r.status_code == 200 and r.get_json() == {}
    assert client.delete(f"/me/audios/{event}", headers=headers).get_json() == {}
    body = client.get("/me/audios", headers=headers).get_json()
    assert body["rows"] == [] and body["message"] == "Você ainda não tem nenhum áudio gravado."
    assert_error(client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers), 404,
                 "item_not_found")
    assert ClienteAudioEvento.get().deleted_at is not None and len(stored_objects()) == 1


def test_download_streams_segments_in_pieces(client, user, monkeypatch):
    _, headers = user
    event = new_event()
    segments = [aac(2, 440), aac(3, 550)]
    for sequence, seg in enumerate(segments, 1):
        upload(client, headers, event, sequence, seg)
    monkeypatch.setattr(audio_service.owner, "STREAM_CHUNK", 1000)
    dl = client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers, buffered=False)
    pieces = list(dl.response)
    assert b"".join(pieces) == segments[0] + segments[1]
    assert max(len(p) for p in pieces) == 1000 and len(pieces) > len(segments)
    assert int(dl.headers["Content-Length"]) == len(segments[0]) + len(segments[1])


def test_download_rejects_unknown_sequences(client, user):
    _, headers = user
    event = new_event()
    upload(client, headers, event, 1, aac())
    for value in ("2", "1,2", "x", "", "1;2"):
        r = client.get(f"/me/audios/{event}/download", query_string={"audio_sequences": value}, headers=headers)
        assert_error(r, 400, "form_error", field="audio_sequences")
    assert_error(client.get(f"/me/audios/{event}/download", headers=headers), 400, "form_error",
                 field="audio_sequences", reason="is_required")


def test_nobody_else_reaches_her_recordings(client, app, user):
    her, headers = user
    event = new_event()
    upload(client, headers, event, 1, aac(2, 440))
    intruder = auth_headers(app, make_user())

    for method, path in (("get", f"/me/audios/{event}"), ("delete", f"/me/audios/{event}"),
                         ("post", f"/me/audios/{event}/request-access"),
                         ("get", f"/me/audios/{event}/download?audio_sequences=all")):
        assert_error(getattr(client, method)(path, headers=intruder), 404, "item_not_found")
        guessed = path.replace(event, str(uuid.uuid4()))
        assert_error(getattr(client, method)(guessed, headers=headers), 404, "item_not_found")
    assert client.get("/me/audios", headers=intruder).get_json()["rows"] == []
    # Her composite id, her user id or path tricks are not event ids.
    for bad in (f"{her.id}:{event}", "..", event.upper() + "0", "%25"):
        assert_error(client.get(f"/me/audios/{bad}", headers=headers), 400, "form_error", field="event_id")
    assert_error(client.get("/me/audios/..%2F..%2Fetc", headers=headers), 404, "Page not found")
    # The intruder sending the same uuid gets an event of her own; hers is untouched.
    upload(client, intruder, event, 1, aac(3, 550))
    assert ClienteAudioEvento.select().count() == 2
    mine = client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers)
    assert mine.data == aac(2, 440)
    assert ClienteAudioEvento.get(ClienteAudioEvento.cliente == her.id).deleted_at is None
    # Without a session, or with a revoked one, nothing at all.
    assert_error(client.get(f"/me/audios/{event}/download?audio_sequences=all"), 401, "missing_jwt")
    ClienteSession.delete().where(ClienteSession.cliente == her.id).execute()
    assert_error(client.get(f"/me/audios/{event}/download?audio_sequences=all", headers=headers), 403, "jwt_logout")


def test_storage_keys_say_nothing_and_objects_are_ciphertext(client, user):
    her, headers = user
    event = new_event()
    seg = aac(2, 440)
    upload(client, headers, event, 1, seg)
    (key, size), = stored_objects()
    # 256 random bits and nothing else: no user id, event id or date to guess or enumerate.
    assert re.fullmatch(r"audio/[0-9a-f]{64}", key)
    assert MediaUpload.get().s3_path == key and MediaUpload.get().cliente_id == her.id
    raw = get_storage().get(key)
    assert seg[:64] not in raw and raw != seg and size == len(raw)
