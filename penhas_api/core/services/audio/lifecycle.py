"""The life-cycle: free → blocked → hidden on their dates, the 5-year purge, and erasure with the account."""
from datetime import timedelta

import peewee

from penhas_api.core import clock
from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.models import ClienteAudio, ClienteAudioEvento, MediaUpload
from penhas_api.core.services.audio.rules import (
    BLOCKED, FREE, FREE_ACCESS_DAYS, GRANTED, GRANTED_HIDDEN_AFTER_DAYS, HIDDEN, HIDDEN_AFTER_DAYS, PURGED,
    PURGE_AFTER_YEARS, years_before)


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


def purge_due(limit: int = 100, actor: str | None = None) -> int:
    """Purge events marked ``delete_from_s3`` that still hold objects; a failed purge is retried next run.
    Evidence leaving storage is audited (as ``actor``: the periodic job)."""
    pending = (ClienteAudioEvento.select(ClienteAudioEvento.event_id)
               .where(ClienteAudioEvento.status == PURGED,
                      peewee.fn.EXISTS(ClienteAudio.select(ClienteAudio.id)
                                       .where(ClienteAudio.event == ClienteAudioEvento.event_id)))
               .limit(limit))
    purged = []
    try:
        for event in list(pending):
            purge_event(event.event_id)
            purged.append(event.event_id)
    finally:
        if purged:
            audit("audio.purge", "audio_event", None, actor=actor, events=purged)
    return len(purged)


def erase_user_audio(cliente_id: int) -> None:
    """Account deletion (listed in services/deletion.py): every object of hers leaves storage before her rows go."""
    storage = get_storage()
    media = list(MediaUpload.select(MediaUpload.id, MediaUpload.s3_path).where(MediaUpload.cliente == cliente_id))
    for m in media:
        storage.delete(m.s3_path)
    MediaUpload.delete().where(MediaUpload.cliente == cliente_id).execute()
