"""Stored segments: analysing an upload (ffprobe/ffmpeg), the encrypted object and its media_upload row."""
import base64
import logging
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from penhas_api.core import clock, envelope
from penhas_api.core.adapters import ffmpeg
from penhas_api.core.adapters.storage import StorageError, get_storage
from penhas_api.core.models import ClienteAudio, MediaUpload
from penhas_api.core.services.audio.rules import (
    INTENTION, STORAGE_PREFIX, audio_file_missing, audio_tools_missing, unsupported_audio)


log = logging.getLogger("penhas.audio")


@dataclass
class Analysed:
    stored: bytes
    duration: float
    waveform_base64: str
    info: dict


def analyse(data: bytes, ext: str) -> Analysed:
    """Read duration and waveform from the audio; normalise it to AAC/ADTS (copied byte for byte when it already is)."""
    try:
        ffmpeg.require_tools()
    except ffmpeg.AudioToolsMissing as exc:
        log.error("audio upload refused: %s", exc)
        raise audio_tools_missing() from None
    # A private temporary directory (0700), removed with its plaintext as soon as the analysis ends.
    with tempfile.TemporaryDirectory(prefix="penhas-audio-") as tmp:
        src = Path(tmp) / f"upload.{ext}"
        src.write_bytes(data)
        try:
            probed = ffmpeg.probe(src)
            if probed["format"] == "aac" and probed["codec"] == "aac":
                path, stored = src, data
            else:
                path = Path(tmp) / "normalised.aac"
                ffmpeg.to_adts(src, path, probed["codec"])
                stored = path.read_bytes()
            duration = ffmpeg.duration_seconds(path)
            waveform = base64.b64encode(ffmpeg.waveform_png(path)).decode()
        except ffmpeg.InvalidAudio:
            log.info("audio upload refused: not decodable", extra={"ext": ext, "size": len(data)})
            raise unsupported_audio() from None
    info = {"o_ext": ext, "o_size": len(data), "format": probed["format"], "codec": probed["codec"],
            "normalised": stored is not data}
    return Analysed(stored, duration, waveform, info)


def new_storage_key() -> str:
    # 256 random bits: nothing about the owner, the date or the event, and nothing to enumerate.
    return STORAGE_PREFIX + secrets.token_hex(32)


def read_media(media: MediaUpload) -> bytes:
    """Decrypted content of a stored object; PenhasError 500 when it is missing or does not decrypt."""
    try:
        blob = get_storage().get(media.s3_path)
        return envelope.open_sealed(blob, media.enc_key_id, media.enc_wrapped_key, media.s3_path)
    except (StorageError, envelope.EnvelopeError) as exc:
        log.error("stored audio unreadable: %s", exc.__class__.__name__, extra={"media_id": media.id})
        raise audio_file_missing() from None


def store_media(cliente_id: int, analysed: Analysed, original_sha1: str) -> MediaUpload:
    key = new_storage_key()
    sealed = envelope.seal(analysed.stored, key)
    # The row is committed before the object exists, so an object no row names is always a real orphan.
    media = MediaUpload.create(
        id=str(uuid.uuid4()), file_info=analysed.info, file_sha1=original_sha1, file_size=len(analysed.stored),
        s3_path=key, cliente=cliente_id, intention=INTENTION, created_at=clock.now(),
        enc_key_id=sealed.key_id, enc_wrapped_key=sealed.wrapped_key)
    try:
        get_storage().put(key, sealed.blob, "application/octet-stream")
    except Exception:
        media.delete_instance()
        raise
    return media


def drop_media(media: MediaUpload) -> None:
    get_storage().delete(media.s3_path)
    MediaUpload.delete().where(MediaUpload.id == media.id).execute()


def current_audios(event_id: str) -> list[ClienteAudio]:
    return list(ClienteAudio.select(ClienteAudio, MediaUpload).join(MediaUpload)
                .where(ClienteAudio.event == event_id, ClienteAudio.duplicated_upload == False)  # noqa: E712
                .order_by(ClienteAudio.event_sequence))
