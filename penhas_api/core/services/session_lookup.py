"""The authenticated request's one query: the session row and its account, joined on the session's primary key.

The SQL text is written once per engine (peewee would rebuild it through its query compiler on every request) and
the row is turned into model instances with the fields' own converters, so callers get the usual ``ClienteSession``
whose ``.cliente`` is already loaded (with her unread badge, ``clientes.unread_notif_count``, which triggers keep).

A route may add yes/no questions about her to the same statement (``along``: ``EXISTS (...)`` subqueries correlated
with ``SESSION_USER``), so GET /me learns in that one round trip whether there is anything more to fetch.
"""
import peewee

from penhas_api.core.db import execute_prepared, is_postgres
from penhas_api.core.models import Cliente, ClienteSession

_PLAIN = (peewee.CharField, peewee.TextField, peewee.IntegerField, peewee.AutoField)
_SESSION_FIELDS = ("cliente_id", "created_at", "expires_at", "last_seen_at")
_sql: dict[tuple, str] = {}


def _converters(fields):
    # Text and integers come back from both drivers as they are; dates, booleans and JSON need the field's converter.
    return [(f.name, None if type(f) in _PLAIN or isinstance(f, peewee.ForeignKeyField) else f.python_value)
            for f in fields]


# The session query's account, for the subqueries riding along: peewee renders SESSION_USER.id as "c"."id".
SESSION_USER = Cliente.alias("c")

_USER_FIELDS = list(Cliente._meta.sorted_fields)
_USER_CONVERTERS = _converters(_USER_FIELDS)
# cliente_id is not converted: the account built from the same row is set as the session's ``cliente``.
_SESSION_CONVERTERS = _converters([ClienteSession._meta.fields[n] for n in _SESSION_FIELDS[1:]])


def _query(postgres: bool, along: tuple[str, ...] = ()) -> str:
    """The statement's text, with the ``along`` subqueries' EXISTS columns last."""
    key = (postgres, along)
    sql = _sql.get(key)
    if sql is None:
        user_columns = ", ".join(f'c."{f.column_name}"' for f in _USER_FIELDS)
        session_columns = ", ".join(f's."{n}"' for n in _SESSION_FIELDS)
        extra = "".join(f", EXISTS ({subquery})" for subquery in along)
        sql = _sql[key] = (f"SELECT {session_columns}, {user_columns}, c.unread_notif_count{extra} "
                           f"FROM clientes_active_sessions s "
                           f"JOIN clientes c ON c.id = s.cliente_id WHERE s.id = {'%s' if postgres else '?'}")
    return sql


def _build(model, converters, values):
    data = {}
    for (name, convert), value in zip(converters, values):
        data[name] = value if convert is None or value is None else convert(value)
    return model(__no_default__=1, **data)


def session_with_user(session_id: int, along: tuple[tuple[str, list], ...] = ()) -> ClienteSession | None:
    """The session ``session_id`` with ``.cliente`` loaded, or None when it was revoked (or its account erased).
    ``along``: (SQL, values) of subqueries whose EXISTS answers come back as ``session.along``, in order."""
    params = []
    for _subquery, values in along:
        params += values
    sql = _query(is_postgres(), tuple(subquery for subquery, _ in along))
    row = execute_prepared(sql, (*params, session_id)).fetchone()
    if row is None:
        return None
    n, m = len(_SESSION_FIELDS), len(row) - len(along)
    user = _build(Cliente, _USER_CONVERTERS, row[n:m - 1])
    user._dirty.clear()
    # The unread badge rides along (GET /me/unread-notif-count needs nothing else); see notifications.unread_count.
    user.unread_notif_count = row[m - 1]
    session = _build(ClienteSession, _SESSION_CONVERTERS, row[1:n])
    session.id = session_id
    session.cliente = user
    session.along = tuple(bool(answer) for answer in row[m:])
    session._dirty.clear()
    return session
