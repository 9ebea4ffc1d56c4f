"""``chat_auth``: the token naming one chat room for one user (mobile-contract §2.9, §1.10).

Signed with the server secret (``core/tokens.py``, its own purpose), bound to the caller's account and to the room,
expiring after ``MAX_AGE``; it holds ids only, so nothing about her (the original's support token was four hex
digits of her CPF digest) and it cannot be made from ids without the secret. URL-safe: no ``/``, ``?`` or ``#``,
since the app puts it into a route. A fresh one comes with every ``GET /me/chats``.
"""
from dataclasses import dataclass

from penhas_api.core import tokens
from penhas_api.core.errors import PenhasError

PURPOSE = "chat_auth"
# Long enough for a room left open all day (the app re-polls with the same token), short enough that a token
# copied out of a notification or a screenshot stops working.
MAX_AGE = 24 * 3600
RELOAD_MESSAGE = "Recarregue o app, conversa não pode ser aberta."


def chat_auth_error(code: str) -> PenhasError:
    return PenhasError(code, RELOAD_MESSAGE, 400)


@dataclass(frozen=True)
class Room:
    support: bool
    room_id: int | None


def issue_room(cliente_id: int, room_id: int) -> str:
    return tokens.sign(PURPOSE, {"u": cliente_id, "r": room_id})


def issue_support(cliente_id: int) -> str:
    return tokens.sign(PURPOSE, {"u": cliente_id, "s": 1})


def read(token: str, cliente_id: int) -> Room:
    """The room named by ``token`` for this caller: ``chat_auth_invalid`` when forged, expired or not a chat
    token; ``chat_auth_invalid_user`` when it was issued to someone else."""
    try:
        data = tokens.unsign(PURPOSE, token, "chat_auth", max_age=MAX_AGE)
    except PenhasError:
        raise chat_auth_error("chat_auth_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise chat_auth_error("chat_auth_invalid")
    if data["u"] != cliente_id:
        raise chat_auth_error("chat_auth_invalid_user")
    if data.get("s") == 1:
        return Room(True, None)
    if isinstance(data.get("r"), int):
        return Room(False, data["r"])
    raise chat_auth_error("chat_auth_invalid")
