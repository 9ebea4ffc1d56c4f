"""Chat (mobile-contract §2.9): room list, opening and deleting rooms, messages, chat blocks.

``chat_auth`` names either a private room or her support room (``core/services/chat_auth.py``); each kind needs
its module (``chat_privado`` / ``chat_suporte``).
"""
from flask import Blueprint, g

from penhas_api.auth import require_module, require_user
from penhas_api.core.services import chat, chat_auth, chat_support, quiz
from penhas_api.params import Field, validate

bp = Blueprint("chat", __name__)


def _room_from_params(extra: dict | None = None):
    v = validate({"chat_auth": Field("str", required=True, max_length=9999), **(extra or {})})
    room = chat_auth.read(v["chat_auth"], g.user.id)
    require_module("chat_suporte" if room.support else chat.MODULE)
    return room, v


@bp.get("/me/chats")
@require_user
def list_chats():
    require_module("chat_suporte")
    v = validate({"rows": Field("int", max_length=9), "next_page": Field("str", max_length=9999)})
    if chat.MODULE in chat.user_modules(g.user):
        body = chat.list_rooms(g.user, v.get("rows"), v.get("next_page"))
    else:
        body = {"rows": [], "has_more": 0, "next_page": None}
    body["support"] = chat_support.support_tile(g.user, chat_auth.issue_support(g.user.id))
    assistant = quiz.assistant_chat_entry(g.user)
    if assistant is not None:
        body["assistant"] = assistant
    return body


@bp.post("/me/chats-session")
@require_user
def open_session():
    require_module(chat.MODULE)
    v = validate({"cliente_id": Field("int", required=True, max_length=20), "prefetch": Field("bool")})
    room = chat.open_room(g.user, v["cliente_id"])
    # `prefetch` is sent whatever the parameter says: the app always parses it (§2.9.2).
    return {"chat_auth": chat_auth.issue_room(g.user.id, room.id), "prefetch": chat.room_messages(g.user, room)}


@bp.delete("/me/chats-session")
@require_user
def delete_session():
    room, _ = _room_from_params()
    if room.support:
        chat_support.clear_history(g.user)
    else:
        chat.delete_room(g.user, chat.load_room(g.user, room.room_id))
    return {}


@bp.get("/me/chats-messages")
@require_user
def list_messages():
    room, v = _room_from_params({"rows": Field("int", max_length=9), "pagination": Field("str", max_length=9999)})
    if room.support:
        return chat_support.user_messages(g.user, v.get("rows"), v.get("pagination"))
    return chat.room_messages(g.user, chat.load_room(g.user, room.room_id), v.get("rows"), v.get("pagination"))


@bp.post("/me/chats-messages")
@require_user
def send_message():
    room, v = _room_from_params({"message": Field("str", required=True, max_length=chat.MAX_MESSAGE)})
    if room.support:
        return chat_support.send_from_user(g.user, v["message"])
    return chat.send_message(g.user, chat.load_room(g.user, room.room_id), v["message"])


@bp.post("/me/manage-blocks")
@require_user
def manage_blocks():
    require_module(chat.MODULE)
    v = validate({"cliente_id": Field("int", required=True, max_length=20),
                  "block": Field("bool", required=True)})
    chat.set_block(g.user, v["cliente_id"], v["block"])
    return {}
