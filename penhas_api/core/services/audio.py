"""Audio evidence: recorded segments uploaded in the background, grouped into events (one per "record" press).

Rules (backend-rules §5.2–5.4):
* Uploads are idempotent per (event, sequence). The app re-sends files and an early copy may be cut short, so the
  latest complete upload wins: an identical re-send changes nothing, a stale copy that is a byte prefix of what is
  stored changes nothing, anything else replaces the current segment (the old row is flagged
  ``duplicated_upload``) and the event's totals are recomputed.
* Durations and the waveform come from the audio itself (ffprobe/ffmpeg). Segments are stored as AAC in ADTS
  frames, so a download is the chosen segments' bytes joined in sequence order.
* Objects are encrypted before they reach storage (``core/envelope.py``) under random keys that say nothing about
  their owner; only the owner (API) or an operator (CLI) can read them back.
* Life-cycle (§5.3): free access for 3 days, then blocked; hidden after 30 days (40 when an operator granted
  access); storage purged after 5 years. Applied by the periodic job and on every list call.
"""
import base64
import hashlib
import logging
import math
import re
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import peewee

from penhas_api.core import clock, envelope
from penhas_api.core.adapters import ffmpeg
from penhas_api.core.adapters.storage import StorageError, get_storage
from penhas_api.core.audit import audit
from penhas_api.core.db import database, is_postgres
from penhas_api.core.errors import PenhasError, form_error, item_not_found
from penhas_api.core.models import Cliente, ClienteAudio, ClienteAudioEvento, MediaUpload

log = logging.getLogger("penhas.audio")

FREE = "free_access"
BLOCKED = "blocked_access"
GRANTED = "free_access_by_admin"
HIDDEN = "hidden"
PURGED = "delete_from_s3"
LISTED = (FREE, BLOCKED, GRANTED)
DOWNLOADABLE = (FREE, GRANTED)

FREE_ACCESS_DAYS = 3
HIDDEN_AFTER_DAYS = 30
GRANTED_HIDDEN_AFTER_DAYS = 40
PURGE_AFTER_YEARS = 5
# Far longer than any upload takes between saving its media_upload row and its segment row.
UNLINKED_MEDIA_GRACE = timedelta(hours=24)

MIN_BYTES = 3
MAX_BYTES = 35_000_000
EXTENSIONS = ("aac", "m4a", "mp4")
CLOCK_SKEW_TOLERANCE = timedelta(seconds=10)
MAX_SEQUENCE = 1000
LIST_LIMIT = 500
STORAGE_PREFIX = "audio/"
INTENTION = "guardiao"
STREAM_CHUNK = 1 << 20

_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_SHA1 = re.compile(r"[0-9a-f]{40}")

LIST_NOTICE = (" Gravações com mais de 30 dias não ficam mais visíveis para você, mas permanecem armazenadas em nossos"
               " servidores por até cinco anos. Caso queira os arquivos, solicite através do e-mail"
               " penhas@azmina.com.br.")
REQUEST_ACCESS_MESSAGE = ("A administração do PenhaS vai avaliar seu pedido. Retorne a esta seção em 48h. Caso não haja"
                          " mudança no status, envie um e-mail para contato@penhas.com.br")
UPLOAD_MESSAGE = "Áudio recebido com sucesso!"


# -- errors of the contract -------------------------------------------------------------------------------------

def upload_blocked():
    return PenhasError("upload_blocked", "Upload está bloqueado para sua conta", 400)


def media_missing():
    return PenhasError("media_missing", "Upload não foi enviado", 400, field="media", reason="is_required")


def media_invalid_size():
    return PenhasError("media_invalid_size", "Upload precisa ter mais do que 2 bytes", 400, field="media",
                       reason="invalid")


def media_too_big():
    return PenhasError("media_too_big", "Arquivo muito grande, precisa ser menor que 35 Megabytes", 400,
                       field="media", reason="invalid")


def unsupported_type():
    return PenhasError("unsupported_media_type", "Tipo de arquivo não é suportado.", 400, field="media",
                       reason="invalid")


def unsupported_audio():
    return PenhasError("unsupported_media_type", "O arquivo de áudio está corrompido ou não é suportado.", 400,
                       field="media", reason="invalid")


def sha1_mismatch():
    # The app retries any non-2xx, so a copy cut short in transit is simply sent again.
    return PenhasError("sha1_mismatch", "O arquivo chegou incompleto ou corrompido e será reenviado.", 400,
                       field="sha1", reason="invalid")


