"""Hot queries compiled once: a peewee SELECT turned into SQL text once per engine, then run with new values.

Building a query through peewee's compiler costs more than running it on an indexed table (issue 17's profile of
GET /me: a third of the request). ``Prepared`` builds the query once with marker values, finds where each marker
landed among the SQL's parameters, and from then on only swaps the values in and runs the text; rows come back
through the query's own cursor wrapper, so callers get the same model instances (joins included) as before. On
PostgreSQL the text is also prepared on the server once per connection (``db.execute_prepared``).
"""
import threading
from datetime import datetime, timedelta
from typing import Callable

import peewee

from penhas_api.core.db import execute_prepared, is_postgres

_INT_MARK = 9_000_000_000_000_000_000
_TIME_MARK = datetime(1970, 1, 2, 3, 4, 5, 6000)


def _marker(field: peewee.Field, k: int):
    if isinstance(field, (peewee.IntegerField, peewee.ForeignKeyField)):
        return _INT_MARK + k
    if isinstance(field, peewee.DateTimeField):
        return _TIME_MARK + timedelta(microseconds=k)
    return f"\x00penhas-param-{k}"


class Prepared:
    """``Prepared(lambda variant, cliente: Model.select().where(Model.cliente == cliente), cliente=Model.cliente)``:
    each named parameter is compared with the given field, whose ``db_value`` converts it, and must appear in the
    query (every place it appears gets the value). ``variant`` (hashable, e.g. a tuple of ids from the settings)
    selects a shape of the query; each shape is compiled once."""

    def __init__(self, build: Callable[..., peewee.ModelSelect], **fields: peewee.Field):
        self._build = build
        self._fields = fields
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, key: tuple) -> tuple:
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:  # another thread may have compiled it while this one waited
                compiled = self._compiled.get(key) or self._compiled.setdefault(key, self._to_sql(key[1]))
        return compiled

    def _to_sql(self, variant) -> tuple:
        markers = {name: _marker(field, k) for k, (name, field) in enumerate(self._fields.items())}
        query = self._build(variant, **markers)
        sql, params = query.sql()
        slots = {}
        for name, marker in markers.items():
            wanted = self._fields[name].db_value(marker)
            found = [i for i, p in enumerate(params) if p == wanted]
            if not found:
                raise ValueError(f"parameter {name} does not appear in the query")
            slots.update(dict.fromkeys(found, name))
        return query, sql, list(params), slots

    def bind(self, variant=None, **values) -> tuple[str, list]:
        """The SQL text and its values, for a caller that sends it inside another statement (an EXISTS riding along
        the session query, core/services/session_lookup.py)."""
        _query, sql, params, slots = self._compile((is_postgres(), variant))
        return sql, self._values(params, slots, values)

    def _values(self, params: list, slots: dict, values: dict) -> list:
        bound = list(params)
        for i, name in slots.items():
            bound[i] = self._fields[name].db_value(values[name])
        return bound

    def __call__(self, variant=None, **values) -> list:
        query, sql, params, slots = self._compile((is_postgres(), variant))
        cursor = execute_prepared(sql, self._values(params, slots, values))
        return list(query._get_cursor_wrapper(cursor))
