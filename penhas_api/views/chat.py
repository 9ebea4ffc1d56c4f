"""Chat (mobile-contract §2.9): room list, opening and deleting rooms, messages, chat blocks.

``chat_auth`` names either a private room or her support room (``core/services/chat_auth.py``); each kind needs
its module (``chat_privado`` / ``chat_suporte``).
"""
from flask import Blueprint, g

from penhas_api.auth import module_required, require_module, require_user
from penhas_api.core.services import chat, chat_auth, chat_support, quiz
from penhas_api.declarations import declare
from penhas_api.params import Field
from penhas_api.schemas import BOOL01, EMPTY, INT, STR, arr, json, nullable, obj
from penhas_api.views.quiz_schemas import QUIZ_SESSION

bp = Blueprint("chat", __name__)

CHAT_AUTH = Field("str", required=True, max_length=9999, description="the room's token (GET /me/chats)")
ROWS = Field("int", max_length=9, description="page size: 10 to 1000 (anything else is the default, 10)")
ROOM_ROWS = Field("int", max_length=9, description="page size: 10 to 100 (anything else is the default, 100)")
# The token errors of a room (its message asks her to reload the app), and the module its kind needs.
ROOM_ERRORS = ("chat_auth_invalid", "chat_auth_invalid_user", "chat_session_not_found", "chat_not_participant",
               "missing_module")

# A chat badge (mobile-contract §2.2.4): the profile badge plus its black icon.
BADGE = obj({"code": STR, "name": STR, "description": STR, "image_url": STR, "image_url_black": STR,
             "popup": INT, "show_description": INT, "style": STR})
# A room of GET /me/chats, and the support tile parsed like one (the app's fixtures lack the last four keys).
ROOM = obj({"chat_auth": STR, "last_message_at": STR, "last_message_is_me": BOOL01, "other_apelido": STR,
            "other_avatar_url": STR, "other_activity": STR, "badges": arr(BADGE), "other_badges?": arr(BADGE),
            "cliente_id?": INT, "blocked_me?": BOOL01})
CHATS = obj({
    "rows": arr(ROOM),
    "support": ROOM,
    # Women only.
    "assistant?": obj({"title": STR, "subtitle": STR, "avatar_url": nullable(STR), "quiz_session": QUIZ_SESSION}),
    "has_more": BOOL01,
    "next_page": nullable(STR),
})
# The messages of a room, newest first (§2.9.3); also the `prefetch` of opening one.
MESSAGES = obj({
    "messages": arr(obj({"id": INT, "is_me": BOOL01, "message": STR, "time": STR})),
    "meta": obj({"can_send_message": BOOL01, "did_blocked": BOOL01, "is_blockable": BOOL01, "header_message": STR,
                 "header_warning": STR, "last_msg_etag": STR}),
    "other": obj({"cliente_id": INT, "apelido": STR, "avatar_url": STR, "activity": STR, "blocked_me?": BOOL01,
                  "badges": arr(BADGE)}),
    "has_more": BOOL01,
    "newer?": STR,
    "older?": STR,
})
SENT = obj({"id": INT, "last_msg_etag": STR, "prev_last_msg_etag": STR})
TO_ROOM = {"chat_auth": "$response.body#/chat_auth"}


def _room(v):
    room = chat_auth.read(v["chat_auth"], g.user.id)
    require_module("chat_suporte" if room.support else chat.MODULE)
    return room


@bp.get("/me/chats")
@require_user
@module_required("chat_suporte")
@declare(
    "Her private rooms, the support tile and the assistant", "chat",
    query={"rows": ROOM_ROWS, "next_page": Field("str", max_length=9999)},
    ok=json(CHATS), errors={400: ("missing_module",)},
    links={"support": ("chat.list_messages", {"chat_auth": "$response.body#/support/chat_auth"}),
           "assistant": ("quiz.post_quiz", {"session_id": "$response.body#/assistant/quiz_session/session_id"})},
)
def list_chats(v):
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
@module_required(chat.MODULE)
@declare(
    "Open (or find) her private room with another woman", "chat",
    query={"cliente_id": Field("int", required=True, max_length=20),
           "prefetch": Field("bool", description="ignored: the messages always come")},
    ok=json(obj({"chat_auth": STR, "prefetch": MESSAGES})),
    errors={400: ("missing_module", "cannot_message_yourself"), 404: ("item_not_found",)},
    links={"messages": ("chat.list_messages", TO_ROOM), "send": ("chat.send_message", TO_ROOM),
           "delete": ("chat.delete_session", TO_ROOM)},
)
def open_session(v):
    room = chat.open_room(g.user, v["cliente_id"])
    # `prefetch` is sent whatever the parameter says: the app always parses it (§2.9.2).
    return {"chat_auth": chat_auth.issue_room(g.user.id, room.id), "prefetch": chat.room_messages(g.user, room)}


@bp.delete("/me/chats-session")
@require_user
@declare("Delete a private room (both sides) or clear her support history", "chat", query={"chat_auth": CHAT_AUTH},
         ok=json(EMPTY), errors={400: ROOM_ERRORS})
def delete_session(v):
    room = _room(v)
    if room.support:
        chat_support.clear_history(g.user)
    else:
        chat.delete_room(g.user, chat.load_room(g.user, room.room_id))
    return {}


@bp.get("/me/chats-messages")
@require_user
@declare(
    "A page of a room's messages, newest first", "chat",
    query={"chat_auth": CHAT_AUTH, "rows": ROWS,
           "pagination": Field("str", max_length=9999, description="`newer` or `older` of a previous page")},
    ok=json(MESSAGES), errors={400: ROOM_ERRORS + ("pagination",)},
)
def list_messages(v):
    room = _room(v)
    if room.support:
        return chat_support.user_messages(g.user, v.get("rows"), v.get("pagination"))
    return chat.room_messages(g.user, chat.load_room(g.user, room.room_id), v.get("rows"), v.get("pagination"))


@bp.post("/me/chats-messages")
@require_user
@declare(
    "Send a message to a room", "chat",
    query={"chat_auth": CHAT_AUTH}, form={"message": Field("str", required=True, max_length=chat.MAX_MESSAGE)},
    ok=json(SENT), errors={400: ROOM_ERRORS + ("remove_block_to_send_message", "blocked")},
)
def send_message(v):
    room = _room(v)
    if room.support:
        return chat_support.send_from_user(g.user, v["message"])
    return chat.send_message(g.user, chat.load_room(g.user, room.room_id), v["message"])


@bp.post("/me/manage-blocks")
@require_user
@module_required(chat.MODULE)
@declare(
    "Block or unblock a woman in the private chat", "chat",
    query={"cliente_id": Field("int", required=True, max_length=20), "block": Field("bool", required=True)},
    ok=json(EMPTY), errors={400: ("missing_module", "cannot_block_yourself"), 404: ("item_not_found",)},
)
def manage_blocks(v):
    chat.set_block(g.user, v["cliente_id"], v["block"])
    return {}
