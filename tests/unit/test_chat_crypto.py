"""Chat messages at rest: sealed through the envelope code, bound to room and author, readable after a
master-key rotation, a placeholder (never a crash) when they cannot be read; room tokens."""
import pytest

from penhas_api.core import envelope
from penhas_api.core.errors import PenhasError
from penhas_api.core.services import chat_auth, chat_crypto


def test_round_trip_hides_the_text(keys):
    keys("a" * 64)
    sealed = chat_crypto.seal_text("Olá, tudo bem? ❤", chat_crypto.room_binding(7, 3))
    assert "Olá".encode() not in sealed.message and b"tudo bem" not in sealed.message
    assert chat_crypto.open_text(sealed.message, sealed.enc_key_id, sealed.enc_wrapped_key,
                                 chat_crypto.room_binding(7, 3)) == "Olá, tudo bem? ❤"


def test_wrong_room_author_or_key_shows_the_placeholder(keys):
    keys("a" * 64)
    sealed = chat_crypto.seal_text("segredo", chat_crypto.room_binding(7, 3))
    args = (sealed.message, sealed.enc_key_id, sealed.enc_wrapped_key)
    assert chat_crypto.open_text(*args, chat_crypto.room_binding(8, 3)) == chat_crypto.DECRYPT_FAILED
    assert chat_crypto.open_text(*args, chat_crypto.room_binding(7, 4)) == chat_crypto.DECRYPT_FAILED
    assert chat_crypto.open_text(b"garbage", sealed.enc_key_id, sealed.enc_wrapped_key,
                                 chat_crypto.room_binding(7, 3)) == chat_crypto.DECRYPT_FAILED
    keys("b" * 64)  # the key it was sealed with is gone
    assert chat_crypto.open_text(*args, chat_crypto.room_binding(7, 3)) == chat_crypto.DECRYPT_FAILED


def test_old_master_keys_still_open_and_rewrap_moves_to_the_current(keys):
    keys("a" * 64)
    binding = chat_crypto.support_binding(5, by_staff=True)
    sealed = chat_crypto.seal_text("resposta", binding)
    keys("b" * 64, "a" * 64)
    assert chat_crypto.open_text(sealed.message, sealed.enc_key_id, sealed.enc_wrapped_key, binding) == "resposta"
    key_id, wrapped = chat_crypto.rewrap(sealed.enc_key_id, sealed.enc_wrapped_key, binding)
    assert key_id == envelope.current_key().key_id != sealed.enc_key_id
    keys("b" * 64)
    assert chat_crypto.open_text(sealed.message, key_id, wrapped, binding) == "resposta"
    # Staff and user messages are bound apart.
    assert chat_crypto.open_text(sealed.message, key_id, wrapped,
                                 chat_crypto.support_binding(5, by_staff=False)) == chat_crypto.DECRYPT_FAILED


def test_room_tokens_are_url_safe_bound_and_signed():
    token = chat_auth.issue_room(10, 99)
    assert not set("/?#") & set(token)
    assert chat_auth.read(token, 10) == chat_auth.Room(False, 99)
    with pytest.raises(PenhasError) as err:
        chat_auth.read(token, 11)
    assert err.value.error == "chat_auth_invalid_user"
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "Sab12", "", "x.y.z"):
        with pytest.raises(PenhasError) as err:
            chat_auth.read(forged, 10)
        assert err.value.error == "chat_auth_invalid"
    support = chat_auth.issue_support(10)
    assert chat_auth.read(support, 10) == chat_auth.Room(True, None)
    assert support != chat_auth.issue_support(12)
    assert not set("/?#") & set(support)


def test_room_tokens_expire(monkeypatch):
    token = chat_auth.issue_room(10, 99)
    monkeypatch.setattr(chat_auth, "MAX_AGE", -1)
    with pytest.raises(PenhasError) as err:
        chat_auth.read(token, 10)
    assert err.value.error == "chat_auth_invalid"
