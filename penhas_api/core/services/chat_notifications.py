""""You have a new chat message" (backend-rules §8.4, §10 tick-notifications).

Sending a message leaves one pending row per (recipient, sender); the periodic job turns a row older than
``DELAY`` into one in-app notification when the recipient enabled ``NOTIFY_CHAT_NEW_MESSAGES``, and forgets rows
older than ``FORGET_AFTER``. Reading the room removes the row, so someone who answered at once is not notified.
The claim (``notification_created`` false → true) and the notification are one transaction: a second run, or a
second consumer, finds nothing left to do.
"""
from datetime import datetime, timedelta

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.models import ChatPendingNotification, Cliente, ClientePreference, Preference
from penhas_api.core.services import people
from penhas_api.core.services.notifications import SUBJECT_SUPPORT, notify_users

PREFERENCE = "NOTIFY_CHAT_NEW_MESSAGES"
DELAY = timedelta(minutes=5)
FORGET_AFTER = timedelta(days=1)
BATCH = 100
TITLE = "enviou uma mensagem"
ICON = 1
# The chat tab, not one room: a room token in a notification would outlive its 24 h (the original minted one
# while listing notifications, creating rooms as a side effect, §15).
EXPAND_SCREEN = "/mainboard?page=chat"


def add_pending(recipient_id: int, sender_id: int, at: datetime) -> None:
    """Remember that ``sender_id`` wrote to ``recipient_id`` (nothing new when a row is already pending)."""
    (ChatPendingNotification
     .insert(cliente=recipient_id, pending_message_cliente_id=sender_id, messaged_at=at, notification_created=False)
     .on_conflict_ignore().execute())


def pending(recipient_id: int, sender_id: int):
    """The query of what ``sender_id`` left pending for ``recipient_id`` (for ``EXISTS`` checks)."""
    return ChatPendingNotification.select(ChatPendingNotification.id).where(
        ChatPendingNotification.cliente == recipient_id,
        ChatPendingNotification.pending_message_cliente_id == sender_id)


def clear_if_pending(recipient_id: int, sender_id: int) -> None:
    """Looked up first: the app polls an open room every minute, and a read costs less than a write each time."""
    if pending(recipient_id, sender_id).exists():
        clear(recipient_id, sender_id)


def clear(recipient_id: int, sender_id: int) -> None:
    """She opened the room: nothing from that sender is pending any more."""
    ChatPendingNotification.delete().where(ChatPendingNotification.cliente == recipient_id,
                                           ChatPendingNotification.pending_message_cliente_id == sender_id).execute()


def forget_between(a: int, b: int) -> None:
    ChatPendingNotification.delete().where(
        ((ChatPendingNotification.cliente == a) & (ChatPendingNotification.pending_message_cliente_id == b))
        | ((ChatPendingNotification.cliente == b) & (ChatPendingNotification.pending_message_cliente_id == a))
    ).execute()


def enabled_for(cliente_ids) -> set[int]:
    """Who of ``cliente_ids`` wants chat notifications (her own value, else the preference's initial value)."""
    ids = list({int(i) for i in cliente_ids})
    if not ids:
        return set()
    pref = Preference.get_or_none(Preference.name == PREFERENCE)
    if pref is None or not pref.active:
        return set()
    own = {cp.cliente_id: cp.value
           for cp in ClientePreference.select(ClientePreference.cliente, ClientePreference.value)
           .where(ClientePreference.preference == pref.id, ClientePreference.cliente.in_(ids))}
    return {i for i in ids if own.get(i, pref.initial_value) not in (None, "", "0")}


def tick(now: datetime | None = None) -> dict:
    """One run of the periodic job: forget stale rows, notify for due ones."""
    now = now or clock.now()
    forgotten = ChatPendingNotification.delete().where(
        ChatPendingNotification.messaged_at < now - FORGET_AFTER).execute()
    due = list(ChatPendingNotification.select().where(
        ChatPendingNotification.notification_created == False,  # noqa: E712
        ChatPendingNotification.messaged_at <= now - DELAY).order_by(ChatPendingNotification.id).limit(BATCH))
    wanted = enabled_for(row.cliente_id for row in due)
    senders = {u.id: u for u in Cliente.select(Cliente.id, Cliente.status).where(
        Cliente.id.in_([r.pending_message_cliente_id for r in due if r.pending_message_cliente_id > 0]))} if due else {}
    created = 0
    for row in due:
        with database.atomic():
            claimed = ChatPendingNotification.update(notification_created=True).where(
                ChatPendingNotification.id == row.id,
                ChatPendingNotification.notification_created == False).execute()  # noqa: E712
            if not claimed or not _should_notify(row, wanted, senders):
                continue
            support = row.pending_message_cliente_id == SUBJECT_SUPPORT
            notify_users([row.cliente_id], "" if support else TITLE, "",
                         meta={"chat": 1, "expand_screen": EXPAND_SCREEN},
                         subject_id=row.pending_message_cliente_id, icon=ICON)
            created += 1
    return {"forgotten": forgotten, "due": len(due), "notified": created}


def _should_notify(row: ChatPendingNotification, wanted: set[int], senders: dict) -> bool:
    if row.cliente_id not in wanted:
        return False
    if row.pending_message_cliente_id == SUBJECT_SUPPORT:
        return True
    sender = senders.get(row.pending_message_cliente_id)
    # Someone on her timeline block list stays silent here too (§8.1).
    return (sender is not None and sender.status == "active"
            and sender.id not in people.timeline_blocked_ids(row.cliente_id))


def erase_pending_from(cliente_id: int) -> None:
    """Account deletion: what she left pending in other women's lists (her own rows go by cascade)."""
    ChatPendingNotification.delete().where(ChatPendingNotification.pending_message_cliente_id == cliente_id).execute()


