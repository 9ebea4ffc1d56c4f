"""Private chat between two women (backend-rules §8.1–8.2, mobile-contract §2.9).

* One room per pair, opened by either side; only between two accounts allowed to chat (module ``chat_privado``,
  §15 item 12), and only with an active account.
* Messages are encrypted at rest (``chat_crypto``); the API sends them HTML-escaped with line breaks as ``<br/>``.
* Two block lists: chat blocks (``cliente_bloqueios``, stop messaging both ways) here, and the timeline block list
  (``people.timeline_blocked_ids``) that hides rooms from her list and their notifications.
* A room whose other participant is no longer active (deletion scheduled, banned) shows 'Usuário removido' and
  takes no message; erasing an account erases her rooms with every message in them, both sides.
* ``DELETE /me/chats-session`` deletes the room for both participants, as the original.
"""
import hashlib
import html
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee
from peewee import fn

from penhas_api.core import clock, cursors
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error, item_not_found
from penhas_api.core.models import ChatBlock, ChatMessage, ChatSession, Cliente
from penhas_api.core.services import chat_auth, chat_crypto, chat_notifications, people
from penhas_api.core.services.modules import user_modules
from penhas_api.core.settings import get_settings

MODULE = "chat_privado"
REMOVED_NAME = "Usuário removido"
DEFAULT_ROWS = 10
MAX_ROWS = 1000
ROOMS_PAGE = 100
PAGE_PURPOSE = "chat:messages"
ROOMS_PURPOSE = "chat:rooms"
MAX_MESSAGE = 9999


def cannot_message_yourself():
    return PenhasError("cannot_message_yourself", "Não pode abrir uma sala contigo mesmo!", 400)


def cannot_block_yourself():
    return PenhasError("cannot_block_yourself", "Não pode bloquear você mesmo!", 400)


def remove_block_to_send():
    return PenhasError("remove_block_to_send_message",
                       "Para enviar mensagens nesta conversa, desbloquei o outro usuário.", 400)


def blocked():
    return PenhasError("blocked", "Você não pode enviar mensagens nesta conversa.", 400)


def pagination_error():
    return PenhasError("pagination", "paginação inválida", 400, field="pagination", reason="invalid")


# -- small helpers ----------------------------------------------------------------------------------------------

def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_text(text: str) -> str:
    """§8.2: HTML-escaped, line breaks as <br/> (the app renders the message as HTML)."""
    escaped = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=True)
    return escaped.replace("\n", "<br/>")


def etag(room_key: str, moment: datetime) -> str:
    """Six hex digits that change with the room's last message time (the app skips redrawing when equal)."""
    return hashlib.sha256(f"{room_key}:{moment.isoformat()}".encode()).hexdigest()[:6]


def may_chat(user: Cliente) -> bool:
    return user.status == "active" and MODULE in user_modules(user)


def avatar_of(user: Cliente) -> str:
    return user.avatar_url or f"{get_settings().public_url}/avatar/padrao.svg"


def clamp_rows(rows: int | None) -> int:
    if rows is None:
        return DEFAULT_ROWS
    return rows if 10 <= rows <= MAX_ROWS else DEFAULT_ROWS


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _other_id(room: ChatSession, me: int) -> int:
    return room.other_cliente_id if room.cliente_id == me else room.cliente_id


@dataclass
class Partner:
    """The other participant as the room needs her, with the blocks between them and whether something of hers
    is pending for me: one query, since the app polls an open room every minute."""
    id: int
    user: Cliente | None
    did_block: bool = False
    blocked_me: bool = False
    pending: bool = False

    @property
    def removed(self) -> bool:
        return self.user is None or self.user.status != "active"