def audio_tools_missing():
    return PenhasError("audio_tools_missing",
                       "O servidor não consegue processar áudios neste momento. Tente novamente mais tarde.", 503)


def audio_blocked():
    return PenhasError("audio_blocked_access",
                       "Você não pode fazer o download deste evento. Entre em contato com o administrador.", 400)


def audio_file_missing():
    return PenhasError("audio_file_not_exists", "Não foi possível ler o arquivo de áudio. Tente novamente.", 500)


# -- small helpers -----------------------------------------------------------------------------------------------

def parse_event_uuid(value: str, field: str = "event_id") -> str:
    value = (value or "").strip().lower()
    if not _UUID4.fullmatch(value):
        raise form_error(field, "invalid")
    return value


def event_key(cliente_id: int, event_uuid: str) -> str:
    return f"{cliente_id}:{event_uuid}"


def utc_naive(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat()


def format_duration(seconds) -> str:
    """List format: ``0m55s`` (``1h02m03s`` past an hour)."""
    total = int(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s"


def format_segment_duration(seconds: float) -> str:
    return f"{math.ceil(seconds)}s"


def format_bytes(size: int) -> str:
    value, units = float(size), ["B", "KiB", "MiB", "GiB", "TiB"]
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    return f"{int(value + 0.5)}{units[unit]}"


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


# -- analysis and storage ----------------------------------------------------------------------------------------

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


def _store_media(cliente_id: int, analysed: Analysed, original_sha1: str) -> MediaUpload:
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


def _drop_media(media: MediaUpload) -> None:
    get_storage().delete(media.s3_path)
    MediaUpload.delete().where(MediaUpload.id == media.id).execute()


# -- upload ------------------------------------------------------------------------------------------------------

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
    media = _store_media(cliente.id, analysed, digest)
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
        _drop_media(media)
        return same.audio
    except Exception:
        _drop_media(media)
        raise
    log.info("audio segment stored", extra={"cliente_id": cliente.id, "audio_id": audio.id,
                                            "replaced": current is not None})
    return audio


class _AlreadyStored(Exception):
    def __init__(self, audio: ClienteAudio):
        super().__init__("segment already stored")
        self.audio = audio


# -- life-cycle --------------------------------------------------------------------------------------------------

def tick_statuses(cliente_id: int | None = None) -> dict[str, int]:
    """Move events along the life-cycle; returns how many moved to each status."""
    now = clock.now()
    E = ClienteAudioEvento

    def move(new_status, *conditions):
        q = E.update(status=new_status, updated_at=now).where(*conditions)
        if cliente_id is not None:
            q = q.where(E.cliente == cliente_id)
        return q.execute()

    with database.atomic():
        moved = {
            PURGED: move(PURGED, E.status != PURGED, E.created_at <= years_before(now, PURGE_AFTER_YEARS)),
            # Blocked before hidden, so an event the job missed for weeks still ends where it belongs in one pass.
            BLOCKED: move(BLOCKED, E.status == FREE, E.created_at <= now - timedelta(days=FREE_ACCESS_DAYS)),
        }
        moved[HIDDEN] = (
            move(HIDDEN, E.status == BLOCKED, E.created_at <= now - timedelta(days=HIDDEN_AFTER_DAYS))
            + move(HIDDEN, E.status == GRANTED, E.created_at <= now - timedelta(days=GRANTED_HIDDEN_AFTER_DAYS)))
    return moved


def _event_media(event_id: str) -> list[MediaUpload]:
    return list(MediaUpload.select().join(ClienteAudio).where(ClienteAudio.event == event_id).distinct())


def purge_event(event_id: str) -> int:
    """Remove every stored object of an event (idempotent); the event row stays as a tombstone."""
    media = _event_media(event_id)
    storage = get_storage()
    for m in media:
        storage.delete(m.s3_path)
    if media:
        MediaUpload.delete().where(MediaUpload.id.in_([m.id for m in media])).execute()
    return len(media)


def purge_due(limit: int = 100) -> int:
    """Purge events marked ``delete_from_s3`` that still hold objects; a failed purge is retried next run."""
    pending = (ClienteAudioEvento.select(ClienteAudioEvento.event_id)
               .where(ClienteAudioEvento.status == PURGED,
                      peewee.fn.EXISTS(ClienteAudio.select(ClienteAudio.id)
                                       .where(ClienteAudio.event == ClienteAudioEvento.event_id)))
               .limit(limit))
    purged = 0
    for event in list(pending):
        purge_event(event.event_id)
        purged += 1
    return purged


def erase_user_audio(cliente_id: int) -> None:
    """Account deletion (listed in services/deletion.py): every object of hers leaves storage before her rows go."""
    storage = get_storage()
    media = list(MediaUpload.select(MediaUpload.id, MediaUpload.s3_path).where(MediaUpload.cliente == cliente_id))
    for m in media:
        storage.delete(m.s3_path)
    MediaUpload.delete().where(MediaUpload.cliente == cliente_id).execute()


# -- the owner's views -------------------------------------------------------------------------------------------

def _own_event(cliente_id: int, event_uuid: str, visible_only: bool = True) -> ClienteAudioEvento:
    E = ClienteAudioEvento
    q = E.select().where(E.event_id == event_key(cliente_id, event_uuid), E.cliente == cliente_id)
    if visible_only:
        # Access follows the calendar even when the periodic job is late.
        tick_statuses(cliente_id)
        q = q.where(E.status.in_(LISTED), E.deleted_at.is_null())
    event = q.first()
    if event is None:
        # Same answer for someone else's event and for one that never existed.
        raise item_not_found()
    return event


def current_audios(event_id: str) -> list[ClienteAudio]:
    return list(ClienteAudio.select(ClienteAudio, MediaUpload).join(MediaUpload)
                .where(ClienteAudio.event == event_id, ClienteAudio.duplicated_upload == False)  # noqa: E712
                .order_by(ClienteAudio.event_sequence))


@dataclass
class EventPage:
    events: list[ClienteAudioEvento]
    has_more: bool
    total: int


def list_events(cliente_id: int, limit: int = LIST_LIMIT, after: tuple[datetime, str] | None = None) -> EventPage:
    """Visible events, newest recording first; ``after`` = (last_cliente_created_at, event_id) of the last row seen."""
    tick_statuses(cliente_id)
    E = ClienteAudioEvento
    q = (E.select().where(E.cliente == cliente_id, E.status.in_(LISTED), E.deleted_at.is_null())
         .order_by(E.last_cliente_created_at.desc(), E.event_id.desc()))
    if after is not None:
        q = q.where((E.last_cliente_created_at < after[0])
                    | ((E.last_cliente_created_at == after[0]) & (E.event_id < after[1])))
    rows = list(q.limit(limit + 1))
    total = E.select().where(E.cliente == cliente_id, E.status != PURGED, E.deleted_at.is_null()).count()
    return EventPage(rows[:limit], len(rows) > limit, total)


def list_message(total: int) -> str:
    if total == 0:
        return "Você ainda não tem nenhum áudio gravado."
    head = "Você tem 1 áudio gravado." if total == 1 else f"Você tem {total} áudios gravados."
    return head + LIST_NOTICE


def event_detail(cliente_id: int, event_uuid: str) -> tuple[ClienteAudioEvento, list[ClienteAudio]]:
    event = _own_event(cliente_id, event_uuid)
    return event, current_audios(event.event_id)


def delete_event(cliente_id: int, event_uuid: str) -> None:
    """Hide the event from her list. The recording itself is evidence and follows the 5-year retention."""
    E = ClienteAudioEvento
    event = _own_event(cliente_id, event_uuid, visible_only=False)
    if event.deleted_at is None:
        E.update(deleted_at=clock.now(), updated_at=clock.now()).where(E.event_id == event.event_id).execute()


def request_access(cliente_id: int, event_uuid: str) -> None:
    E = ClienteAudioEvento
    event = _own_event(cliente_id, event_uuid)
    E.update(requested_by_user=True, requested_by_user_at=clock.now()).where(E.event_id == event.event_id).execute()


@dataclass
class Download:
    size: int
    chunks: Iterator[bytes]


def _stream(media: list[MediaUpload], first: bytes) -> Iterator[bytes]:
    # One decrypted segment in memory at a time, handed to the server in small pieces so that the piece it still
    # holds while the next segment is read is not a whole segment.
    data = first
    del first
    for index, m in enumerate(media):
        if index:
            data = None
            data = read_media(m)
        for start in range(0, len(data), STREAM_CHUNK):
            yield data[start:start + STREAM_CHUNK]


def open_download(cliente_id: int, event_uuid: str, sequences: list[int] | None) -> Download:
    """The chosen segments (all when ``sequences`` is None) in sequence order, decrypted one at a time."""
    event = _own_event(cliente_id, event_uuid)
    if event.status not in DOWNLOADABLE:
        raise audio_blocked()
    audios = current_audios(event.event_id)
    if sequences is not None:
        wanted = set(sequences)
        if not wanted <= {a.event_sequence for a in audios}:
            raise form_error("audio_sequences", "invalid")
        audios = [a for a in audios if a.event_sequence in wanted]
    if not audios:
        raise form_error("audio_sequences", "invalid")
    media = [a.media_upload for a in audios]
    first = read_media(media[0])
    now = clock.now()
    ids = [a.id for a in audios]
    ClienteAudio.update(played_count=ClienteAudio.played_count + 1).where(ClienteAudio.id.in_(ids)).execute()
    ClienteAudio.update(first_downloaded_at=now).where(ClienteAudio.id.in_(ids),
                                                       ClienteAudio.first_downloaded_at.is_null()).execute()
    return Download(sum(m.file_size for m in media), _stream(media, first))


# -- operators ---------------------------------------------------------------------------------------------------

def resolve_event(ref: str) -> ClienteAudioEvento:
    """An event named by its full id (``<cliente_id>:<uuid>``) or by the app's uuid alone when that is unambiguous."""
    ref = (ref or "").strip().lower()
    E = ClienteAudioEvento
    if ":" in ref:
        event = E.get_or_none(E.event_id == ref)
        if event is None:
            raise item_not_found()
        return event
    parse_event_uuid(ref, "event_id")
    found = list(E.select().where(E.event_id.endswith(":" + ref)).limit(2))
    if not found:
        raise item_not_found()
    if len(found) > 1:
        raise PenhasError("ambiguous_event", "Mais de uma usuária tem este evento; use o id completo <cliente>:<uuid>.")
    return found[0]


def user_events(cliente_id: int, actor: str | None = None) -> list[ClienteAudioEvento]:
    """Operator listing of every event of hers (audited)."""
    if Cliente.get_or_none(Cliente.id == cliente_id) is None:
        raise item_not_found()
    tick_statuses(cliente_id)
    E = ClienteAudioEvento
    events = list(E.select().where(E.cliente == cliente_id).order_by(E.last_cliente_created_at.desc()))
    audit("audio.list", "cliente", cliente_id, actor=actor, events=len(events))
    return events


def segment_counts(event_ids: list[str]) -> dict[str, int]:
    if not event_ids:
        return {}
    rows = (ClienteAudio.select(ClienteAudio.event, peewee.fn.COUNT(ClienteAudio.id).alias("n"))
            .where(ClienteAudio.event.in_(event_ids), ClienteAudio.duplicated_upload == False)  # noqa: E712
            .group_by(ClienteAudio.event).tuples())
    return {event_id: n for event_id, n in rows}


def grant_access(event: ClienteAudioEvento, actor: str | None = None) -> ClienteAudioEvento:
    """Operator release (spec §11.4): downloadable until 40 days after the recording started."""
    if event.status == PURGED:
        raise PenhasError("audio_purged", "Este evento já teve os arquivos apagados (mais de 5 anos).")
    event.status = GRANTED
    event.updated_at = clock.now()
    event.save()
    tick_statuses(event.cliente_id)
    event = ClienteAudioEvento.get_by_id(event.event_id)
    audit("audio.grant", "audio_event", event.event_id, actor=actor, status=event.status)
    return event


def export_event(event: ClienteAudioEvento, target: Path, actor: str | None = None) -> tuple[int, str, int]:
    """Write every current segment, decrypted and in order, to ``target`` (created 0600, never overwritten).

    Returns (bytes written, sha256 of the file, segments); the sha256 stays in the audit trail."""
    audios = current_audios(event.event_id)
    if not audios:
        raise PenhasError("audio_empty", "Este evento não tem arquivos guardados.")
    digest, written = hashlib.sha256(), 0
    try:
        fd = target.open("xb")
    except FileExistsError:
        raise PenhasError("file_exists", f"O arquivo {target} já existe.") from None
    target.chmod(0o600)
    try:
        with fd:
            for audio in audios:
                chunk = read_media(audio.media_upload)
                fd.write(chunk)
                digest.update(chunk)
                written += len(chunk)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    audit("audio.export", "audio_event", event.event_id, actor=actor, bytes=written, segments=len(audios),
          sha256=digest.hexdigest())
    return written, digest.hexdigest(), len(audios)


def find_orphans() -> list[tuple[str, int]]:
    """Objects under the audio prefix that no ``media_upload`` row names."""
    # Listing storage before reading the table is what makes this safe during uploads: a row is always
    # committed before its object is written, so any object seen here already has its row in the table.
    objects = list(get_storage().list(STORAGE_PREFIX))
    known = {k for (k,) in MediaUpload.select(MediaUpload.s3_path).tuples()}
    return [(key, size) for key, size in objects if key not in known]


def remove_orphans(keys: list[str]) -> int:
    storage = get_storage()
    known = {k for (k,) in MediaUpload.select(MediaUpload.s3_path).where(MediaUpload.s3_path.in_(keys)).tuples()}
    removed = 0
    for key in keys:
        if key.startswith(STORAGE_PREFIX) and key not in known:
            storage.delete(key)
            removed += 1
    return removed


def _unlinked_media(cutoff: datetime) -> peewee.Expression:
    """Audio uploads older than ``cutoff`` that no segment row (current or replaced) references."""
    return ((MediaUpload.intention == INTENTION) & MediaUpload.s3_path.startswith(STORAGE_PREFIX)
            & (MediaUpload.created_at <= cutoff)
            & ~peewee.fn.EXISTS(ClienteAudio.select(ClienteAudio.id)
                                .where(ClienteAudio.media_upload == MediaUpload.id)))


def find_unlinked_media() -> list[MediaUpload]:
    """``media_upload`` rows of audio that no segment references, older than ``UNLINKED_MEDIA_GRACE``.

    An upload saves its row and object before its segment row; a crash in between leaves an object that a row
    names (so ``find_orphans`` does not see it) but no event holds (so the 5-year purge never reaches it). The
    grace period keeps uploads still on their way to the segment row out of the list."""
    cutoff = clock.now() - UNLINKED_MEDIA_GRACE
    return list(MediaUpload.select(MediaUpload.id, MediaUpload.s3_path, MediaUpload.file_size,
                                   MediaUpload.created_at)
                .where(_unlinked_media(cutoff)).order_by(MediaUpload.created_at, MediaUpload.id))


def remove_unlinked_media(media_ids: list[str]) -> int:
    """Delete the rows named that are still unlinked audio past the grace period, then their objects."""
    storage = get_storage()
    cutoff = clock.now() - UNLINKED_MEDIA_GRACE
    removed = 0
    for media in list(MediaUpload.select(MediaUpload.id, MediaUpload.s3_path)
                      .where(MediaUpload.id.in_(media_ids), _unlinked_media(cutoff))):
        # The row goes first and only while still unlinked (checked in the same statement); if the object's
        # deletion then fails, what is left is a plain orphan object that `find_orphans` reports.
        if MediaUpload.delete().where(MediaUpload.id == media.id, _unlinked_media(cutoff)).execute():
            storage.delete(media.s3_path)
            removed += 1
    return removed


def clean_orphans(found: list[tuple[str, int]], unlinked: list[MediaUpload], fix: bool, on_each=None,
                  actor: str | None = None) -> int:
    """The operator's review of what ``find_orphans``/``find_unlinked_media`` found: with ``fix``, remove it
    (``on_each()`` after every item). Audited either way; returns how many were removed."""
    removed = 0
    if fix:
        for key, _size in found:
            removed += remove_orphans([key])
            on_each and on_each()
        for media in unlinked:
            removed += remove_unlinked_media([media.id])
            on_each and on_each()
    audit("audio.orphans", "storage", None, actor=actor, found=len(found), unlinked=len(unlinked), removed=removed)
    return removed


def media_to_rewrap() -> peewee.ModelSelect:
    return MediaUpload.select().where(MediaUpload.enc_key_id != envelope.current_key().key_id)


def rewrap_media(media: MediaUpload) -> None:
    try:
        key_id, wrapped = envelope.rewrap(media.enc_key_id, media.enc_wrapped_key, media.s3_path)
    except envelope.EnvelopeError as exc:
        raise PenhasError("master_key_unavailable", f"Objeto {media.id}: {exc}") from None
    MediaUpload.update(enc_key_id=key_id, enc_wrapped_key=wrapped).where(MediaUpload.id == media.id).execute()


def rewrap_all(pending: list[MediaUpload], on_each=None, actor: str | None = None) -> int:
    """Re-wrap the data keys of ``pending`` (from ``media_to_rewrap``) with the current master key (audited)."""
    done = 0
    for media in pending:
        rewrap_media(media)
        done += 1
        on_each and on_each()
    audit("audio.rewrap", "media_upload", None, actor=actor, rewrapped=done)
    return done
