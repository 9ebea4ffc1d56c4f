"""Keys derived from HMAC_KEY, one per purpose, so one leaked digest never helps with another.

HMAC_KEY is not rotated: ``clientes.cpf_hash`` values are only comparable under the key that made them.
"""
import hashlib
import hmac

from penhas_api.core.settings import get_settings


def derived_key(purpose: str) -> bytes:
    return hmac.new(get_settings().hmac_key.encode(), f"penhas:{purpose}".encode(), hashlib.sha256).digest()


def keyed_digest(purpose: str, value: str) -> str:
    """Hex HMAC-SHA256 of ``value`` under the key for ``purpose`` (for secrets too small to hash unkeyed)."""
    return hmac.new(derived_key(purpose), value.encode(), hashlib.sha256).hexdigest()
