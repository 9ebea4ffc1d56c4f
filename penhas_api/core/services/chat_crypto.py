"""Chat messages at rest: AES-GCM through the envelope code (``core/envelope.py``), a fresh data key per message
wrapped by the master key (``ENCRYPTION_KEY``, retired ones in ``ENCRYPTION_KEYS_OLD``), which never enters the
database. The ciphertext is bound to its room and author, so a row pasted into another room, or onto another
sender, fails to decrypt instead of showing words someone never wrote there.
"""
import logging
from dataclasses import dataclass

from penhas_api.core import envelope

log = logging.getLogger("penhas.chat")

# backend-rules §8.1: what the app shows for a message that cannot be read (it never breaks the list).
DECRYPT_FAILED = "[erro ao descriptografar mensagem]"


@dataclass(frozen=True)
class SealedText:
    message: bytes
    enc_key_id: str
    enc_wrapped_key: str


def room_binding(session_id: int, sender_id: int) -> str:
    return f"chat:{session_id}:{sender_id}"


def support_binding(cliente_id: int, by_staff: bool) -> str:
    return f"support:{cliente_id}:{'staff' if by_staff else 'user'}"


def seal_text(text: str, binding: str) -> SealedText:
    sealed = envelope.seal(text.encode("utf-8"), binding)
    return SealedText(bytes(sealed.blob), sealed.key_id, sealed.wrapped_key)


def open_text(blob, key_id: str, wrapped_key: str, binding: str, row_id=None) -> str:
    try:
        return envelope.open_sealed(bytes(blob), key_id, wrapped_key, binding).decode("utf-8")
    except (envelope.EnvelopeError, UnicodeDecodeError, ValueError):
        # The id only: never the text, the key or the binding.
        log.warning("chat message %s could not be decrypted", row_id)
        return DECRYPT_FAILED


def rewrap(key_id: str, wrapped_key: str, binding: str) -> tuple[str, str]:
    return envelope.rewrap(key_id, wrapped_key, binding)
