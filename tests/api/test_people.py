"""People: GET /search-users, GET /profile, POST /report-profile, POST /block-profile (contract §2.8)."""
from datetime import timedelta

import pytest

from penhas_api.core import clock
from penhas_api.core.models import Badge, ClienteSkill, ClienteTag, ProfileReport, Skill, TimelineBlock
from penhas_api.core.services import people
from tests.api.test_app_contract import assert_shape, golden
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error
from tests.query_counter import count_queries


@pytest.fixture
def chat_served(monkeypatch):
    """People search lives in the chat tab: serve chat_privado as it will be once chat lands."""
    from penhas_api.core.services import modules

    monkeypatch.setattr(modules, "SERVED_MODULES", modules.SERVED_MODULES | {"chat_privado"})


def active(minutes_ago=0, **kw):
    return make_user(last_activity_at=clock.now() - timedelta(minutes=minutes_ago), **kw)


def badge(code="circulo-penhas", city=None):
    return Badge.create(code=code, name=f"Badge {code}", description="d", image_url="https://x/i.png",
                        image_url_black="https://x/b.png", linked_cep_cidade=city, created_on=clock.now())


def grant(user, b, days=30):
    ClienteTag.create(cliente=user, badge=b, valid_until=clock.now() + timedelta(days=days), created_on=clock.now())


@pytest.mark.parametrize("delta,label", [
    (timedelta(minutes=4, seconds=59), "online"), (timedelta(minutes=5), "há pouco tempo"),
    (timedelta(hours=23), "há pouco tempo"), (timedelta(days=1), "há poucos dias"), (timedelta(days=3, hours=23),
                                                                                    "há poucos dias"),
    (timedelta(days=4), "há alguns dias"), (timedelta(days=7, hours=23), "há alguns dias"),
    (timedelta(days=8), "há algumas semanas"), (timedelta(days=14, hours=23), "há algumas semanas"),
    (timedelta(days=15), "há muito tempo"),
])
def test_activity_labels(frozen_clock, delta, label):
    assert people.activity_label(frozen_clock.now - delta) == label


def test_activity_label_without_activity():
    assert people.activity_label(None) == "há muito tempo"


def test_search_lists_active_visible_women_by_recent_activity(client, app, chat_served, frozen_clock):
    me = active()
    old = active(minutes_ago=60 * 24 * 5, apelido="Julia")
    recent = active(minutes_ago=1, apelido="Maria")
    active(apelido="Anon", modo_anonimo_ativo=True)
    active(apelido="Joao", genero="Masculino")
    active(apelido="Gone", status="deleted_scheduled")
    make_user(apelido="NeverUsed")  # no activity yet
    r = client.get("/search-users", headers=auth_headers(app, me), query_string={"rows": "100"})
    body = r.get_json()
    assert r.status_code == 200, body
    assert [row["cliente_id"] for row in body["rows"]] == [recent.id, old.id]
    assert [row["activity"] for row in body["rows"]] == ["online", "há alguns dias"]
    assert body["has_more"] == 0 and body["next_page"] is None
    assert_shape("users/users_search.json", r, skip=("$.next_page",))


def test_search_matches_apelido_prefix_never_the_legal_name(client, app, chat_served):
    me = active()
    rosa = active(apelido="Rosa Flor", nome_completo="Beatriz Souza")
    active(apelido="Marina", nome_completo="Rosangela Lima")
    headers = auth_headers(app, me)
    found = client.get("/search-users", headers=headers, query_string={"name": "rOsA f"}).get_json()["rows"]
    assert [row["cliente_id"] for row in found] == [rosa.id]
    assert client.get("/search-users", headers=headers, query_string={"name": "Beatriz"}).get_json()["rows"] == []
    assert client.get("/search-users", headers=headers, query_string={"name": "%%"}).get_json()["rows"] == []
    assert client.get("/search-users", headers=headers, query_string={"name": "_o"}).get_json()["rows"] == []
    assert_error(client.get("/search-users", headers=headers, query_string={"name": "R"}), 400, "form_error",
                 "name", "invalid_min_length")


