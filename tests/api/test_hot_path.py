"""The hot path's shortcuts stay exact: the unread badge counter and the cached full center list (issue 17)."""
from flask import Flask

from penhas_api.core.db import database
from penhas_api.core.models import Center, CenterCategory, CenterProjectLink, NotificationLog, NotificationMessage
from penhas_api.core.services import broadcasts, center_search
from penhas_api.core.services.notifications import notify_users
from tests.center_factories import make_center
from tests.factories import auth_headers, make_user
from tests.quiz_factories import make_questionnaire  # noqa: F401

FULL = "/me/pontos-de-apoio?projeto=Penhas&full_list=1&latitude=-23.52901&longitude=-46.6504"


def _counted(cliente_id: int) -> int:
    """The definition the counter must equal: her log rows after her read marker."""
    return database.execute_sql(
        "SELECT COUNT(*) FROM notification_log WHERE cliente_id = {p} AND id > COALESCE("
        "(SELECT read_until_id FROM clientes_app_notifications WHERE cliente_id = {p}), 0)"
        .format(p=database.param), (cliente_id, cliente_id)).fetchone()[0]


def _badge(client, headers) -> int:
    return client.get("/me/unread-notif-count", headers=headers).get_json()["count"]


def test_unread_counter_follows_create_read_broadcast_and_deletion(client, app):
    her, other = make_user(), make_user()
    headers = auth_headers(app, her)
    notify_users([her.id, other.id], "Um", "1")
    notify_users([her.id], "Dois", "2")
    assert _badge(client, headers) == 2 == _counted(her.id)

    client.get("/me/notifications", headers=headers)  # the first page marks everything read
    assert _badge(client, headers) == 0 == _counted(her.id)
    assert _badge(client, auth_headers(app, other)) == 1 == _counted(other.id)

    sent = broadcasts.send("Aviso geral", "Para todas", actor="ana.ops", segment="active")
    notify_users([her.id], "Três", "3")
    assert sent.count == 2 and _badge(client, headers) == 2 == _counted(her.id)
    assert _counted(other.id) == 2

    # Deleting a broadcast takes it off every badge; a deleted message's rows (cascade) too.
    broadcasts.delete(sent.message.id, actor="ana.ops")
    assert _badge(client, headers) == 1 == _counted(her.id)
    NotificationMessage.delete().where(NotificationMessage.title == "Três").execute()
    assert _badge(client, headers) == 0 == _counted(her.id)
    # Deleting rows she had already read leaves the badge alone.
    NotificationLog.delete().where(NotificationLog.cliente == her.id).execute()
    assert _badge(client, headers) == 0 == _counted(her.id) and _counted(other.id) == 1


def _uncached_body(app: Flask, user, query: str) -> bytes:
    """What the pre-cache path (search_centers + list_rows) renders for the same request."""
    from penhas_api.views.centers import SEARCH_FIELDS, _list_response
    from penhas_api.params import validate

    with app.test_request_context(query, headers=auth_headers(app, user)):
        form = validate(SEARCH_FIELDS)
        q = center_search.build_search(form)
        q.latitude, q.longitude = float(form["latitude"]), float(form["longitude"])
        q.cache = None
        return app.json.response(_list_response(q, user.id, with_rating=True)).get_data()


def test_full_list_bytes_equal_the_uncached_rendering(client, app):
    user = make_user()
    a = make_center(-23.557338, -46.625331, nome="1ª Delegacia \"Defesa\" da Mulher")
    make_center(-23.60, -46.70, abrangencia="Nacional", nome="Central 180")
    make_center(-22.9, -43.2, abrangencia="Regional", cod_ibge=3304557)
    make_center(-23.60, -46.70, projects=(2,))
    headers = auth_headers(app, user)
    client.post("/me/avaliar-pontos-de-apoio", headers=headers, data={"ponto_apoio_id": a.id, "rating": 4})
    for _ in range(2):  # the first request builds the cache, the second is served from it
        r = client.get(FULL, headers=headers)
        assert r.status_code == 200 and r.mimetype == "application/json"
        assert r.get_data() == _uncached_body(app, user, FULL)
    rows = r.get_json()["rows"]
    assert [row["cliente_avaliacao"] for row in rows] == [4, None, None]
    nacional = next(row for row in rows if row["distancia"] == "Nacional - 0 ")
    assert (nacional["latitude"], nacional["longitude"]) == ("-23.52901", "-46.6504")
    # Another woman sees the same centers with her own ratings.
    assert [row["cliente_avaliacao"] for row in
            client.get(FULL, headers=auth_headers(app, make_user())).get_json()["rows"]] == [None, None, None]


