"""Opaque signed tokens: the signing under ``core/cursors.py`` (every list cursor goes through it) and capabilities.

One server secret, one ``purpose`` per kind of token (like the original's JWT ``iss``), so a token minted for one
use is refused by every other. The app treats them as opaque strings; they carry no personal data.
"""
from itsdangerous import BadData, URLSafeTimedSerializer

from penhas_api.core.errors import form_error
from penhas_api.core.settings import get_settings


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=f"penhas-token:{purpose}")


def sign(purpose: str, payload) -> str:
    """A URL-safe token (no ``/``, ``?`` or ``#``) holding ``payload`` (any JSON value)."""
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, field: str, max_age: int | None = None):
    """The payload of a token of this ``purpose``; a forged, foreign or expired token is the contract's 400."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except BadData:
        raise form_error(field, "invalid") from None