def _partner(room: ChatSession, me: int) -> Partner:
    other_id = _other_id(room, me)
    did = ChatBlock.select(ChatBlock.id).where(ChatBlock.cliente == me, ChatBlock.blocked_cliente == other_id)
    got = ChatBlock.select(ChatBlock.id).where(ChatBlock.cliente == other_id, ChatBlock.blocked_cliente == me)
    row = (Cliente.select(Cliente.id, Cliente.status, Cliente.genero, Cliente.apelido, Cliente.avatar_url,
                          Cliente.last_activity_at, fn.EXISTS(did).alias("did_block"),
                          fn.EXISTS(got).alias("blocked_me"),
                          fn.EXISTS(chat_notifications.pending(me, other_id)).alias("has_pending"))
           .where(Cliente.id == other_id).first())
    if row is None:
        return Partner(other_id, None)
    return Partner(other_id, row, bool(row.did_block), bool(row.blocked_me), bool(row.has_pending))


# -- rooms ------------------------------------------------------------------------------------------------------

def open_room(user: Cliente, cliente_id: int) -> ChatSession:
    """The pair's room, created when missing. Only with an active account allowed to chat (§15 item 12), and
    never a new one with a woman in anonymous mode."""
    if cliente_id == user.id:
        raise cannot_message_yourself()
    other = Cliente.get_or_none(Cliente.id == cliente_id) if 0 < cliente_id < 2 ** 63 else None
    if other is None or not may_chat(other):
        raise item_not_found()
    low, high = _pair(user.id, other.id)
    room = ChatSession.get_or_none(ChatSession.cliente == low, ChatSession.other_cliente == high)
    if room is not None:
        return room
    if other.modo_anonimo_ativo:
        # In anonymous mode she has no public card and cannot be found (§8.2): she may start a room, nobody can
        # start one with her.
        raise item_not_found()
    now = clock.now()
    try:
        with database.atomic():
            return ChatSession.create(cliente=low, other_cliente=high, session_started_by=user.id, created_at=now,
                                      last_message_at=now, last_message_by=user.id, has_message=False)
    except peewee.IntegrityError:
        # Both opened it at once: the unique pair index kept one room.
        return ChatSession.get(ChatSession.cliente == low, ChatSession.other_cliente == high)


def load_room(user: Cliente, room_id: int) -> ChatSession:
    room = ChatSession.get_or_none(ChatSession.id == room_id)
    if room is None:
        raise chat_auth.chat_auth_error("chat_session_not_found")
    if user.id not in room.participants:
        raise chat_auth.chat_auth_error("chat_not_participant")
    return room


def delete_room(user: Cliente, room: ChatSession) -> None:
    """Both sides: the room and every message in it (and the notifications it left pending)."""
    other = _other_id(room, user.id)
    with database.atomic():
        chat_notifications.forget_between(user.id, other)
        ChatSession.delete().where(ChatSession.id == room.id).execute()


