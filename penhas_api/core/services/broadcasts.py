"""Operator broadcasts (backend-rules §11.7): in-app notifications to one user or to a named segment.

Segments are a fixed whitelist of filters over active users, chosen by name — never SQL or ORM JSON from the
operator. Messages are created through ``notifications.notify_users`` (message and per-user log rows in one
transaction), so they reach GET /me/notifications and the unread count like any other notification.
"""
from dataclasses import dataclass
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error, item_not_found
from penhas_api.core.models import Cliente, Guardian, NotificationLog, NotificationMessage
from penhas_api.core.services.notifications import notify_users

TITLE_MAX, CONTENT_MAX = 200, 9999
ZERO_TARGETS = "no matching users: no message was created"
UFS = ("AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO").split()
RECENT_DAYS = 30


@dataclass(frozen=True)
class Segment:
    name: str
    description: str
    condition: object  # a function returning a peewee expression over Cliente


def _women():
    return Cliente.genero.in_(("Feminino", "MulherTrans"))


def _with_guardians():
    accepted = Guardian.select(Guardian.cliente).where((Guardian.status == "accepted") & Guardian.deleted_at.is_null())
    return Cliente.id.in_(accepted)


def _recent():
    return Cliente.last_activity_at >= clock.now() - timedelta(days=RECENT_DAYS)


SEGMENTS = {
    "active": Segment("active", "every active account", lambda: True),
    "women": Segment("women", "active accounts of women (gênero Feminino or MulherTrans)", _women),
    "with-guardians": Segment("with-guardians", "active accounts with at least one accepted guardian",
                              _with_guardians),
    "recent": Segment("recent", f"active accounts that used the app in the last {RECENT_DAYS} days", _recent),
}
UF_SEGMENT = Segment("uf:XX", "active accounts whose CEP is in the state XX (e.g. uf:SP)", None)


def segments() -> list[Segment]:
    return list(SEGMENTS.values()) + [UF_SEGMENT]


def _segment_query(name: str):
    """Ids of the segment's users; raises a form error for a name outside the whitelist."""
    query = Cliente.select(Cliente.id).where(Cliente.status == "active")
    key = (name or "").strip().lower()
    if key.startswith("uf:"):
        uf = key[3:].upper()
        if uf not in UFS:
            raise form_error("segment", "invalid", f"unknown UF: {uf or '(empty)'}")
        return query.where(Cliente.cep_estado == uf)
    if key not in SEGMENTS:
        names = ", ".join([s.name for s in segments()])
        raise form_error("segment", "invalid", f"unknown segment: {name}; segments: {names}")
    condition = SEGMENTS[key].condition()
    return query if condition is True else query.where(condition)


def segment_size(name: str) -> int:
    return _segment_query(name).count()


def _check_text(title: str, content: str) -> tuple[str, str]:
    title, content = (title or "").strip(), (content or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise form_error("message_title", "invalid", f"the title is required, up to {TITLE_MAX} characters")
    if not content or len(content) > CONTENT_MAX:
        raise form_error("message_content", "invalid",
                         f"the content is required, up to {CONTENT_MAX} characters")
    return title, content


@dataclass
class SendResult:
    message: NotificationMessage | None
    count: int

    @property
    def text(self) -> str:
        return ZERO_TARGETS if self.message is None else f"notification added for {self.count} user(s)"


def send(title: str, content: str, actor: str, user_id: int | None = None, segment: str | None = None) -> SendResult:
    """Create one broadcast message and one log row per target, in one transaction (audited as ``actor``)."""
    if (user_id is None) == (segment is None):
        raise form_error("segment_id", "missing", "give a user id or a segment")
    title, content = _check_text(title, content)
    if user_id is not None:
        if not Cliente.select().where(Cliente.id == user_id).exists():
            raise PenhasError("user_not_found", f"user {user_id} not found", 404)
        ids = [user_id]
        target = {"cliente_id": user_id}
    else:
        ids = [row.id for row in _segment_query(segment)]
        target = {"segment": segment.strip().lower()}
    with database.atomic():
        message = notify_users(ids, title, content, icon=0, subject_id=None,
                               meta={"created_by": actor, "count": len(ids), **target})
        count = message.logs.count() if message is not None else 0
        if message is not None and count != len(ids):
            message.meta = dict(message.meta, count=count)
            message.save(only=[NotificationMessage.meta])
    if message is not None:
        audit("notify.send", "notification_message", message.id, actor=actor, count=count, **target)
    return SendResult(message, count)


def _broadcast(message_id: int) -> NotificationMessage:
    message = NotificationMessage.get_or_none((NotificationMessage.id == message_id)
                                              & NotificationMessage.subject_id.is_null())
    if message is None:
        raise item_not_found(f"broadcast {message_id}")
    return message


def list_broadcasts(limit: int = 20, before_id: int | None = None) -> list[tuple[NotificationMessage, int]]:
    """Broadcast (system/operator) messages newest first, each with its number of recipients."""
    if not 1 <= limit <= 100:
        raise PenhasError("form_error", "limit must be between 1 and 100", field="limit", reason="invalid")
    query = NotificationMessage.select().where(NotificationMessage.subject_id.is_null())
    if before_id is not None:
        query = query.where(NotificationMessage.id < before_id)
    messages = list(query.order_by(NotificationMessage.id.desc()).limit(limit))
    return [(m, m.logs.count()) for m in messages]


def get_broadcast(message_id: int) -> tuple[NotificationMessage, int]:
    message = _broadcast(message_id)
    return message, message.logs.count()


def edit(message_id: int, title: str | None = None, content: str | None = None,
         actor: str | None = None) -> NotificationMessage:
    message = _broadcast(message_id)
    if title is None and content is None:
        raise form_error("message_title", "missing", "give the new title and/or content")
    message.title, message.content = _check_text(message.title if title is None else title,
                                                 message.content if content is None else content)
    message.save(only=[NotificationMessage.title, NotificationMessage.content])
    audit("notify.edit", "notification_message", message.id, actor=actor,
          changed=[k for k, v in (("title", title), ("content", content)) if v is not None])
    return message


def delete(message_id: int, actor: str | None = None) -> int:
    """Remove the message and every user's log row of it; returns how many users lose it."""
    message = _broadcast(message_id)
    with database.atomic():
        removed = NotificationLog.delete().where(NotificationLog.message == message.id).execute()
        message.delete_instance()
    audit("notify.delete", "notification_message", message_id, actor=actor, recipients=removed)
    return removed