def test_search_skills_filter_is_or_and_lists_the_matching_names(client, app, chat_served):
    # Seeded skills (fixtures/101_skills.json): seed tables are not wiped between tests.
    s1, s2, s3 = (Skill.get(Skill.skill == name) for name in ["Psicologia", "Escuta acolhedora", "Apoio em grupo"])
    me = active()
    a = active(minutes_ago=1)
    b = active(minutes_ago=2)
    c = active(minutes_ago=3)
    for user, skills in ((a, [s1, s2, s3]), (b, [s3]), (c, [s2])):
        for s in skills:
            ClienteSkill.create(cliente=user, skill=s)
    headers = auth_headers(app, me)
    rows = client.get("/search-users", headers=headers,
                      query_string={"skills": f"{s1.id},{s2.id}"}).get_json()["rows"]
    assert [(r["cliente_id"], r["skills"]) for r in rows] == [(a.id, "Escuta acolhedora, Psicologia"),
                                                             (c.id, "Escuta acolhedora")]
    rows = client.get("/search-users", headers=headers).get_json()["rows"]
    assert rows[0]["skills"] == "Apoio em grupo, Escuta acolhedora, Psicologia" and rows[2]["skills"] == "Escuta acolhedora"


def test_search_pages_with_a_token_bound_to_her(client, app, chat_served):
    me = active()
    users = [active(minutes_ago=i + 1) for i in range(12)]
    headers = auth_headers(app, me)
    first = client.get("/search-users", headers=headers, query_string={"rows": "10"}).get_json()
    assert first["has_more"] == 1 and len(first["rows"]) == 10
    second = client.get("/search-users", headers=headers, query_string={"next_page": first["next_page"]}).get_json()
    assert [r["cliente_id"] for r in first["rows"] + second["rows"]] == [u.id for u in users]
    assert second["has_more"] == 0 and second["next_page"] is None
    # Out-of-range rows fall back to 10.
    assert len(client.get("/search-users", headers=headers, query_string={"rows": "5"}).get_json()["rows"]) == 10
    other = auth_headers(app, active())
    assert_error(client.get("/search-users", headers=other, query_string={"next_page": first["next_page"]}),
                 400, "form_error", "next_page")
    assert_error(client.get("/search-users", headers=headers, query_string={"next_page": "forged"}),
                 400, "form_error", "next_page")


def test_search_hides_blocks_in_both_directions(client, app, chat_served):
    me, blocked, blocker, free = active(), active(minutes_ago=1), active(minutes_ago=2), active(minutes_ago=3)
    people.block_profile(me, blocked.id)
    people.block_profile(blocker, me.id)
    rows = client.get("/search-users", headers=auth_headers(app, me)).get_json()["rows"]
    assert [r["cliente_id"] for r in rows] == [free.id]


def test_search_and_profile_need_the_chat_module(client, app, monkeypatch):
    """Without chat_privado served, nobody gets it in GET /me, and the people endpoints follow the same rule."""
    from penhas_api.core.services import modules

    monkeypatch.setattr(modules, "SERVED_MODULES", modules.SERVED_MODULES - {"chat_privado"})
    me = active()
    headers = auth_headers(app, me)
    codes = [m["code"] for m in client.get("/me", headers=headers).get_json()["modules"]]
    assert "chat_privado" not in codes
    body = assert_error(client.get("/search-users", headers=headers), 400, "form_error")
    assert body["message"] == "Seu perfil não tem permissão para utilizar este recurso."
    assert_error(client.get("/profile", headers=headers, query_string={"cliente_id": me.id}), 400, "form_error")


def test_men_cannot_search_or_see_profiles(client, app, chat_served):
    man = active(genero="Masculino")
    woman = active()
    headers = auth_headers(app, man)
    assert_error(client.get("/search-users", headers=headers), 400, "form_error")
    assert_error(client.get("/profile", headers=headers, query_string={"cliente_id": woman.id}), 400, "form_error")


def test_the_module_is_checked_before_the_parameters(client, app, chat_served):
    headers = auth_headers(app, active(genero="Masculino"))
    for r in (client.get("/profile", headers=headers), client.get("/search-users?rows=x", headers=headers)):
        body = assert_error(r, 400, "form_error")
        assert "field" not in body and body["message"] == "Seu perfil não tem permissão para utilizar este recurso."