def list_rooms(user: Cliente, rows: int | None = None, next_page: str | None = None) -> dict:
    """Her rooms with at least one message, newest first, without anyone on her timeline block list and
    without rooms whose other participant is no longer active."""
    limit = rows if rows is not None and 10 <= rows <= ROOMS_PAGE else ROOMS_PAGE
    hidden = people.timeline_blocked_ids(user.id)
    Other = Cliente.alias()
    other_id = peewee.Case(None, [(ChatSession.cliente == user.id, ChatSession.other_cliente)], ChatSession.cliente)
    query = (ChatSession.select(ChatSession, Other)
             .join(Other, on=(Other.id == other_id), attr="other")
             .where(((ChatSession.cliente == user.id) | (ChatSession.other_cliente == user.id)),
                    ChatSession.has_message == True, Other.status == "active")  # noqa: E712
             .order_by(ChatSession.last_message_at.desc(), ChatSession.id.desc()))
    if hidden:
        query = query.where(Other.id.not_in(list(hidden)))
    if next_page:
        cursor = cursors.read(ROOMS_PURPOSE, next_page, owner=user.id)
        try:
            at, last_id = datetime.fromisoformat(cursor["at"]), cursor["id"]
        except (KeyError, TypeError, ValueError):
            raise form_error("next_page", "invalid") from None
        if not isinstance(last_id, int):
            raise form_error("next_page", "invalid")
        query = query.where((ChatSession.last_message_at < at)
                            | ((ChatSession.last_message_at == at) & (ChatSession.id < last_id)))
    found = list(query.limit(limit + 1))
    has_more = len(found) > limit
    found = found[:limit]
    rooms = [r for r in found if MODULE in user_modules(r.other)]
    others = [r.other.id for r in rooms]
    badges = people.badges_for(others, viewer=user) if others else {}
    blocked_me = {b.cliente_id for b in ChatBlock.select(ChatBlock.cliente).where(
        ChatBlock.cliente.in_(others), ChatBlock.blocked_cliente == user.id)} if others else set()
    out = []
    for room in rooms:
        other = room.other
        other_badges = badges.get(other.id, [])
        out.append({
            "chat_auth": chat_auth.issue_room(user.id, room.id),
            "last_message_at": iso(room.last_message_at),
            "last_message_is_me": 1 if room.last_message_by == user.id else 0,
            "cliente_id": other.id,
            "other_apelido": other.apelido,
            "other_avatar_url": avatar_of(other),
            "other_activity": people.activity_label(other.last_activity_at),
            "other_badges": other_badges,
            "badges": other_badges,
            "blocked_me": 1 if other.id in blocked_me else 0,
        })
    next_token = None
    if has_more:
        last = found[-1]
        next_token = cursors.issue(ROOMS_PURPOSE, {"at": last.last_message_at.isoformat(), "id": last.id},
                                   owner=user.id)
    return {"rows": out, "has_more": 1 if has_more else 0, "next_page": next_token}


# -- messages ---------------------------------------------------------------------------------------------------

@dataclass
class Page:
    after: int | None = None
    before: int | None = None


def read_page(token: str | None, owner: int, room_key: str) -> Page:
    if not token:
        return Page()
    try:
        data = cursors.read(PAGE_PURPOSE, token, field="pagination", owner=owner)
    except PenhasError:
        raise pagination_error() from None
    after, before = data.get("after"), data.get("before")
    if data.get("room") != room_key:
        raise pagination_error()
    if isinstance(after, int) and before is None:
        return Page(after=after)
    if isinstance(before, int) and after is None:
        return Page(before=before)
    raise pagination_error()


def page_token(owner: int, room_key: str, **position) -> str:
    return cursors.issue(PAGE_PURPOSE, {"room": room_key, **position}, owner=owner)


def select_page(query, id_field, page: Page, rows: int):
    """Rows of ``query`` newest first, the page asked for, plus (has_more, newest id seen)."""
    if page.after is not None:
        found = list(query.where(id_field > page.after).order_by(id_field.asc()).limit(rows + 1))
        has_more = len(found) > rows
        found = list(reversed(found[:rows]))
    else:
        if page.before is not None:
            query = query.where(id_field < page.before)
        found = list(query.order_by(id_field.desc()).limit(rows + 1))
        has_more = len(found) > rows
        found = found[:rows]
    return found, has_more


def page_keys(owner: int, room_key: str, page: Page, found, has_more: bool) -> dict:
    """``newer`` (unless paging backwards) and ``older`` (from the oldest message shown, unless paging forwards;
    the original sends it only with ``has_more``, the app's fixture always has it, the app never follows it)."""
    out = {}
    if page.before is None:
        out["newer"] = page_token(owner, room_key, after=found[0].id if found else (page.after or 0))
    if found and page.after is None:
        out["older"] = page_token(owner, room_key, before=found[-1].id)
    return out


