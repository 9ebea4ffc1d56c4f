"""The authenticated request's one query: the session row and its account, joined on the session's primary key.

The SQL text is written once per engine (peewee would rebuild it through its query compiler on every request) and
the row is turned into model instances with the fields' own converters, so callers get the usual ``ClienteSession``
whose ``.cliente`` is already loaded (with her unread badge, ``clientes.unread_notif_count``, which triggers keep).
"""
import peewee

from penhas_api.core.db import database, is_postgres
from penhas_api.core.models import Cliente, ClienteSession

_PLAIN = (peewee.CharField, peewee.TextField, peewee.IntegerField, peewee.AutoField)
_SESSION_FIELDS = ("cliente_id", "created_at", "expires_at", "last_seen_at")
_sql: dict[bool, str] = {}


def _converters(fields):
    # Text and integers come back from both drivers as they are; dates, booleans and JSON need the field's converter.
    return [(f.name, None if type(f) in _PLAIN or isinstance(f, peewee.ForeignKeyField) else f.python_value)
            for f in fields]


_USER_FIELDS = list(Cliente._meta.sorted_fields)
_USER_CONVERTERS = _converters(_USER_FIELDS)
# cliente_id is not converted: the account built from the same row is set as the session's ``cliente``.
_SESSION_CONVERTERS = _converters([ClienteSession._meta.fields[n] for n in _SESSION_FIELDS[1:]])


def _query(postgres: bool) -> str:
    sql = _sql.get(postgres)
    if sql is None:
        user_columns = ", ".join(f'c."{f.column_name}"' for f in _USER_FIELDS)
        session_columns = ", ".join(f's."{n}"' for n in _SESSION_FIELDS)
        param = "%s" if postgres else "?"
        sql = _sql[postgres] = (f"SELECT {session_columns}, {user_columns}, c.unread_notif_count "
                                f"FROM clientes_active_sessions s "
                                f"JOIN clientes c ON c.id = s.cliente_id WHERE s.id = {param}")
    return sql


def _build(model, converters, values):
    data = {}
    for (name, convert), value in zip(converters, values):
        data[name] = value if convert is None or value is None else convert(value)
    return model(__no_default__=1, **data)


def session_with_user(session_id: int) -> ClienteSession | None:
    """The session ``session_id`` with ``.cliente`` loaded, or None when it was revoked (or its account erased)."""
    row = database.execute_sql(_query(is_postgres()), (session_id,)).fetchone()
    if row is None:
        return None
    n = len(_SESSION_FIELDS)
    user = _build(Cliente, _USER_CONVERTERS, row[n:-1])
    user._dirty.clear()
    # The unread badge rides along (GET /me/unread-notif-count needs nothing else); see notifications.unread_count.
    user.unread_notif_count = row[-1]
    session = _build(ClienteSession, _SESSION_CONVERTERS, row[1:n])
    session.id = session_id
    session.cliente = user
    session._dirty.clear()
    return session
