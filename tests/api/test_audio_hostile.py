"""Hostile audio uploads (issue 11, items 1 and 2): files that make ffmpeg read something other than themselves,
and files far longer than any segment the app records."""
import functools
import shutil
import subprocess
import time
import uuid

import pytest

from penhas_api.core.adapters import ffmpeg
from penhas_api.core.models import MediaUpload
from tests.audio_samples import _DIR, aac, empty_audio_storage, upload  # noqa: F401 (autouse fixture)
from tests.factories import auth_headers, make_user
from tests.fakes.http import FakeHandler, fake_server
from tests.helpers import assert_error


@pytest.fixture
def headers(app):
    return auth_headers(app, make_user())


@pytest.fixture
def secret_on_disk():
    """Audio somewhere else on the server (the review found an operator's decrypted court export)."""
    path = _DIR / f"secret-{uuid.uuid4().hex}.aac"
    path.write_bytes(aac(3, 330))
    return path


def refused(response, message="O arquivo de áudio está corrompido ou não é suportado."):
    body = assert_error(response, 400, "unsupported_media_type", field="media")
    assert body["message"] == message
    assert MediaUpload.select().count() == 0


TOO_LONG = "O trecho de áudio é mais longo do que o aplicativo grava (901 s)."


def test_hls_playlist_pointing_at_a_server_file_is_refused(client, headers, secret_on_disk):
    playlist = (f"#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\nfile://{secret_on_disk}\n"
                "#EXT-X-ENDLIST\n").encode()
    refused(upload(client, headers, str(uuid.uuid4()), 1, playlist))


def test_concat_script_is_refused(client, headers, secret_on_disk):
    for target in (str(secret_on_disk), secret_on_disk.name, f"../{secret_on_disk.name}"):
        script = f"ffconcat version 1.0\nfile '{target}'\n".encode()
        refused(upload(client, headers, str(uuid.uuid4()), 1, script))


def test_http_reference_is_never_fetched(client, headers):
    class Audio(FakeHandler):
        def route(self, method, path, query):
            return 200, aac(2)

    with fake_server(Audio) as server:
        playlist = (f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{server.url}/segment.aac\n"
                    "#EXT-X-ENDLIST\n").encode()
        refused(upload(client, headers, str(uuid.uuid4()), 1, playlist))
        assert server.calls == []


def test_an_adts_header_in_front_of_a_playlist_is_still_read_as_adts(tmp_path, secret_on_disk):
    # The first bytes choose the demuxer; whatever follows is parsed as ADTS frames, never as a playlist.
    path = tmp_path / "x.aac"
    path.write_bytes(b"\xff\xf1" + f"\n#EXTM3U\n#EXTINF:3,\nfile://{secret_on_disk}\n".encode())
    with pytest.raises(ffmpeg.InvalidAudio):
        ffmpeg.duration_seconds(path)


@functools.lru_cache(maxsize=None)
def long_adts(seconds: int) -> bytes:
    """ADTS is self-framed: a 30 s segment repeated is a valid longer stream (cheap to make)."""
    return aac(30, 220) * (seconds // 30)


@functools.lru_cache(maxsize=None)
def long_opus_mp4(seconds: int) -> bytes:
    """The review's file: Opus in MP4, a few MB for tens of minutes; looped by stream copy, so made in a blink."""
    short = _DIR / "opus-30.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "30",
                    "-c:a", "libopus", "-b:a", "6k", "-f", "mp4", str(short)], check=True, timeout=60)
    out = _DIR / f"opus-{seconds}.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(seconds // 30 - 1), "-i", str(short),
                    "-c", "copy", "-f", "mp4", str(out)], check=True, timeout=60)
    return out.read_bytes()


def test_opus_in_mp4_longer_than_a_segment_is_refused_before_decoding(client, headers):
    data = long_opus_mp4(2700)  # 45 minutes, named .aac like the review's
    started = time.monotonic()
    refused(upload(client, headers, str(uuid.uuid4()), 1, data), TOO_LONG)
    assert time.monotonic() - started < 3


def test_adts_longer_than_a_segment_is_refused(client, headers):
    refused(upload(client, headers, str(uuid.uuid4()), 1, long_adts(930)), TOO_LONG)


def test_a_full_length_segment_is_accepted(client, headers):
    assert upload(client, headers, str(uuid.uuid4()), 1, long_adts(900)).status_code == 200


def test_a_hanging_ffprobe_is_cut_short_with_the_contract_error(client, headers, monkeypatch, tmp_path):
    assert ffmpeg.PROBE_TIMEOUT_SECONDS <= 10  # gunicorn's worker timeout is 30 s
    hanging = tmp_path / "ffprobe"
    hanging.write_text("#!/bin/sh\nsleep 60\n")
    hanging.chmod(0o755)
    (tmp_path / "ffmpeg").symlink_to(shutil.which("ffmpeg"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(ffmpeg, "PROBE_TIMEOUT_SECONDS", 1)
    started = time.monotonic()
    refused(upload(client, headers, str(uuid.uuid4()), 1, aac()))
    assert time.monotonic() - started < 5
