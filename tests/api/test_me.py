"""GET/PUT /me, modes, counters, preferences, skills (mobile-contract §2.2, §2.5; backend-rules §2.3, §2.5)."""
from datetime import datetime, timedelta

import pytest

from penhas_api.core import clock
from penhas_api.core.models import Badge, Cliente, ClientePreference, ClienteSession, ClienteSkill, ClienteTag
from penhas_api.core.passwords import verify_password
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.helpers import assert_error

UA = "iOS 17.2/iPhone/3.7.4"


@pytest.fixture
def woman(app):
    user = make_user(apelido="Rosa", nome_social="")
    return user, auth_headers(app, user)


def test_get_me_payload_for_a_woman(client, woman):
    user, headers = woman
    # The app sends GET /me with a JSON content type and an empty body, and a trailing "?".
    r = client.get("/me?", headers={**headers, "Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200
    body = r.get_json()
    p = body["user_profile"]
    assert p["dt_nasc"] == "1990-01-01" and p["email"] == user.email and p["apelido"] == "Rosa"
    for flag in ("modo_camuflado_ativo", "modo_anonimo_ativo", "ja_foi_vitima_de_violencia"):
        assert p[flag] == 0
    assert p["skills"] == [] and p["badges"] == [] and p["avatar_url"].endswith("/avatar/padrao.svg")
    assert "quiz_session" not in body and "anonymous_avatar_url" not in body
    assert body["qtde_guardioes_ativos"] == 0
    modules = {m["code"]: m["meta"] for m in body["modules"]}
    assert set(modules) == {"tweets", "chat_privado", "chat_suporte", "pontos_de_apoio", "modo_seguranca", "noticias"}
    assert modules["modo_seguranca"] == {"numero": "190", "audio_each_duration": "901", "audio_full_duration": "901"}
    assert all(isinstance(v, str) for meta in modules.values() for v in meta.values())
    assert "senha_hash" not in r.get_data(as_text=True) and user.cpf_hash not in r.get_data(as_text=True)


def test_men_get_fewer_modules_and_no_preferences(client, app):
    user = make_user(genero="Masculino")
    headers = auth_headers(app, user)
    codes = [m["code"] for m in client.get("/me", headers=headers).get_json()["modules"]]
    assert sorted(codes) == ["chat_suporte", "noticias", "pontos_de_apoio"]
    assert client.get("/me/preferences", headers=headers).get_json() == {"preferences": []}


def test_badges_shown_unless_anonymous(client, woman):
    user, headers = woman
    now = clock.now()
    badge = Badge.create(code="circulo-penhas", name="Círculo PenhaS", description="Voluntária",
                         image_url="https://x/b.svg", image_url_black="https://x/bb.svg", created_on=now)
    expired = Badge.create(code="old", name="Old", description="d", image_url="u", image_url_black="u",
                           created_on=now)
    ClienteTag.create(cliente=user, badge=badge, valid_until=now + timedelta(days=365), created_on=now)
    ClienteTag.create(cliente=user, badge=expired, valid_until=now - timedelta(days=1), created_on=now)
    badges = client.get("/me", headers=headers).get_json()["user_profile"]["badges"]
    assert badges == [{"code": "circulo-penhas", "name": "Círculo PenhaS", "description": "Voluntária",
                       "image_url": "https://x/b.svg", "image_url_black": "https://x/bb.svg", "popup": 1,
                       "show_description": 1, "style": "inline"}]
    client.post("/me/modo-anonimo-toggle", headers=headers, query_string={"active": "1"})
    body = client.get("/me", headers=headers).get_json()
    assert body["user_profile"]["badges"] == [] and body["anonymous_avatar_url"].endswith("anonimo.svg")


def test_toggles_set_flags_independently(client, woman, frozen_clock):
    user, headers = woman
    for path, flag, stamp in (
            ("/me/modo-camuflado-toggle", "modo_camuflado_ativo", "modo_camuflado_atualizado_em"),
            ("/me/modo-anonimo-toggle", "modo_anonimo_ativo", "modo_anonimo_atualizado_em"),
            ("/me/ja-foi-vitima-de-violencia-toggle", "ja_foi_vitima_de_violencia",
             "ja_foi_vitima_de_violencia_atualizado_em")):
        r = client.post(path, headers=headers, query_string={"active": "1"})
        assert r.status_code == 200 and r.get_json() == {}
        fresh = Cliente.get_by_id(user.id)
        assert getattr(fresh, flag) is True and getattr(fresh, stamp) == frozen_clock.now
        assert client.get("/me", headers=headers).get_json()["user_profile"][flag] == 1
    client.post("/me/modo-anonimo-toggle", headers=headers, query_string={"active": "0"})
    fresh = Cliente.get_by_id(user.id)
    assert fresh.modo_anonimo_ativo is False and fresh.modo_camuflado_ativo is True
    assert_error(client.post("/me/modo-anonimo-toggle", headers=headers), 400, "form_error", "active", "is_required")
    assert_error(client.post("/me/modo-anonimo-toggle", headers=headers, query_string={"active": "10"}), 400,
                 "form_error", "active", "invalid_max_length")
    assert_error(client.post("/me/modo-anonimo-toggle", headers=headers, query_string={"active": "x"}), 400,
                 "form_error", "active", "invalid")


def test_inc_login_offline(client, woman):
    user, headers = woman
    assert client.post("/me/inc-login-offline", headers=headers, query_string={"inc_by": "3"}).get_json() == {}
    client.post("/me/inc-login-offline", headers=headers, query_string={"inc_by": "2"})
    assert Cliente.get_by_id(user.id).qtde_login_offline == 5
    assert_error(client.post("/me/inc-login-offline", headers=headers, query_string={"inc_by": "12345"}), 400,
                 "form_error", "inc_by", "invalid_max_length")
    assert_error(client.post("/me/inc-login-offline", headers=headers, query_string={"inc_by": "-3"}), 400,
                 "form_error", "inc_by", "invalid")


def put_me(client, headers, **params):
    return client.put("/me", headers=headers, query_string=params)


def test_put_me_simple_fields_and_empty_put(client, woman):
    user, headers = woman
    r = put_me(client, headers, apelido="Rosa 🌹 ção")
    assert r.status_code == 200 and r.get_json()["user_profile"]["apelido"] == "Rosa 🌹 ção"
    r = put_me(client, headers, minibio="Sou voluntária", raca="preto")
    assert r.get_json()["user_profile"]["minibio"] == "Sou voluntária"
    assert r.get_json()["user_profile"]["raca"] == "preto"
    r = put_me(client, headers)
    assert r.status_code == 200 and "modules" in r.get_json()
    assert_error(put_me(client, headers, raca="azul"), 400, "form_error", "raca", "invalid")
    assert_error(put_me(client, headers, apelido="a" * 41), 400, "form_error", "apelido", "invalid_max_length")
    assert_error(put_me(client, headers, minibio=""), 400, "form_error", "minibio", "is_required")


def test_put_me_email_and_password_need_current_password(client, app, woman):
    user, headers = woman
    other = make_user()
    assert_error(put_me(client, headers, email="nova@example.com"), 400, "form_error", "senha_atual", "is_required")
    assert_error(put_me(client, headers, senha="Nova#Senha1"), 400, "form_error", "senha_atual", "is_required")
    body = assert_error(put_me(client, headers, email="nova@example.com", senha_atual="Errada#123"), 400,
                        "form_error", "senha_atual", "invalid")
    assert body["message"] == "Senha atual não confere."
    body = assert_error(put_me(client, headers, email=other.email.upper(), senha_atual=DEFAULT_PASSWORD), 400,
                        "form_error", "email", "duplicate")
    assert body["message"] == "O e-mail já está em uso em outra conta"
    assert_error(put_me(client, headers, senha="1234578", senha_atual=DEFAULT_PASSWORD), 400, "pass_too_weak",
                 "senha")
    r = put_me(client, headers, email="Nova@Example.com", senha_atual=DEFAULT_PASSWORD)
    assert r.status_code == 200 and r.get_json()["user_profile"]["email"] == "nova@example.com"

    second_device = auth_headers(app, user)
    r = put_me(client, headers, senha="Nova#Senha1", senha_atual=DEFAULT_PASSWORD)
    assert r.status_code == 200
    assert verify_password("Nova#Senha1", Cliente.get_by_id(user.id).senha_hash)[0]
    # The device that changed the password stays in; every other session ends.
    assert client.get("/me", headers=headers).status_code == 200
    assert_error(client.get("/me", headers=second_device), 403, "jwt_logout")
    assert ClienteSession.select().where(ClienteSession.cliente == user).count() == 1


def test_skills_set_clear_and_validate(client, woman):
    user, headers = woman
    r = put_me(client, headers, skills="3,1,3")
    assert r.get_json()["user_profile"]["skills"] == [1, 3]
    assert sorted(s.skill_id for s in ClienteSkill.select().where(ClienteSkill.cliente == user)) == [1, 3]
    assert put_me(client, headers, skills="").get_json()["user_profile"]["skills"] == []
    put_me(client, headers, skills="2")
    assert put_me(client, headers, skills_remove="1").get_json()["user_profile"]["skills"] == []
    body = assert_error(put_me(client, headers, skills="12225"), 400, "form_error", "skills", "invalid")
    assert "12225" in body["message"]
    assert_error(put_me(client, headers, skills="1,a"), 400, "form_error", "skills", "invalid")


def test_filter_skills(client, app, woman):
    _, headers = woman
    body = client.get("/filter-skills", headers=headers).get_json()
    assert body["skills"][0] == {"id": 1, "skill": "Escuta acolhedora"}
    # Only a valid session is needed, whatever the account status.
    scheduled = make_user(status="deleted_scheduled")
    assert client.get("/filter-skills", headers=auth_headers(app, scheduled)).status_code == 200


def test_preferences_list_and_update(client, woman):
    user, headers = woman
    prefs = client.get("/me/preferences", headers=headers).get_json()["preferences"]
    keys = [p["key"] for p in prefs]
    assert keys == ["NOTIFY_CHAT_NEW_MESSAGES", "NOTIFY_LIKES_POSTS_CREATED", "NOTIFY_LIKES_POSTS_COMMENTED",
                    "NOTIFY_COMMENTS_POSTS_CREATED", "NOTIFY_COMMENTS_POSTS_COMMENTED"]
    assert all(p["value"] == "1" and p["type"] == "boolean" and p["label"] for p in prefs)
    assert ClientePreference.select().count() == 0
    r = client.post("/me/preferences", headers=headers,
                    query_string={"NOTIFY_CHAT_NEW_MESSAGES": "0", "NOTIFY_LIKES_POSTS_CREATED": "0", "FOO": "1",
                                  "POST_AS_PENHAS": "1"})
    assert r.status_code == 200
    values = {p["key"]: p["value"] for p in r.get_json()["preferences"]}
    assert values["NOTIFY_CHAT_NEW_MESSAGES"] == "0" and values["NOTIFY_LIKES_POSTS_CREATED"] == "0"
    assert "POST_AS_PENHAS" not in values
    assert ClientePreference.select().count() == 2
    client.post("/me/preferences", headers=headers,
                query_string={"NOTIFY_CHAT_NEW_MESSAGES": "1", "NOTIFY_COMMENTS_POSTS_CREATED": "0"})
    assert ClientePreference.select().count() == 3
    values = {p["key"]: p["value"] for p in client.get("/me/preferences", headers=headers).get_json()["preferences"]}
    assert values["NOTIFY_CHAT_NEW_MESSAGES"] == "1" and values["NOTIFY_COMMENTS_POSTS_CREATED"] == "0"
    assert_error(client.post("/me/preferences", headers=headers, query_string={"NOTIFY_CHAT_NEW_MESSAGES": "2"}),
                 400, "form_error", "NOTIFY_CHAT_NEW_MESSAGES", "invalid")
    assert_error(client.post("/me/preferences", headers=headers, query_string={"NOTIFY_CHAT_NEW_MESSAGES": ""}),
                 400, "form_error", "NOTIFY_CHAT_NEW_MESSAGES", "is_required")


def test_admin_and_badge_preferences(client, app):
    now = clock.now()
    admin = make_user(eh_admin=True, cep_cidade="Recife")
    Badge.create(code="local", name="Local", description="d", image_url="u", image_url_black="u",
                 linked_cep_cidade="Recife", created_on=now)
    keys = [p["key"] for p in client.get("/me/preferences", headers=auth_headers(app, admin)).get_json()["preferences"]]
    assert keys[0] == "POST_AS_PENHAS"
    assert "NOTIFY_POST_FROM_BADGE_HOLDER_IN_MY_CITY" in keys
    assert "NOTIFY_POST_FROM_BADGE_HOLDER_FOR_LINKED_CITY" not in keys


def test_me_routes_need_an_active_account(client, app):
    for status in ("deleted_scheduled", "banned"):
        headers = auth_headers(app, make_user(status=status))
        assert_error(client.get("/me", headers=headers), 404, "Page not found")
        assert_error(client.get("/me/preferences", headers=headers), 404, "Page not found")


def test_activity_is_tracked(client, woman, frozen_clock):
    user, headers = woman
    client.get("/me", headers=headers)
    assert Cliente.get_by_id(user.id).last_activity_at == frozen_clock.now
    frozen_clock(datetime(2027, 1, 1, 10, 0))
    client.get("/me/unread-notif-count", headers=headers)
    assert Cliente.get_by_id(user.id).last_activity_at == datetime(2027, 1, 1, 10, 0)


ROUTES = [("get", "/me"), ("put", "/me"), ("delete", "/me"), ("get", "/me/delete-text"),
          ("post", "/me/modo-camuflado-toggle"), ("post", "/me/modo-anonimo-toggle"),
          ("post", "/me/ja-foi-vitima-de-violencia-toggle"), ("post", "/me/inc-login-offline"),
          ("get", "/me/preferences"), ("post", "/me/preferences"), ("get", "/me/unread-notif-count"),
          ("get", "/me/notifications"), ("get", "/filter-skills"), ("post", "/logout"), ("post", "/reactivate")]


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_refuses_missing_and_garbage_tokens(client, method, path):
    call = getattr(client, method)
    assert_error(call(path), 401, "missing_jwt")
    assert_error(call(path, headers={"X-Api-Key": "not-a-token"}), 400, "expired_jwt")
    assert_error(call(path, query_string={"api_key": "eyJhbGciOiJIUzI1NiJ9.e30.x"}), 400, "expired_jwt")


@pytest.mark.parametrize("method,path,params,field,reason", [
    ("post", "/me/inc-login-offline", {}, "inc_by", "is_required"),
    ("post", "/me/inc-login-offline", {"inc_by": ""}, "inc_by", "is_required"),
    ("post", "/me/inc-login-offline", {"inc_by": "1.5"}, "inc_by", "invalid"),
    ("put", "/me", {"email": "x" * 201}, "email", "invalid_max_length"),
    ("put", "/me", {"skills_remove": "sim"}, "skills_remove", "invalid"),
    ("put", "/me", {"skills": "1," * 1001}, "skills", "invalid_max_length"),
    ("put", "/me", {"apelido": ""}, "apelido", "invalid_min_length"),
    ("delete", "/me", {"senha_atual": "x" * 201, "app_version": UA}, "senha_atual", "invalid_max_length"),
    ("delete", "/me", {"senha_atual": DEFAULT_PASSWORD}, "app_version", "is_required"),
    ("get", "/me/notifications", {"next_page": "x" * 10000}, "next_page", "invalid_max_length"),
    ("get", "/me/notifications", {"rows": ""}, "rows", "is_required"),
])
def test_bad_input_is_the_contract_400(client, woman, method, path, params, field, reason):
    _, headers = woman
    assert_error(getattr(client, method)(path, headers=headers, query_string=params), 400, "form_error", field, reason)
