"""The owner's views: her event list, detail, delete, access request and download."""
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from penhas_api.core import clock
from penhas_api.core.errors import form_error, item_not_found
from penhas_api.core.models import ClienteAudio, ClienteAudioEvento, MediaUpload
from penhas_api.core.services.audio.lifecycle import tick_statuses
from penhas_api.core.services.audio.media import current_audios, read_media
from penhas_api.core.services.audio.rules import (
    DOWNLOADABLE, LISTED, LIST_LIMIT, LIST_NOTICE, PURGED, audio_blocked, event_key)


STREAM_CHUNK = 1 << 20


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
