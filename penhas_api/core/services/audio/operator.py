"""Operator tools (`penhas audio`): events of a user, access grants, court exports, storage hygiene."""
import hashlib
from datetime import datetime
from pathlib import Path

import peewee

from penhas_api.core import clock
from penhas_api.core.adapters.storage import get_storage
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError, item_not_found
from penhas_api.core.models import Cliente, ClienteAudio, ClienteAudioEvento, MediaUpload
from penhas_api.core.services.audio.lifecycle import tick_statuses
from penhas_api.core.services.audio.media import current_audios, read_media
from penhas_api.core.services.audio.rules import (
    GRANTED, INTENTION, PURGED, STORAGE_PREFIX, UNLINKED_MEDIA_GRACE, parse_event_uuid)


def resolve_event(ref: str) -> ClienteAudioEvento:
    """An event named by its full id (``<cliente_id>:<uuid>``) or by the app's uuid alone when that is unambiguous."""
    ref = (ref or "").strip().lower()
    E = ClienteAudioEvento
    if ":" in ref:
        event = E.get_or_none(E.event_id == ref)
        if event is None:
            raise item_not_found(f"audio event {ref}")
        return event
    parse_event_uuid(ref, "event_id")
    found = list(E.select().where(E.event_id.endswith(":" + ref)).limit(2))
    if not found:
        raise item_not_found(f"audio event {ref}")
    if len(found) > 1:
        raise PenhasError("ambiguous_event", "more than one user has this event: give the full id <cliente_id>:<uuid>")
    return found[0]


def user_events(cliente_id: int, actor: str | None = None) -> list[ClienteAudioEvento]:
    """Operator listing of every event of hers (audited)."""
    if Cliente.get_or_none(Cliente.id == cliente_id) is None:
        raise item_not_found(f"user {cliente_id}")
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
        raise PenhasError("audio_purged", "this event's files were erased (older than 5 years)")
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
        raise PenhasError("audio_empty", "this event has no stored files")
    digest, written = hashlib.sha256(), 0
    try:
        fd = target.open("xb")
    except FileExistsError:
        raise PenhasError("file_exists", f"{target} already exists") from None
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