def test_profile(client, app, chat_served):
    skill = Skill.get(Skill.skill == "Escuta acolhedora")
    me = active()
    her = active(apelido="Leticia")
    ClienteSkill.create(cliente=her, skill=skill)
    grant(her, badge())
    headers = auth_headers(app, me)
    r = client.get("/profile", headers=headers, query_string={"cliente_id": her.id})
    assert_shape("users/users_detail.json", r)
    p = r.get_json()["profile"]
    assert r.get_json()["is_myself"] == 0
    assert p["minibio"] == "" and p["skills"] == "Escuta acolhedora" and p["apelido"] == "Leticia"
    assert [b["code"] for b in p["badges"]] == ["circulo-penhas"]
    assert "nome_completo" not in p and "email" not in p and her.nome_completo not in r.get_data(as_text=True)
    mine = client.get("/profile", headers=headers, query_string={"cliente_id": me.id}).get_json()
    assert mine["is_myself"] == 1


@pytest.mark.parametrize("overrides", [{"modo_anonimo_ativo": True}, {"status": "deleted_scheduled"},
                                       {"genero": "Masculino"}])
def test_profile_of_hidden_accounts_is_not_found(client, app, chat_served, overrides):
    me = active()
    target = active(**overrides)
    r = client.get("/profile", headers=auth_headers(app, me), query_string={"cliente_id": target.id})
    assert r.status_code == 404 and r.get_json() == golden("users/users_detail_cliente_id_invalid.json")
    r = client.get("/profile", headers=auth_headers(app, me), query_string={"cliente_id": "999999999"})
    assert r.status_code == 404 and r.get_json() == golden("users/users_detail_cliente_id_invalid.json")


def test_profile_of_someone_who_blocked_her_is_not_found(client, app, chat_served):
    me, her = active(), active()
    people.block_profile(her, me.id)
    r = client.get("/profile", headers=auth_headers(app, me), query_string={"cliente_id": her.id})
    assert r.status_code == 404


def test_report_profile(client, app):
    me, her = active(), active()
    headers = auth_headers(app, me)
    r = client.post("/report-profile", headers=headers, query_string={"cliente_id": her.id, "reason": "ofensiva"})
    assert r.status_code == 200 and r.get_json() == {"message": "Sua denúncia foi recebida com sucesso."}
    report = ProfileReport.get()
    assert (report.cliente_id, report.reported_id, report.reason) == (me.id, her.id, "ofensiva")
    gold = golden("users/users_report_cliente_id_not_found.json")
    for target in ("999999999", str(me.id)):
        body = assert_error(client.post("/report-profile", headers=headers,
                                        query_string={"cliente_id": target, "reason": "x"}),
                            400, "cliente_id_not_found")
        # The app's fixture spells the key "error " (sic); the message is what the app shows.
        assert body["message"] == gold["message"] and gold["error "] == body["error"]
    assert_error(client.post("/report-profile", headers=headers, query_string={"cliente_id": her.id}),
                 400, "form_error", "reason", "is_required")
    assert_error(client.post("/report-profile", headers=headers,
                             query_string={"cliente_id": her.id, "reason": "x" * 201}),
                 400, "form_error", "reason", "invalid_max_length")


def test_block_profile(client, app):
    me, her = active(), active()
    headers = auth_headers(app, me)
    for _ in range(2):  # idempotent
        r = client.post("/block-profile", headers=headers, query_string={"cliente_id": her.id})
        assert r.status_code == 200 and r.get_json() == {"message": "A usuária foi bloqueada com sucesso."}
    assert people.timeline_blocked_ids(me.id) == {her.id}
    assert people.timeline_blocked_ids(her.id) == set()
    r = client.post("/block-profile", headers=headers, query_string={"cliente_id": me.id})
    assert r.status_code == 400 and r.get_json() == golden("users/users_block_cliente_id_invalid.json")
    assert_error(client.post("/block-profile", headers=headers, query_string={"cliente_id": "999999999"}),
                 400, "cliente_id_not_found")
    assert_error(client.post("/block-profile", headers=headers, query_string={"cliente_id": "abc"}),
                 400, "form_error", "cliente_id", "invalid")
    r = client.post("/block-profile", headers=headers, query_string={"cliente_id": her.id, "remove": "1"})
    assert r.get_json() == {"message": "A usuária foi desbloqueada com sucesso."}
    assert people.timeline_blocked_ids(me.id) == set() and TimelineBlock.select().count() == 0


