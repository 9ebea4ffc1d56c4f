"""Password hashing and the strength rules of backend-rules §3.4.

New hashes are scrypt with a per-user random salt, stored as ``scrypt$<log2 N>$<r>$<p>$<salt>$<hash>``
(base64, no padding). Rows imported from the original PenhaS database hold an unsalted SHA-256 or MD5 hex
digest; those verify once and the caller stores a fresh scrypt hash (``needs_rehash``).
"""
import base64
import hashlib
import hmac
import os
import re

from penhas_api.core.errors import PenhasError

# OWASP's scrypt settings (N=2^15, r=8, p=3): 32 MiB of memory per hash, about 0.25 s on one core.
LOG2_N, R, P = 15, 8, 3
SALT_BYTES = 16
KEY_BYTES = 32
_MAXMEM = 128 * 1024 * 1024

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2 ** log2_n, r=r, p=p,
                          maxmem=_MAXMEM, dklen=KEY_BYTES)


def hash_password(password: str) -> str:
    salt = os.urandom(SALT_BYTES)
    return f"scrypt${LOG2_N}${R}${P}${_b64(salt)}${_b64(_scrypt(password, salt, LOG2_N, R, P))}"


def verify_password(password: str, stored: str) -> tuple[bool, bool]:
    """``(matches, needs_rehash)``; ``needs_rehash`` is True for legacy digests and older scrypt settings."""
    if not stored:
        return False, False
    if stored.startswith("scrypt$"):
        try:
            _, log2_n, r, p, salt, digest = stored.split("$")
            log2_n, r, p = int(log2_n), int(r), int(p)
            expected = _unb64(digest)
            actual = _scrypt(password, _unb64(salt), log2_n, r, p)
        except (ValueError, TypeError):
            return False, False
        ok = hmac.compare_digest(actual, expected)
        return ok, ok and (log2_n, r, p) != (LOG2_N, R, P)
    raw = password.encode("utf-8")
    if _HEX64.fullmatch(stored):
        return hmac.compare_digest(hashlib.sha256(raw).hexdigest(), stored.lower()), True
    if _HEX32.fullmatch(stored):
        return hmac.compare_digest(hashlib.md5(raw).hexdigest(), stored.lower()), True
    return False, False


_TOO_SIMPLE = re.compile(r"(12345.*|picture1|password|111111.*|123123.*|senha)", re.IGNORECASE)
_RULES_TEXT = "É necessário pelo menos 8 caracteres, pelo menos 1 letra, 1 número, e 1 carácter especial"


# Every code strength_error() can answer, for the routes' declarations.
STRENGTH_ERRORS = ("warning_space_password", "pass_too_weak", "pass_too_weak/size", "pass_too_weak/number",
                   "pass_too_weak/letter", "pass_too_weak/char")


def _weak(error: str, message: str, field: str) -> PenhasError:
    return PenhasError(error, message, 400, field=field, reason="invalid")


def strength_error(password: str, field: str = "senha") -> PenhasError | None:
    """The first rule ``password`` breaks, in the order of §3.4, or None."""
    if password == "" or password != password.strip(" \t\r\n"):
        return _weak("warning_space_password", "A senha não pode iniciar ou terminar com espaço", field)
    if _TOO_SIMPLE.fullmatch(password):
        return _weak("pass_too_weak", "A senha utilizada é muito simples, utilize uma senha melhor.", field)
    if len(password) < 8:
        return _weak("pass_too_weak/size", f"A senha utilizada é muito curta! {_RULES_TEXT}", field)
    if not re.search(r"[0-9]", password):
        return _weak("pass_too_weak/number", f"A senha utilizada não usou números! {_RULES_TEXT}", field)
    if not re.search(r"[A-Za-z]", password):
        return _weak("pass_too_weak/letter", f"A senha utilizada não usou letras! {_RULES_TEXT}", field)
    if not re.search(r"[^0-9A-Za-z]", password):
        return _weak("pass_too_weak/char", f"A senha utilizada não usou caracteres especiais! {_RULES_TEXT}", field)
    return None


def check_strength(password: str, field: str = "senha") -> None:
    err = strength_error(password, field)
    if err is not None:
        raise err
