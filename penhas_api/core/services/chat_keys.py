"""Master-key rotation for chat messages (``penhas chat rewrap``), as for audio (docs/audio.md): move the old key
to ``ENCRYPTION_KEYS_OLD``, set a new ``ENCRYPTION_KEY``, re-wrap every message's data key, drop the old key.
Only the wrapped keys change; no message is decrypted into the database or re-encrypted.
"""
from penhas_api.core import envelope
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import ChatMessage, ChatSupportMessage
from penhas_api.core.services.chat_crypto import rewrap, room_binding, support_binding

BATCH = 500


def _bindings():
    yield ChatMessage, lambda m: room_binding(m.chat_session_id, m.cliente_id)
    yield ChatSupportMessage, lambda m: support_binding(m.cliente_id, m.admin_name is not None)


def pending_count() -> int:
    current = envelope.current_key().key_id
    return sum(model.select().where(model.enc_key_id != current).count() for model, _ in _bindings())


def rewrap_all(progress=None, actor: str | None = None) -> int:
    """Re-wrap every data key not under the current master key; ``progress(n)`` after each batch. Audited."""
    current = envelope.current_key().key_id
    done = 0
    for model, binding in _bindings():
        while True:
            batch = list(model.select(model.id, *_columns(model)).where(model.enc_key_id != current)
                         .order_by(model.id).limit(BATCH))
            if not batch:
                break
            with database.atomic():
                for row in batch:
                    try:
                        key_id, wrapped = rewrap(row.enc_key_id, row.enc_wrapped_key, binding(row))
                    except envelope.EnvelopeError as exc:
                        raise PenhasError("master_key_unavailable",
                                          f"{model._meta.table_name} {row.id}: {exc}") from None
                    model.update(enc_key_id=key_id, enc_wrapped_key=wrapped).where(model.id == row.id).execute()
            done += len(batch)
            if progress:
                progress(len(batch))
    audit("chat.rewrap", "chat_message", None, actor=actor, rewrapped=done)
    return done


def _columns(model):
    cols = [model.enc_key_id, model.enc_wrapped_key, model.cliente]
    if model is ChatMessage:
        cols.append(ChatMessage.session)
    else:
        cols.append(ChatSupportMessage.admin_name)
    return cols
