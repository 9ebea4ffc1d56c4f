"""The web tier as the Procfile runs it (issue 11, item 1): a slow upload holds one thread, not the worker, so
other requests (a panic alert) are served meanwhile; errors gunicorn answers itself are the contract's JSON."""
import hashlib
import json
import re
import shlex
import socket
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
import requests

from tests.audio_samples import _DIR
from tests.embedded_server import ROOT, embedded_server

pytestmark = pytest.mark.slow
UA = "Android 12/penhas/3.6.0/test"


def procfile_web_args(workers: int) -> list[str]:
    """The Procfile's gunicorn options, with WEB_CONCURRENCY set (the bind and the app are the helper's)."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))
    line = re.sub(r"\$\{WEB_CONCURRENCY:-\d+\}", str(workers), line.split(":", 1)[1])
    args = shlex.split(line)[1:]
    i = args.index("--bind")
    del args[i:i + 2]
    return [a for a in args if "create_app" not in a]


def long_segment() -> bytes:
    """Five minutes of Opus in MP4: accepted, and it must be transcoded to AAC, which takes seconds."""
    import subprocess

    short = _DIR / "tier-opus-30.mp4"
    out = _DIR / "tier-opus-300.mp4"
    if not out.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000",
                        "-t", "30", "-c:a", "libopus", "-b:a", "24k", "-f", "mp4", str(short)], check=True, timeout=60)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "9", "-i", str(short), "-c", "copy",
                        "-f", "mp4", str(out)], check=True, timeout=60)
    return out.read_bytes()


def signup(url: str) -> str:
    r = requests.post(f"{url}/signup", params={
        "dry": "0", "nome_completo": "Maria da Silva", "dt_nasc": "1990-01-01", "cpf": "11144477735",
        "cep": "01310-100", "email": f"{uuid.uuid4().hex}@example.com", "genero": "Feminino", "raca": "branco",
        "apelido": "maria", "senha": "Senha-Forte-123", "app_version": UA}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["session"]


def upload(url: str, token: str, data: bytes) -> requests.Response:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return requests.post(f"{url}/me/audios", headers={"X-Api-Key": token}, timeout=120, data={
        "event_id": str(uuid.uuid4()), "event_sequence": "1", "cliente_created_at": now, "current_time": now,
        "sha1": hashlib.sha1(data).hexdigest()}, files={"media": ("1_x_1.aac", data, "audio/aac")})


def test_a_slow_upload_does_not_hold_other_requests(tmp_path):
    data = long_segment()
    with embedded_server(tmp_path, *procfile_web_args(workers=1)) as url:
        token = signup(url)
        results = {}
        uploading = threading.Thread(target=lambda: results.setdefault("upload", upload(url, token, data)))
        started = time.monotonic()
        uploading.start()
        time.sleep(0.5)  # the upload is being analysed now
        waits = []
        while uploading.is_alive() and len(waits) < 5:
            t0 = time.monotonic()
            assert requests.get(f"{url}/me", headers={"X-Api-Key": token}, timeout=30).status_code == 200
            waits.append(time.monotonic() - t0)
            time.sleep(0.2)
        uploading.join(120)
        upload_seconds = time.monotonic() - started
    assert results["upload"].status_code == 200, results["upload"].text
    assert waits, f"the upload took only {upload_seconds:.1f} s: nothing to measure"
    assert max(waits) < 1, (waits, upload_seconds)


def test_errors_gunicorn_answers_itself_are_json(tmp_path):
    with embedded_server(tmp_path, *procfile_web_args(workers=1)) as url:
        host, port = urlparse(url).hostname, urlparse(url).port
        with socket.create_connection((host, port), timeout=10) as s:
            s.sendall(b"NOT A VALID REQUEST LINE\r\n\r\n")
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head, head
    assert json.loads(body) == {"error": "bad_request", "message": "Requisição inválida."}
