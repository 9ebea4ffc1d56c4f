import pytest

from penhas_api.core import envelope


def test_seal_round_trip_hides_the_plaintext(keys):
    keys("k" * 64)
    sealed = envelope.seal(b"recording bytes " * 10, "audio/abc")
    assert b"recording bytes" not in sealed.blob
    assert sealed.blob.startswith(envelope.MAGIC)
    assert envelope.open_sealed(sealed.blob, sealed.key_id, sealed.wrapped_key, "audio/abc") == b"recording bytes " * 10


def test_each_object_gets_its_own_data_key(keys):
    keys("k" * 64)
    a, b = envelope.seal(b"same", "audio/a"), envelope.seal(b"same", "audio/a")
    assert a.blob != b.blob and a.wrapped_key != b.wrapped_key and a.key_id == b.key_id


def test_object_bound_to_its_storage_key_and_tamper_evident(keys):
    keys("k" * 64)
    sealed = envelope.seal(b"evidence", "audio/one")
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_sealed(sealed.blob, sealed.key_id, sealed.wrapped_key, "audio/two")
    tampered = sealed.blob[:-1] + bytes([sealed.blob[-1] ^ 1])
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_sealed(tampered, sealed.key_id, sealed.wrapped_key, "audio/one")
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_sealed(b"plain audio", sealed.key_id, sealed.wrapped_key, "audio/one")


def test_rotation_keeps_old_objects_readable_and_rewrap_moves_them(keys):
    keys("old-key-" + "a" * 56)
    sealed = envelope.seal(b"before rotation", "audio/x")
    old_id = sealed.key_id

    keys("new-key-" + "b" * 56)
    with pytest.raises(envelope.EnvelopeError, match="not configured"):
        envelope.open_sealed(sealed.blob, sealed.key_id, sealed.wrapped_key, "audio/x")

    keys("new-key-" + "b" * 56, "old-key-" + "a" * 56)
    assert envelope.open_sealed(sealed.blob, sealed.key_id, sealed.wrapped_key, "audio/x") == b"before rotation"
    new_id, new_wrapped = envelope.rewrap(sealed.key_id, sealed.wrapped_key, "audio/x")
    assert new_id != old_id and new_id == envelope.current_key().key_id

    keys("new-key-" + "b" * 56)  # old key retired: the same blob opens with the re-wrapped key only
    assert envelope.open_sealed(sealed.blob, new_id, new_wrapped, "audio/x") == b"before rotation"


def test_key_id_reveals_nothing_obvious(keys):
    keys("c" * 64)
    key = envelope.current_key()
    assert len(key.key_id) == 16 and key.key_id not in ("c" * 64) and key.key.hex()[:16] != key.key_id