def test_search_empty_matches_fixture(client, app, chat_served):
    assert_shape("users/users_search_empty.json", client.get("/search-users", headers=auth_headers(app, active())))


# ------------------------------------------------------------------------------------------------------- badges

def test_badges_for_dedupes_hides_anonymous_and_skips_expired(db):
    a, anon, none = make_user(), make_user(modo_anonimo_ativo=True), make_user()
    b1 = badge("circulo-penhas")
    grant(a, b1)
    grant(a, b1)  # renewed: shown once
    expired = badge("old")
    ClienteTag.create(cliente=a, badge=expired, valid_until=clock.now() - timedelta(days=1), created_on=clock.now())
    grant(anon, b1)
    out = people.badges_for([a.id, anon.id, none.id])
    assert [b["code"] for b in out[a.id]] == ["circulo-penhas"]
    assert out[a.id][0] == {"code": "circulo-penhas", "name": "Badge circulo-penhas", "description": "d",
                            "image_url": "https://x/i.png", "image_url_black": "https://x/b.png", "popup": 1,
                            "show_description": 1, "style": "inline"}
    assert out[anon.id] == [] and out[none.id] == []


def test_geo_city_badge_rules(db):
    sp = badge("circulo-sp", city="São Paulo")
    author = make_user(cep_cidade="São Paulo")
    grant(author, sp)
    neighbour = make_user(cep_cidade="São Paulo")
    far = make_user(cep_cidade="Recife")
    # (a) the author holds her city's badge and the viewer lives there.
    geo = people.badges_for([author.id], neighbour, context="tweet")[author.id][-1]
    assert geo["code"] == "GEO:CITY" and geo["description"] == "Colaborada da cidade São Paulo"
    assert (geo["popup"], geo["show_description"], geo["style"]) == (0, 0, "inline-block")
    geo = people.badges_for([author.id], neighbour)[author.id][-1]
    assert (geo["popup"], geo["style"]) == (1, "inline")
    assert [b["code"] for b in people.badges_for([author.id], far)[author.id]] == ["circulo-sp"]
    # Never on her own card.
    assert [b["code"] for b in people.badges_for([author.id], author)[author.id]] == ["circulo-sp"]
    # (b) the viewer holds a badge of the author's city and has no city (or the same one).
    plain = make_user(cep_cidade="São Paulo")
    holder_no_city = make_user(cep_cidade=None)
    grant(holder_no_city, sp)
    geo = people.badges_for([plain.id], holder_no_city)[plain.id]
    assert [(b["code"], b["description"]) for b in geo] == [("GEO:CITY", "Usuária da sua região")]
    holder_elsewhere = make_user(cep_cidade="Recife")
    grant(holder_elsewhere, sp)
    assert people.badges_for([plain.id], holder_elsewhere)[plain.id] == []
    anon = make_user(cep_cidade="São Paulo", modo_anonimo_ativo=True)
    assert people.badges_for([anon.id], holder_no_city)[anon.id] == []


def test_badges_for_costs_a_constant_number_of_queries(db):
    viewer = make_user(cep_cidade="São Paulo")
    few = [make_user(cep_cidade="São Paulo") for _ in range(2)]
    many = few + [make_user(cep_cidade="São Paulo") for _ in range(20)]
    b = badge("circulo-sp", city="São Paulo")
    for user in many:
        grant(user, b)
    with count_queries() as small:
        people.badges_for([u.id for u in few], viewer)
    with count_queries() as large:
        out = people.badges_for([u.id for u in many], viewer)
    assert small["n"] == large["n"] <= 2
    assert all(len(v) == 2 for v in out.values())