def test_full_list_cache_follows_every_center_change(client, app):
    headers = auth_headers(app, make_user())

    def listed():
        return {row["id"]: row for row in client.get(FULL, headers=headers).get_json()["rows"]}

    a = make_center()
    assert set(listed()) == {a.id}
    b = make_center(-23.56, -46.64)  # an import or an approved suggestion inserts
    assert set(listed()) == {a.id, b.id}
    Center.update(nome="Renomeado").where(Center.id == a.id).execute()  # a CLI edit, a geocode
    assert listed()[a.id]["nome"] == "Renomeado"
    client.post("/me/avaliar-pontos-de-apoio", headers=auth_headers(app, make_user()),
                data={"ponto_apoio_id": b.id, "rating": 5})  # the average shown changes
    assert listed()[b.id]["avaliacao"] == "5,0"
    color = CenterCategory.get_by_id(5).color
    try:
        CenterCategory.update(color="#000000").where(CenterCategory.id == 5).execute()
        assert listed()[a.id]["categoria"]["cor"] == "#000000"
    finally:  # categories are seeds, kept between tests
        CenterCategory.update(color=color).where(CenterCategory.id == 5).execute()
    CenterProjectLink.delete().where(CenterProjectLink.center == b.id).execute()
    assert set(listed()) == {a.id}
    Center.update(status="disabled").where(Center.id == a.id).execute()
    assert listed() == {}


def test_activity_is_written_at_most_every_five_minutes(client, app, frozen_clock):
    from penhas_api.core.models import Cliente

    user = make_user()
    headers = auth_headers(app, user)
    client.get("/me/unread-notif-count", headers=headers)
    first = Cliente.get_by_id(user.id).last_activity_at
    assert first == frozen_clock.now
    for _ in range(4):  # polls every minute write nothing
        frozen_clock.advance(minutes=1)
        client.get("/me/unread-notif-count", headers=headers)
        assert Cliente.get_by_id(user.id).last_activity_at == first
    frozen_clock.advance(minutes=1, seconds=1)
    client.get("/me/unread-notif-count", headers=headers)
    assert Cliente.get_by_id(user.id).last_activity_at == frozen_clock.now


def test_no_request_pays_for_the_limiter_middleware_or_a_cookie_session(app, client, rate_limits):
    from penhas_api.limits import limiter

    hooks = app.before_request_funcs[None] + app.after_request_funcs[None]
    assert not [f for f in hooks if getattr(f, "__self__", None) is limiter or getattr(f, "args", ()) == (limiter,)]
    r = client.get("/health")
    assert "Set-Cookie" not in r.headers and "Vary" not in r.headers
    # The decorated limits still hold without the middleware pass: 5 requests an hour per IP.
    answers = [client.post("/reset-password/request-new?email=nobody@example.com&app_version=t").status_code
               for _ in range(6)]
    assert answers[-1] == 429 and 429 not in answers[:5]


def _finish_every_questionnaire(user):
    from penhas_api.core import clock
    from penhas_api.core.models import Questionnaire, QuizSession

    now = clock.now()
    for questionnaire in Questionnaire.select():
        QuizSession.create(cliente=user, questionnaire=questionnaire, created_at=now, finished_at=now)


def test_get_me_after_onboarding_is_the_session_query_alone_and_never_stale(client, app, make_questionnaire):
    from datetime import timedelta

    from penhas_api.core import clock
    from penhas_api.core.models import Badge, ClienteTag
    from tests.query_counter import count_queries

    her = make_user()
    headers = auth_headers(app, her)
    assert "quiz_session" in client.get("/me", headers=headers).get_json()  # the onboarding is waiting
    _finish_every_questionnaire(her)
    with count_queries() as queries:
        body = client.get("/me", headers=headers).get_json()
    assert queries["n"] == 1, queries["sql"]
    assert "quiz_session" not in body and body["user_profile"]["badges"] == []
    assert {m["code"] for m in body["modules"]} >= {"tweets", "modo_seguranca"}

    now = clock.now()
    badge = Badge.create(code="hot-path", name="Selo", description="d", image_url="https://x/i.svg",
                         image_url_black="https://x/b.svg", created_on=now)
    tag = ClienteTag.create(cliente=her, badge=badge, valid_until=now + timedelta(days=1), created_on=now)
    with count_queries() as queries:
        badges = client.get("/me", headers=headers).get_json()["user_profile"]["badges"]
    assert [b["code"] for b in badges] == ["hot-path"] and queries["n"] == 2
    ClienteTag.update(valid_until=now - timedelta(seconds=1)).where(ClienteTag.id == tag.id).execute()
    with count_queries() as queries:
        assert client.get("/me", headers=headers).get_json()["user_profile"]["badges"] == []
    assert queries["n"] == 1

    # A questionnaire published after her onboarding is shown by her very next GET /me.
    make_questionnaire([dict(type="yesno", code="Q1", question="Tudo bem?")])
    body = client.get("/me", headers=headers).get_json()
    assert body["quiz_session"]["current_msgs"] and body["modules"] == [{"code": "quiz", "meta": {}}]
