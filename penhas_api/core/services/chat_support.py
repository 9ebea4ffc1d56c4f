"""The support room: each user and the NGO's staff (backend-rules §8.3, §11 items 1 and 6).

She writes from the app; staff read and answer with ``penhas support``. Messages are encrypted at rest like
private ones (the original kept them in plain text, §15 item 6). Staff actions are audited here, with the
operator's name and never the text. A staff answer leaves a pending chat notification (``chat_notifications``)
when she enabled them.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import fn

from penhas_api.core import clock
from penhas_api.core.audit import audit, current_operator
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import ChatSupport, ChatSupportMessage, Cliente
from penhas_api.core.services import chat_notifications, people
from penhas_api.core.services.chat import clamp_rows, etag, iso, page_keys, read_page, render_text, select_page
from penhas_api.core.services.chat_crypto import open_text, seal_text, support_binding
from penhas_api.core.services.notifications import SUBJECT_SUPPORT
from penhas_api.core.settings import get_settings

NAME = "Suporte PenhaS"
ACTIVITY = "até 48hrs para resposta"
HEADER_MESSAGE = "Este é um canal de contato direto com as administradoras do PenhaS."
HEADER_WARNING = "Importante: demoramos cerca de <b>2 dias para responder as mensagens</b>"
ROOM_KEY = "s"
PREVIEW_CHARS = 100
LOCAL_TZ = ZoneInfo("America/Sao_Paulo")


def avatar_url() -> str:
    return f"{get_settings().public_url}/avatar/suporte-chat.svg"


def _room(cliente_id: int) -> ChatSupport | None:
    return ChatSupport.get_or_none(ChatSupport.cliente == cliente_id)


def _room_for_writing(cliente_id: int) -> ChatSupport:
    room = _room(cliente_id)
    if room is None:
        (ChatSupport.insert(cliente=cliente_id, created_at=clock.now(), last_msg_is_support=False)
         .on_conflict_ignore().execute())
        room = _room(cliente_id)
    return room


def _etag_moment(room: ChatSupport | None, user: Cliente) -> datetime:
    return room.last_msg_at if room is not None and room.last_msg_at else user.created_on


def _text(m: ChatSupportMessage) -> str:
    return open_text(m.message, m.enc_key_id, m.enc_wrapped_key,
                     support_binding(m.cliente_id, m.admin_name is not None), m.id)


# -- her side (API) ---------------------------------------------------------------------------------------------

def support_tile(user: Cliente, token: str) -> dict:
    """The ``support`` entry of GET /me/chats."""
    room = _room(user.id)
    return {
        "chat_auth": token,
        "last_message_at": iso(_etag_moment(room, user)),
        "last_message_is_me": 0 if room is not None and room.last_msg_is_support else 1,
        "other_activity": "",
        "other_apelido": NAME,
        "other_avatar_url": avatar_url(),
        "other_badges": [],
        "badges": [],
        "blocked_me": 0,
    }


def user_messages(user: Cliente, rows: int | None = None, pagination: str | None = None) -> dict:
    rows = clamp_rows(rows)
    page = read_page(pagination, user.id, ROOM_KEY)
    room = _room(user.id)
    found, has_more = [], False
    if room is not None:
        found, has_more = select_page(ChatSupportMessage.select().where(ChatSupportMessage.support == room.id),
                                      ChatSupportMessage.id, page, rows)
    if page.before is None:
        chat_notifications.clear_if_pending(user.id, SUBJECT_SUPPORT)
    body = {
        "messages": [{"id": m.id, "is_me": 0 if m.admin_name is not None else 1, "message": render_text(_text(m)),
                      "time": iso(m.created_at)} for m in found],
        "has_more": 1 if has_more else 0,
        "meta": {"can_send_message": 1, "did_blocked": 0, "is_blockable": 0, "header_message": HEADER_MESSAGE,
                 "header_warning": HEADER_WARNING, "last_msg_etag": etag(ROOM_KEY, _etag_moment(room, user))},
        "other": {"cliente_id": 0, "apelido": NAME, "activity": ACTIVITY, "avatar_url": avatar_url(),
                  "blocked_me": 0, "badges": []},
    }
    body.update(page_keys(user.id, ROOM_KEY, page, found, has_more))
    return body


def _write(user: Cliente, text: str, operator: str | None) -> tuple[ChatSupportMessage, datetime, datetime]:
    sealed = seal_text(text, support_binding(user.id, operator is not None))
    room = _room_for_writing(user.id)
    previous = _etag_moment(room, user)
    now = clock.now() if room.last_msg_at is None else max(clock.now(), room.last_msg_at + timedelta(microseconds=1))
    # Starts with a write, as a private send does (chat.send_message), so SQLite waits instead of failing.
    with database.atomic():
        message = ChatSupportMessage.create(support=room.id, cliente=user.id, created_at=now, admin_name=operator,
                                            message=sealed.message, enc_key_id=sealed.enc_key_id,
                                            enc_wrapped_key=sealed.enc_wrapped_key)
        ChatSupport.update(last_msg_at=now, last_msg_is_support=operator is not None, last_msg_by=operator).where(
            ChatSupport.id == room.id).execute()
    return message, previous, now


def send_from_user(user: Cliente, text: str) -> dict:
    message, previous, now = _write(user, text, None)
    return {"id": message.id, "prev_last_msg_etag": etag(ROOM_KEY, previous), "last_msg_etag": etag(ROOM_KEY, now)}


def clear_history(user: Cliente) -> None:
    """DELETE /me/chats-session with the support token: her conversation is gone (the room stays, empty)."""
    room = _room(user.id)
    with database.atomic():
        if room is not None:
            ChatSupportMessage.delete().where(ChatSupportMessage.support == room.id).execute()
            ChatSupport.update(last_msg_at=None, last_msg_is_support=False, last_msg_by=None).where(
                ChatSupport.id == room.id).execute()
        chat_notifications.clear(user.id, SUBJECT_SUPPORT)


# -- staff side (CLI) -------------------------------------------------------------------------------------------

def user_not_found(cliente_id: int) -> PenhasError:
    return PenhasError("user_not_found", f"Usuária {cliente_id} não existe.", 404)


def _user(cliente_id: int) -> Cliente:
    user = Cliente.get_or_none(Cliente.id == cliente_id) if 0 < cliente_id < 2 ** 63 else None
    if user is None:
        raise user_not_found(cliente_id)
    return user


def human_time(moment: datetime, now: datetime | None = None) -> str:
    """America/Sao_Paulo 'DD/MM/YYYY HH:MM:SS', or 'hoje HH:MM:SS' for today there."""
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL_TZ)
    today = (now or clock.now()).replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL_TZ).date()
    if local.date() == today:
        return local.strftime("hoje %H:%M:%S")
    return local.strftime("%d/%m/%Y %H:%M:%S")


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS] + "…"


@dataclass
class InboxRow:
    cliente_id: int
    apelido: str
    last_msg_at: datetime
    last_msg_by: str
    answered: bool
    preview: str

    def as_dict(self) -> dict:
        return {"cliente_id": self.cliente_id, "apelido": self.apelido, "last_msg_at": iso(self.last_msg_at),
                "when": human_time(self.last_msg_at), "last_msg_by": self.last_msg_by, "answered": self.answered,
                "preview": self.preview}


def inbox(include_answered: bool = False, limit: int = 50, actor: str | None = None) -> list[InboxRow]:
    """Rooms waiting for staff (her message is the last), or every room with ``include_answered``; newest first."""
    query = (ChatSupport.select(ChatSupport, Cliente).join(Cliente)
             .where(ChatSupport.last_msg_at.is_null(False)).order_by(ChatSupport.last_msg_at.desc()).limit(limit))
    if not include_answered:
        query = query.where(ChatSupport.last_msg_is_support == False)  # noqa: E712
    rooms = list(query)
    last = {}
    if rooms:
        # The newest message of each room, for its preview: one query.
        newest = (ChatSupportMessage.select(fn.MAX(ChatSupportMessage.id).alias("mid"))
                  .where(ChatSupportMessage.support.in_([r.id for r in rooms])).group_by(ChatSupportMessage.support))
        last = {m.chat_support_id: m for m in ChatSupportMessage.select().where(
            ChatSupportMessage.id.in_([row["mid"] for row in newest.dicts()]))}
    out = []
    for room in rooms:
        user = room.cliente
        message = last.get(room.id)
        out.append(InboxRow(user.id, user.apelido, room.last_msg_at,
                            room.last_msg_by or f"{user.apelido} (usuária)", room.last_msg_is_support,
                            preview(_text(message)) if message is not None else ""))
    audit("support.inbox", "chat_support", None, actor=actor, all=include_answered, rooms=len(out))
    return out


@dataclass
class Conversation:
    user: Cliente
    activity: str
    badges: list
    messages: list[dict]
    has_more: bool


def show(cliente_id: int, rows: int = 50, actor: str | None = None) -> Conversation:
    """Her support conversation as staff see it (is_me = written by staff), oldest of the page first."""
    user = _user(cliente_id)
    room = _room(user.id)
    found, has_more = [], False
    if room is not None:
        query = ChatSupportMessage.select().where(ChatSupportMessage.support == room.id)
        found = list(query.order_by(ChatSupportMessage.id.desc()).limit(rows + 1))
        has_more = len(found) > rows
        found = list(reversed(found[:rows]))
    messages = [{"id": m.id, "time": iso(m.created_at), "when": human_time(m.created_at),
                 "is_me": 1 if m.admin_name is not None else 0, "by": m.admin_name or user.apelido,
                 "message": _text(m)} for m in found]
    audit("support.show", "cliente", user.id, actor=actor, messages=len(messages))
    return Conversation(user, people.activity_label(user.last_activity_at),
                        people.badges_for([user.id]).get(user.id, []), messages, has_more)


def reply(cliente_id: int, text: str, actor: str | None = None) -> ChatSupportMessage:
    """Staff answer: stored as written by the operator; she is notified when she enabled chat notifications."""
    text = (text or "").strip()
    if not text:
        raise PenhasError("empty_message", "A mensagem está vazia.")
    if len(text) > 9999:
        raise PenhasError("message_too_long", "A mensagem passa de 9999 caracteres.")
    user = _user(cliente_id)
    operator = actor or current_operator()
    message, _, now = _write(user, text, operator)
    notify = user.id in chat_notifications.enabled_for([user.id])
    if notify:
        chat_notifications.add_pending(user.id, SUBJECT_SUPPORT, now)
    audit("support.reply", "cliente", user.id, actor=operator, message_id=message.id, chars=len(text),
          notification=notify)
    return message


def delete_message(message_id: int, actor: str | None = None) -> ChatSupportMessage:
    message = ChatSupportMessage.get_or_none(ChatSupportMessage.id == message_id) if 0 < message_id < 2 ** 63 else None
    if message is None:
        raise PenhasError("message_not_found", f"Mensagem {message_id} não existe.", 404)
    with database.atomic():
        ChatSupportMessage.delete().where(ChatSupportMessage.id == message.id).execute()
        _refresh_last(message.chat_support_id)
    audit("support.delete_message", "chat_support_message", message.id, actor=actor, cliente_id=message.cliente_id)
    return message


def _refresh_last(support_id: int) -> None:
    """After a deletion the room's 'last message' is the newest one left."""
    newest = (ChatSupportMessage.select().where(ChatSupportMessage.support == support_id)
              .order_by(ChatSupportMessage.id.desc()).first())
    ChatSupport.update(last_msg_at=newest.created_at if newest else None,
                       last_msg_is_support=bool(newest and newest.admin_name is not None),
                       last_msg_by=newest.admin_name if newest else None).where(ChatSupport.id == support_id).execute()


