"""The encrypted container: gzip, then AES-256-GCM under a key derived from ``BACKUP_KEY``, written
as ``MAGIC | salt | nonce | ciphertext | tag``; and reading a stored backup back into a plain dump."""
import hashlib
import hmac
import secrets
import shutil
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from penhas_api.core.adapters.storage import StorageError
from penhas_api.core.services.backups.errors import backup_error
from penhas_api.core.services.backups.locations import Location
from penhas_api.core.services.backups.manifests import Manifest
from penhas_api.core.settings import get_settings


MAGIC = b"PENHASBK\x01"
SALT_BYTES, NONCE_BYTES, TAG_BYTES = 16, 12, 16
CHUNK = 1 << 20


def _derive_key(salt: bytes) -> bytes:
    secret = get_settings().backup_key.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"penhas-backup-v1").derive(secret)


def key_id() -> str:
    """A fingerprint of BACKUP_KEY (not the key): tells which key a backup needs without revealing it."""
    return hmac.new(get_settings().backup_key.encode(), b"penhas-backup-key-id", hashlib.sha256).hexdigest()[:16]


def encrypt_file(source: Path, target: Path, backup_id: str) -> tuple[int, str]:
    """gzip then AES-GCM ``source`` into ``target``; returns (size, sha256) of ``target``."""
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(_derive_key(salt)), modes.GCM(nonce)).encryptor()
    # The id is authenticated with the data so a blob cannot be passed off under another backup's manifest.
    encryptor.authenticate_additional_data(MAGIC + backup_id.encode())
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as out:
        def write(data: bytes):
            if data:
                out.write(data)
                digest.update(data)

        write(MAGIC + salt + nonce)
        while chunk := src.read(CHUNK):
            write(encryptor.update(compressor.compress(chunk)))
        write(encryptor.update(compressor.flush()))
        write(encryptor.finalize())
        write(encryptor.tag)
    return target.stat().st_size, digest.hexdigest()


def decrypt_file(source: Path, target: Path, backup_id: str) -> None:
    """Authenticate and decrypt ``source``, then decompress into ``target``. Nothing is decompressed before the
    GCM tag has been checked, so a tampered file never reaches zlib or a database."""
    size = source.stat().st_size
    header = len(MAGIC) + SALT_BYTES + NONCE_BYTES
    if size < header + TAG_BYTES:
        raise backup_error("the backup file is truncated")
    compressed = target.with_name(target.name + ".gz")
    with open(source, "rb") as src, open(compressed, "wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise backup_error("the file is not a PenhaS backup")
        salt, nonce = src.read(SALT_BYTES), src.read(NONCE_BYTES)
        src.seek(size - TAG_BYTES)
        tag = src.read(TAG_BYTES)
        src.seek(header)
        decryptor = Cipher(algorithms.AES(_derive_key(salt)), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(MAGIC + backup_id.encode())
        remaining = size - header - TAG_BYTES
        while remaining > 0:
            chunk = src.read(min(CHUNK, remaining))
            remaining -= len(chunk)
            out.write(decryptor.update(chunk))
        try:
            decryptor.finalize()
        except InvalidTag:
            out.close()
            compressed.unlink()
            raise backup_error("the backup was tampered with or encrypted with another key (BACKUP_KEY)") from None
    try:
        decompressor = zlib.decompressobj(31)
        with open(compressed, "rb") as src, open(target, "wb") as out:
            while chunk := src.read(CHUNK):
                out.write(decompressor.decompress(chunk))
            out.write(decompressor.flush())
    except zlib.error:
        raise backup_error("the backup is corrupt") from None
    finally:
        compressed.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def workdir():
    root = get_settings().data_dir / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="backup-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def fetch_plain(manifest: Manifest, loc: Location, work: Path) -> Path:
    """Download, check size and checksum, decrypt and decompress; returns the dump's path."""
    if manifest.key_id != key_id():
        raise backup_error("this backup was encrypted with another key (not the configured BACKUP_KEY)")
    enc, raw = work / "dump.enc", work / "dump"
    try:
        loc.storage.get_file(loc.key(manifest.id, "dump.enc"), enc)
    except StorageError:
        raise backup_error(f"the file of backup {manifest.id} is missing") from None
    if enc.stat().st_size != manifest.size or _sha256(enc) != manifest.sha256:
        raise backup_error("the backup's checksum does not match its manifest")
    decrypt_file(enc, raw, manifest.id)
    return raw
