"""core/prepared.py: a query compiled once answers exactly what the peewee query it was built from answers."""
from datetime import timedelta

import pytest

from penhas_api.core import clock
from penhas_api.core.models import Badge, ClienteTag
from penhas_api.core.prepared import Prepared
from tests.factories import make_user

TAGS = Prepared(lambda _v, cliente, now: ClienteTag.select(ClienteTag, Badge).join(Badge)
                .where(ClienteTag.cliente == cliente, ClienteTag.valid_until > now).order_by(ClienteTag.id),
                cliente=ClienteTag.cliente, now=ClienteTag.valid_until)


def _badge(code):
    return Badge.create(code=code, name=code, description="d", image_url="u", image_url_black="u",
                        created_on=clock.now(), modified_on=clock.now())


def test_same_rows_and_joined_models_as_the_query_for_each_call(db):
    her, other = make_user(), make_user()
    now = clock.now()
    a, b = _badge("a"), _badge("b")
    ClienteTag.create(cliente=her, badge=a, valid_until=now + timedelta(days=1), created_on=now)
    ClienteTag.create(cliente=her, badge=b, valid_until=now - timedelta(days=1), created_on=now)
    ClienteTag.create(cliente=other, badge=b, valid_until=now + timedelta(days=1), created_on=now)
    for who, moment in ((her, now), (other, now), (her, now - timedelta(days=2))):
        direct = list(ClienteTag.select(ClienteTag, Badge).join(Badge)
                      .where(ClienteTag.cliente == who, ClienteTag.valid_until > moment).order_by(ClienteTag.id))
        got = TAGS(cliente=who.id, now=moment)
        assert [(t.id, t.badge.code) for t in got] == [(t.id, t.badge.code) for t in direct]
    assert [t.badge.code for t in TAGS(cliente=her.id, now=now - timedelta(days=2))] == ["a", "b"]


def test_variants_compile_their_own_shape(db):
    by_ids = Prepared(lambda ids, excluded: Badge.select().where(Badge.id.in_(list(ids) or [0]))
                      .where(Badge.id != excluded).order_by(Badge.id), excluded=Badge.id)
    a, b = _badge("a"), _badge("b")
    assert [x.code for x in by_ids((a.id,), excluded=-1)] == ["a"]
    assert [x.code for x in by_ids((a.id, b.id), excluded=a.id)] == ["b"]
    assert [x.code for x in by_ids((a.id, b.id), excluded=-1)] == ["a", "b"]


def test_a_parameter_gets_its_value_everywhere_it_appears_and_must_appear(db):
    her, other = make_user(), make_user()
    now = clock.now()
    a = _badge("a")
    mine = ClienteTag.create(cliente=her, badge=a, valid_until=now + timedelta(days=1), created_on=now)
    ClienteTag.create(cliente=other, badge=a, valid_until=now + timedelta(days=1), created_on=now)
    twice = Prepared(lambda _v, cliente: ClienteTag.select().where(
        (ClienteTag.cliente == cliente) & (ClienteTag.cliente.in_([cliente]))), cliente=ClienteTag.cliente)
    assert [t.id for t in twice(cliente=her.id)] == [mine.id]
    assert twice(cliente=-1) == []
    absent = Prepared(lambda _v, cliente: ClienteTag.select(), cliente=ClienteTag.cliente)
    with pytest.raises(ValueError, match="does not appear"):
        absent(cliente=1)


def test_execute_prepared_prepares_once_per_connection_and_survives_a_rollback(db):
    from penhas_api.core.db import execute_prepared, is_postgres
    from tests.query_counter import count_queries

    sql = "SELECT %s + 1, %s" if is_postgres() else "SELECT ? + 1, ?"
    sent = []
    real = db.obj.execute_sql

    def spy(text, params=None, *args, **kwargs):
        sent.append(text)
        return real(text, params, *args, **kwargs)

    db.obj.execute_sql = spy
    try:
        assert execute_prepared(sql, (1, "a")).fetchone() == (2, "a")
        with db.atomic() as txn:
            assert execute_prepared(sql, (41, "b")).fetchone() == (42, "b")
            txn.rollback()
        assert execute_prepared(sql, (9, "c")).fetchone() == (10, "c")
    finally:
        del db.obj.execute_sql
    prepares = [s for s in sent if s.startswith("PREPARE")]
    assert len(prepares) == (1 if is_postgres() else 0)
    assert len(sent) == 3 + len(prepares)
    # A new connection (another worker thread, the pool's fresh one) has none of them: it prepares again.
    db.close()
    db.connect()
    with count_queries() as queries:
        assert execute_prepared(sql, (0, "d")).fetchone() == (1, "d")
    assert queries["n"] == 1


def test_execute_prepared_refuses_a_literal_percent(db):
    from penhas_api.core.db import _pg_form

    with pytest.raises(ValueError):
        _pg_form("SELECT 'a' LIKE 'a%%' AND 1 = %s")
