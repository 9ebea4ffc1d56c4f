"""In-app notifications (the app polls; there is no push): backend-rules §1.6 and §2.4.

``notify_users`` is the one way to create them; features (likes, comments, chat, operator broadcasts) call it.
Unread = her log rows newer than the newest row she has listed (``clientes_app_notifications.read_until_id``).
The app polls that number every minute, so it is not counted per poll: ``clientes.unread_notif_count`` is kept by
database triggers (``sql/0015_hot_path.sql``) on every insert and delete of a log row (cascades included) and on
every move of the marker, whichever code path or process makes the change.
"""
from penhas_api.core import clock, cursors
from penhas_api.core.db import database
from penhas_api.core.errors import form_error
from penhas_api.core.models import (
    Cliente, ClienteAppNotification, NotificationLog, NotificationMessage, TimelineBlock,
)
from penhas_api.core.settings import get_settings

SUBJECT_ANONYMOUS = 0
SUBJECT_SUPPORT = -1
PAGE_PURPOSE = "NFTP"
DEFAULT_ROWS = 100


def notify_users(cliente_ids, title: str, content: str, meta: dict | None = None, subject_id: int | None = None,
                 icon: int = 0, is_test: bool = False) -> NotificationMessage | None:
    """One message and one log row per recipient, in one transaction. Unknown ids are skipped; None when no
    recipient is left. ``meta`` may hold ``tweet_id``, ``comment_id``, ``chat``, ``admin_mode``, ``created_by``."""
    ids = sorted({int(i) for i in cliente_ids})
    if not ids:
        return None
    now = clock.now()
    with database.atomic():
        recipients = Cliente.select(Cliente.id).where(Cliente.id.in_(ids))
        if subject_id and subject_id > 0:
            # Someone she blocked in the timeline never reaches her notifications (nor her unread count).
            recipients = recipients.where(Cliente.id.not_in(
                TimelineBlock.select(TimelineBlock.cliente).where(TimelineBlock.blocked == subject_id)))
        existing = [row.id for row in recipients]
        if not existing:
            return None
        message = NotificationMessage.create(title=title, content=content, meta=meta or {}, subject_id=subject_id,
                                             icon=icon, is_test=is_test, created_at=now)
        for start in range(0, len(existing), 500):
            NotificationLog.insert_many(
                [{"created_at": now, "cliente": cid, "message": message.id} for cid in existing[start:start + 500]]
            ).execute()
    return message


def forget_from(cliente_id: int, subject_id: int) -> None:
    """Blocking someone takes away the notifications that person caused her (her unread count follows, by the
    triggers); deleted rather than hidden, so the counter never has to know about blocks."""
    caused = NotificationMessage.select(NotificationMessage.id).where(NotificationMessage.subject_id == subject_id)
    NotificationLog.delete().where(NotificationLog.cliente == cliente_id, NotificationLog.message.in_(caused)).execute()


def unread_count(user: Cliente) -> int:
    """Her unread badge: already on the account row the session lookup read, else one primary-key read."""
    count = getattr(user, "unread_notif_count", None)
    if count is None:
        row = database.execute_sql("SELECT unread_notif_count FROM clientes WHERE id = " + database.param,
                                   (user.id,)).fetchone()
        count = row[0] if row else 0
    return int(count)


def _mark_read(cliente_id: int, newest: NotificationLog) -> None:
    (ClienteAppNotification
     .insert(cliente=cliente_id, read_until=newest.created_at, read_until_id=newest.id)
     .on_conflict(conflict_target=[ClienteAppNotification.cliente],
                  update={ClienteAppNotification.read_until: newest.created_at,
                          ClienteAppNotification.read_until_id: newest.id})
     .execute())


def _icon_url(icon) -> str:
    return f"{get_settings().public_url}/i/{int(icon or 0)}.svg"


def _render(log: NotificationLog, subjects: dict[int, Cliente]) -> dict:
    message = log.message
    meta = message.meta or {}
    title = message.title
    subject = message.subject_id
    if meta.get("admin_mode"):
        name = "Admin PenhaS"
    elif subject is None:
        name = "PenhaS"
    elif subject == SUBJECT_SUPPORT:
        name, title = "Suporte PenhaS", "respondeu sua mensagem"
    else:
        user = subjects.get(subject)
        if meta.get("chat"):
            # A chat partner is shown by apelido even in anonymous mode: she is talking to her already.
            name = user.apelido if user is not None else "Usuário removido"
        elif user is not None and user.status == "active" and not user.modo_anonimo_ativo:
            name = user.apelido
        else:
            name = "Anônimo"
    row = {"content": message.content, "title": title, "time": log.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "icon": _icon_url(message.icon), "name": name}
    if meta.get("expand_screen"):
        row["expand_screen"] = str(meta["expand_screen"])
    elif meta.get("tweet_id") and meta.get("comment_id"):
        row["expand_screen"] = f"/mainboard/tweet/{meta['tweet_id']}?comment_id={meta['comment_id']}"
    elif meta.get("tweet_id"):
        row["expand_screen"] = f"/mainboard/tweet/{meta['tweet_id']}"
    return row


def list_notifications(cliente_id: int, rows: int | None = None, next_page: str | None = None) -> dict:
    """Newest first. The first page marks everything up to its newest row as read."""
    if rows is None:
        rows = DEFAULT_ROWS
    elif not 10 <= rows <= 1000:
        rows = 10
    query = (NotificationLog.select(NotificationLog, NotificationMessage).join(NotificationMessage)
             .where(NotificationLog.cliente == cliente_id).order_by(NotificationLog.id.desc()))
    if next_page:
        cursor = cursors.read(PAGE_PURPOSE, next_page, owner=cliente_id)
        if not isinstance(cursor.get("before"), int):
            raise form_error("next_page", "invalid")
        query = query.where(NotificationLog.id < cursor["before"])
    logs = list(query.limit(rows + 1))
    has_more = len(logs) > rows
    logs = logs[:rows]
    subject_ids = {log.message.subject_id for log in logs if (log.message.subject_id or 0) > 0}
    subjects = {u.id: u for u in Cliente.select().where(Cliente.id.in_(subject_ids))} if subject_ids else {}
    if not next_page and logs:
        _mark_read(cliente_id, logs[0])
    return {
        "rows": [_render(log, subjects) for log in logs],
        "has_more": 1 if has_more else 0,
        "next_page": cursors.issue(PAGE_PURPOSE, {"before": logs[-1].id}, owner=cliente_id) if has_more else None,
    }
