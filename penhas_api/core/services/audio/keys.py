"""Key rewrap: after a master-key rotation, every data key wrapped again with the current ENCRYPTION_KEY."""
import peewee

from penhas_api.core import envelope
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import MediaUpload


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