def room_messages(user: Cliente, room: ChatSession, rows: int | None = None, pagination: str | None = None) -> dict:
    """The messages object of §2.9.3 (also the ``prefetch`` of opening a room)."""
    rows = clamp_rows(rows)
    room_key = f"r{room.id}"
    page = read_page(pagination, user.id, room_key)
    partner = _partner(room, user.id)
    other = partner.user
    query = (ChatMessage.select(ChatMessage.id, ChatMessage.cliente, ChatMessage.created_at, ChatMessage.message,
                                ChatMessage.enc_key_id, ChatMessage.enc_wrapped_key)
             .where(ChatMessage.session == room.id))
    found, has_more = select_page(query, ChatMessage.id, page, rows)
    if page.before is None and partner.pending:
        chat_notifications.clear(user.id, partner.id)
    removed = partner.removed
    messages = [{
        "id": m.id,
        "is_me": 1 if m.cliente_id == user.id else 0,
        "message": render_text(chat_crypto.open_text(m.message, m.enc_key_id, m.enc_wrapped_key,
                                                     chat_crypto.room_binding(room.id, m.cliente_id), m.id)),
        "time": iso(m.created_at),
    } for m in found]
    if removed:
        other_out = {"cliente_id": partner.id, "apelido": REMOVED_NAME,
                     "avatar_url": f"{get_settings().public_url}/avatar/padrao.svg", "activity": "",
                     "blocked_me": 0, "badges": []}
    else:
        other_out = {"cliente_id": other.id, "apelido": other.apelido, "avatar_url": avatar_of(other),
                     "activity": people.activity_label(other.last_activity_at),
                     "blocked_me": 1 if partner.blocked_me else 0,
                     "badges": people.badges_for([other.id], viewer=user).get(other.id, [])}
    body = {
        "messages": messages,
        "has_more": 1 if has_more else 0,
        "meta": {
            "can_send_message": 0 if (removed or partner.did_block or partner.blocked_me) else 1,
            "did_blocked": 1 if partner.did_block else 0,
            "is_blockable": 1,
            "header_message": "",
            "header_warning": "",
            "last_msg_etag": etag(room_key, room.last_message_at),
        },
        "other": other_out,
    }
    body.update(page_keys(user.id, room_key, page, found, has_more))
    return body


def send_message(user: Cliente, room: ChatSession, text: str) -> dict:
    partner = _partner(room, user.id)
    if partner.did_block:
        raise remove_block_to_send()
    if partner.blocked_me or partner.removed or not may_chat(partner.user):
        raise blocked()
    room_key = f"r{room.id}"
    sealed = chat_crypto.seal_text(text, chat_crypto.room_binding(room.id, user.id))
    previous = ChatSession.select(ChatSession.last_message_at).where(ChatSession.id == room.id).scalar()
    if previous is None:
        raise chat_auth.chat_auth_error("chat_session_not_found")
    # Strictly after the previous message, so two sends in one clock tick still change the etag.
    now = max(clock.now(), previous + timedelta(microseconds=1))
    # The transaction starts with a write: on SQLite a read first would make it a reader that cannot become a
    # writer once another connection has written, and the send would fail instead of waiting its turn.
    with database.atomic():
        message = ChatMessage.create(session=room.id, cliente=user.id, created_at=now, message=sealed.message,
                                     enc_key_id=sealed.enc_key_id, enc_wrapped_key=sealed.enc_wrapped_key)
        ChatSession.update(last_message_at=now, last_message_by=user.id, has_message=True).where(
            ChatSession.id == room.id).execute()
        chat_notifications.add_pending(partner.id, user.id, now)
    return {"id": message.id, "prev_last_msg_etag": etag(room_key, previous), "last_msg_etag": etag(room_key, now)}


def set_block(user: Cliente, cliente_id: int, block: bool) -> None:
    if cliente_id == user.id:
        raise cannot_block_yourself()
    if not (0 < cliente_id < 2 ** 63) or not Cliente.select().where(Cliente.id == cliente_id).exists():
        raise item_not_found()
    if block:
        (ChatBlock.insert(cliente=user.id, blocked_cliente=cliente_id, created_at=clock.now())
         .on_conflict_ignore().execute())
    else:
        ChatBlock.delete().where(ChatBlock.cliente == user.id, ChatBlock.blocked_cliente == cliente_id).execute()
