"""Every opaque pagination value the app passes back (``next_page``, ``newer``, ``older``, ``location_token``).

A cursor is signed (``core/tokens.py``), typed by ``purpose`` (a cursor of one list is refused by every other) and,
when the list is hers, bound to the owner's account id: another account replaying it gets the same 400 as a forgery.
The app treats cursors as opaque strings; they carry positions, never personal data.
"""
from penhas_api.core import tokens
from penhas_api.core.errors import form_error


def issue(purpose: str, payload: dict, *, owner: int | None = None) -> str:
    """A URL-safe cursor (no ``/``, ``?`` or ``#``) for ``payload``; ``owner`` binds it to her account."""
    return tokens.sign(purpose, {"o": owner, "p": payload})


def read(purpose: str, token: str, *, field: str = "next_page", owner: int | None = None,
         max_age: int | None = None) -> dict:
    """The payload of a cursor issued for ``purpose`` (and ``owner``); anything else is the contract's 400 form error
    for ``field`` with reason ``invalid``: forged, expired (older than ``max_age`` seconds), other purpose, other
    owner."""
    data = tokens.unsign(purpose, token, field, max_age=max_age)
    if not isinstance(data, dict) or not isinstance(data.get("p"), dict) or data.get("o") != owner:
        raise form_error(field, "invalid")
    return data["p"]
