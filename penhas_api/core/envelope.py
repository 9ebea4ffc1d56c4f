"""Envelope encryption for stored objects: AES-256-GCM with a fresh data key per object, the data key wrapped
(AES-256-GCM too) by a master key from configuration.

The object in storage is ``MAGIC || nonce || ciphertext+tag``; the wrapped data key and the id of the master key
that wrapped it are kept in the database, so the bucket alone reveals nothing. Both layers are bound to the
object's storage key as associated data: an object copied under another key, or a wrapped key pasted onto another
row, fails to decrypt instead of yielding someone else's recording.

Master keys: ``ENCRYPTION_KEY`` (current, wraps new data keys) and ``ENCRYPTION_KEYS_OLD`` (comma list, still
accepted for unwrapping). Rotating means moving the current key into the old list, setting a new current one and
re-wrapping the data keys (``penhas audio rewrap``); no object is re-encrypted or re-uploaded.
"""
import base64
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from penhas_api.core.settings import get_settings

MAGIC = b"PNHSENC1"
NONCE_SIZE = 12
TAG_SIZE = 16


class EnvelopeError(Exception):
    """Unknown master key, tampered or mismatched data: nothing is returned."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes


@dataclass(frozen=True)
class Sealed:
    blob: bytearray
    key_id: str
    wrapped_key: str


# Derived once per configured secret: a chat poll unwraps a hundred data keys.
@functools.lru_cache(maxsize=16)
def master_key(secret: str) -> MasterKey:
    # HKDF turns whatever string the operator configured into exactly 32 bytes; the id is a MAC of a constant,
    # so it names the key without revealing anything about it.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"penhas envelope master key v1").derive(secret.encode())
    key_id = hmac.new(key, b"penhas key id", hashlib.sha256).hexdigest()[:16]
    return MasterKey(key_id, key)


def current_key() -> MasterKey:
    return master_key(get_settings().encryption_key)


def known_keys() -> dict[str, MasterKey]:
    settings = get_settings()
    keys = [master_key(s) for s in settings.encryption_keys_old] + [current_key()]
    return {k.key_id: k for k in keys}


def _aad(purpose: bytes, binding: str) -> bytes:
    return b"penhas:" + purpose + b":" + binding.encode()


def _wrap(master: MasterKey, data_key: bytes, binding: str) -> str:
    nonce = os.urandom(NONCE_SIZE)
    wrapped = nonce + AESGCM(master.key).encrypt(nonce, data_key, _aad(b"wrap", binding))
    return base64.b64encode(wrapped).decode()


def _unwrap(key_id: str, wrapped_key: str, binding: str) -> bytes:
    master = known_keys().get(key_id)
    if master is None:
        raise EnvelopeError(f"master key {key_id} is not configured (ENCRYPTION_KEY / ENCRYPTION_KEYS_OLD)")
    raw = base64.b64decode(wrapped_key)
    try:
        return AESGCM(master.key).decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], _aad(b"wrap", binding))
    except InvalidTag:
        raise EnvelopeError("wrapped data key does not match its master key or object") from None


def seal(plaintext: bytes, binding: str) -> Sealed:
    """Encrypt ``plaintext`` for the object stored under ``binding`` with a new data key."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_SIZE)
    # Same bytes as AESGCM.encrypt (ciphertext then tag), but written straight into the object's buffer: a
    # 35 MB recording is held once as plaintext and once as ciphertext, not again for the header concatenation.
    encryptor = Cipher(algorithms.AES(data_key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_aad(b"object", binding))
    head, size = len(MAGIC) + NONCE_SIZE, len(plaintext)
    blob = bytearray(head + size + TAG_SIZE + 15)  # update_into wants a block's worth of slack
    blob[:head] = MAGIC + nonce
    written = encryptor.update_into(plaintext, memoryview(blob)[head:])
    encryptor.finalize()
    blob[head + written:head + written + TAG_SIZE] = encryptor.tag
    del blob[head + written + TAG_SIZE:]
    master = current_key()
    return Sealed(blob, master.key_id, _wrap(master, data_key, binding))


def open_sealed(blob: bytes, key_id: str, wrapped_key: str, binding: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise EnvelopeError("not an encrypted object")
    data_key = _unwrap(key_id, wrapped_key, binding)
    body = memoryview(blob)[len(MAGIC):]  # views, not copies, of a possibly 35 MB object
    try:
        return AESGCM(data_key).decrypt(bytes(body[:NONCE_SIZE]), body[NONCE_SIZE:], _aad(b"object", binding))
    except InvalidTag:
        raise EnvelopeError("object was altered or belongs elsewhere") from None


def rewrap(key_id: str, wrapped_key: str, binding: str) -> tuple[str, str]:
    """The same data key wrapped by the current master key: ``(new key id, new wrapped key)``."""
    master = current_key()
    return master.key_id, _wrap(master, _unwrap(key_id, wrapped_key, binding), binding)
