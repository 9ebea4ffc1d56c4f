"""Real audio made by ffmpeg for the audio tests (cached per process), and the app's upload request."""
import functools
import hashlib
import io
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from penhas_api.core import clock

_DIR = Path(tempfile.mkdtemp(prefix="penhas-audio-samples-"))


@functools.lru_cache(maxsize=None)
def aac(seconds: float = 2, frequency: int = 440, container: str = "adts") -> bytes:
    """A sine tone encoded as AAC, in ADTS (what the app records) or in an MP4/M4A container."""
    out = _DIR / f"{seconds}-{frequency}.{container}"
    tone = f"sine=frequency={frequency}:duration={seconds}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", tone, "-c:a", "aac", "-f", container, str(out)],
                   check=True, timeout=60)
    return out.read_bytes()


def upload(client, headers, event_id: str, sequence: int, data: bytes, *, created_at: str | None = None,
           current_time: str | None = None, sha1: str | None = "auto", filename: str | None = None):
    """POST /me/audios exactly as the app's background uploader sends it (times default to the domain clock)."""
    now = clock.now()
    recorded = now - timedelta(minutes=10) + timedelta(seconds=30 * sequence)
    created_at = created_at or recorded.isoformat(timespec="milliseconds") + "Z"
    current_time = current_time or now.isoformat(timespec="microseconds") + "Z"
    form = {"event_id": event_id, "event_sequence": str(sequence), "cliente_created_at": created_at,
            "current_time": current_time}
    if sha1 == "auto":
        form["sha1"] = hashlib.sha1(data).hexdigest()
    elif sha1 is not None:
        form["sha1"] = sha1
    form["media"] = (io.BytesIO(data), filename or f"1732363140123_{event_id}_{sequence}.aac", "audio/aac")
    return client.post("/me/audios", data=form, headers=headers, content_type="multipart/form-data")


@pytest.fixture(autouse=True)
def empty_audio_storage():
    """Start with no audio object. The harness empties disk storage after each test but not an S3 bucket, and
    these tests count objects (each xdist worker has its own bucket, so this touches no one else's)."""
    from penhas_api.core.adapters.storage import get_storage
    from penhas_api.core.services.audio import STORAGE_PREFIX

    storage = get_storage()
    for key, _size in list(storage.list(STORAGE_PREFIX)):
        storage.delete(key)
