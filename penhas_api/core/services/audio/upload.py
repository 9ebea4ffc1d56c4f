"""Uploads: idempotent per (event, sequence), the latest complete copy wins, event totals recomputed."""
import hashlib
import logging
import re
from datetime import datetime
from decimal import Decimal

from penhas_api.core import clock
from penhas_api.core.db import database, is_postgres
from penhas_api.core.errors import PenhasError, form_error
from penhas_api.core.models import Cliente, ClienteAudio, ClienteAudioEvento, MediaUpload
from penhas_api.core.services.audio.media import analyse, drop_media, read_media, store_media
from penhas_api.core.services.audio.rules import (
    CLOCK_SKEW_TOLERANCE, EXTENSIONS, FREE, MAX_BYTES, MAX_SEQUENCE, MIN_BYTES, event_key, media_invalid_size,
    media_missing, media_too_big, sha1_mismatch, unsupported_type, upload_blocked, utc_naive)


log = logging.getLogger("penhas.audio")


_SHA1 = re.compile(r"[0-9a-f]{40}")


def _recording_time(now: datetime, cliente_created_at: datetime, current_time: datetime) -> datetime:
    """``cliente_created_at`` moved by the phone's clock error when it exceeds the tolerance (spec §5.2 step 2)."""
    try:
        recorded_at = utc_naive(cliente_created_at)
    except OverflowError:  # e.g. year 1 with a positive offset
        raise form_error("cliente_created_at", "invalid") from None
    try:
        skew = now - utc_naive(current_time)
    except OverflowError:
        raise form_error("current_time", "invalid") from None
    if abs(skew) > CLOCK_SKEW_TOLERANCE:
        try:
            recorded_at += skew
        except OverflowError:  # a phone clock millennia off: no recording time can be derived from it
            raise form_error("current_time", "invalid") from None
    return recorded_at


def _current_segment(event_id: str, sequence: int) -> ClienteAudio | None:
    return (ClienteAudio.select(ClienteAudio, MediaUpload).join(MediaUpload)
            .where(ClienteAudio.event == event_id, ClienteAudio.event_sequence == sequence,
                   ClienteAudio.duplicated_upload == False)  # noqa: E712
            .first())


def _is_stale_copy(current: ClienteAudio, data: bytes) -> bool:
    """True when ``data`` is what we already hold, or an earlier, shorter copy of it."""
    if current.media_upload.file_sha1 == hashlib.sha1(data).hexdigest():
        return True
    if len(data) >= current.media_upload.file_size:
        return False
    try:
        stored = read_media(current.media_upload)
    except PenhasError:
        return False  # the stored copy is unreadable: let the new one replace it
    return stored.startswith(data)


def recompute_event(event: ClienteAudioEvento) -> None:
    current = list(ClienteAudio.select(ClienteAudio, MediaUpload).join(MediaUpload)
                   .where(ClienteAudio.event == event.event_id,
                          ClienteAudio.duplicated_upload == False))  # noqa: E712
    event.audio_duration = Decimal(str(round(sum(a.audio_duration for a in current), 5)))
    event.total_bytes = sum(a.media_upload.file_size for a in current)
    if current:
        event.last_cliente_created_at = max(a.cliente_created_at for a in current)
    event.updated_at = clock.now()
    event.save()


def upload_segment(cliente: Cliente, *, event_uuid: str, event_sequence: int, cliente_created_at: datetime,
                   current_time: datetime, data: bytes | None, filename: str, sha1: str | None) -> ClienteAudio:
    if cliente.upload_status == "blocked_all":
        raise upload_blocked()
    if data is None:
        raise media_missing()
    if len(data) < MIN_BYTES:
        raise media_invalid_size()
    if len(data) > MAX_BYTES:
        raise media_too_big()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS:
        raise unsupported_type()
    if not 0 <= event_sequence <= MAX_SEQUENCE:
        raise form_error("event_sequence", "invalid")
    digest = hashlib.sha1(data).hexdigest()
    if sha1 is not None:
        if not _SHA1.fullmatch(sha1.lower()):
            raise form_error("sha1", "invalid")
        if sha1.lower() != digest:
            raise sha1_mismatch()

    now = clock.now()
    recorded_at = _recording_time(now, cliente_created_at, current_time)
    event_id = event_key(cliente.id, event_uuid)

    current = _current_segment(event_id, event_sequence)
    if current is not None and _is_stale_copy(current, data):
        return current

    analysed = analyse(data, ext)
    media = store_media(cliente.id, analysed, digest)
    try:
        with database.atomic():
            ClienteAudioEvento.insert(
                event_id=event_id, cliente=cliente.id, created_at=now, audio_duration=0, updated_at=now,
                status=FREE, total_bytes=0, last_cliente_created_at=recorded_at,
                estava_em_situacao_risco=bool(cliente.modo_anonimo_ativo),
            ).on_conflict_ignore().execute()
            query = ClienteAudioEvento.select().where(ClienteAudioEvento.event_id == event_id)
            # Serialises uploads of one event so totals are computed from every committed segment.
            event = (query.for_update() if is_postgres() else query).get()
            current = _current_segment(event_id, event_sequence)
            if current is not None and _is_stale_copy(current, data):
                raise _AlreadyStored(current)
            if current is not None:
                ClienteAudio.update(duplicated_upload=True).where(ClienteAudio.id == current.id).execute()
            audio = ClienteAudio.create(
                cliente=cliente.id, created_at=now, cliente_created_at=recorded_at, media_upload=media,
                event=event_id, event_sequence=event_sequence, waveform_base64=analysed.waveform_base64,
                audio_duration=analysed.duration)
            recompute_event(event)
    except _AlreadyStored as same:
        drop_media(media)
        return same.audio
    except Exception:
        drop_media(media)
        raise
    log.info("audio segment stored", extra={"cliente_id": cliente.id, "audio_id": audio.id,
                                            "replaced": current is not None})
    return audio


class _AlreadyStored(Exception):
    def __init__(self, audio: ClienteAudio):
        super().__init__("segment already stored")
        self.audio = audio
