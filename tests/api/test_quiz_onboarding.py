"""The onboarding questionnaire from the app's side: GET /me shows it, POST /me/quiz answers it to the end
(mobile-contract §2.2.1, §2.3; backend-rules §9.3–9.6)."""
from penhas_api.core.models import Cliente, QuizSession
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error


def _me(client, headers):
    r = client.get("/me", headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _answer(client, headers, session_id, **answer):
    r = client.post("/me/quiz", query_string={"session_id": session_id, **answer}, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["quiz_session"]


def _input(msgs):
    inputs = [m for m in msgs if m["type"] != "displaytext"]
    assert len(inputs) == 1, msgs
    return inputs[0]


def test_new_woman_gets_the_onboarding_quiz_and_only_the_quiz_module(client, app):
    user = make_user(apelido="Rosa")
    headers = auth_headers(app, user)
    body = _me(client, headers)
    assert body["modules"] == [{"code": "quiz", "meta": {}}]
    qs = body["quiz_session"]
    assert isinstance(qs["session_id"], int) and qs["prev_msgs"] == []
    assert qs["current_msgs"][0]["content"] == "Olá, Rosa! Eu sou a Assistente PenhaS."
    assert all("type" in m and not any(k.startswith("_") for k in m) for m in qs["current_msgs"])
    assert _input(qs["current_msgs"])["type"] == "yesno"
    # A second GET /me reuses the session.
    assert _me(client, headers)["quiz_session"]["session_id"] == qs["session_id"]
    assert QuizSession.select().count() == 1


def test_men_get_no_onboarding_quiz(client, app):
    user = make_user(genero="Masculino")
    body = _me(client, auth_headers(app, user))
    assert "quiz_session" not in body and {"code": "quiz", "meta": {}} not in body["modules"]


def test_walk_with_violence_detected_ends_on_the_escape_manual(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    sid = qs["session_id"]
    msg = _input(qs["current_msgs"])
    bad = _answer(client, headers, sid, **{msg["ref"]: "X"})
    assert bad["current_msgs"][0] == {"type": "displaytext", "style": "error", "content": f"Campo {msg['ref']} deve ser Y ou N"}
    assert bad["prev_msgs"] is None and bad["session_id"] == sid
    answers = ["Y", "N", "N", "N"]
    for value in answers:
        qs = _answer(client, headers, sid, **{msg["ref"]: value})
        msg = _input(qs["current_msgs"])
    # Risk texts, then the stealth-mode tutorial button.
    assert any("situação de violência" in m["content"] for m in qs["current_msgs"] if m["type"] == "displaytext")
    assert msg["action"] == "botao_tela_modo_camuflado" and msg["label"] == "Visualizar"
    qs = _answer(client, headers, sid, **{msg["ref"]: "1"})
    user = Cliente.get_by_id(user.id)
    assert user.modo_camuflado_ativo and user.modo_anonimo_ativo and user.quiz_detectou_violencia
    msg = _input(qs["current_msgs"])
    assert msg["type"] == "button" and msg["action"] == "none"
    history = _me(client, headers)["quiz_session"]["prev_msgs"]
    assert [m.get("display_response") for m in history if m.get("display_response")] == \
        ["Sim", "Não", "Não", "Não", "Visualizar"]
    done = _answer(client, headers, sid, **{msg["ref"]: "1"})
    assert done == {"session_id": sid, "finished": 1, "end_screen": "/mainboard?page=escapemanual"}
    body = _me(client, headers)
    assert "quiz_session" not in body and "mf" in [m["code"] for m in body["modules"]]
    assert Cliente.get_by_id(user.id).primeiro_quiz_detectou_violencia is True
    assert_error(client.post("/me/quiz", query_string={"session_id": sid, msg["ref"]: "1"}, headers=headers),
                 400, "session_not_match")


def test_walk_without_violence_ends_on_the_feed(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    sid = qs["session_id"]
    for _ in range(4):
        qs = _answer(client, headers, sid, **{_input(qs["current_msgs"])["ref"]: "N"})
    assert any("não identifiquei sinais de violência" in m["content"] for m in qs["current_msgs"])
    done = _answer(client, headers, sid, **{_input(qs["current_msgs"])["ref"]: "1"})
    assert done["end_screen"] == "/mainboard?page=feed"
    assert Cliente.get_by_id(user.id).modo_camuflado_ativo is False


def test_quiz_errors(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    assert_error(client.post("/me/quiz", headers=headers), 400, "form_error", "session_id")
    assert_error(client.post("/me/quiz", query_string={"session_id": "12x"}, headers=headers), 400, "form_error",
                 "session_id")
    assert_error(client.post("/me/quiz", query_string={"session_id": "999"}, headers=headers), 400, "quiz_not_active")
    other = make_user()
    sid = _me(client, auth_headers(app, other))["quiz_session"]["session_id"]
    # Her own session id only: another woman's session is "not active" for her.
    assert_error(client.post("/me/quiz", query_string={"session_id": sid, "x": "Y"}, headers=headers), 400,
                 "quiz_not_active")
    qs = _me(client, headers)["quiz_session"]
    r = _answer(client, headers, qs["session_id"], unrelated="1")
    assert r["current_msgs"][0]["style"] == "error" and "nao foi enviado" in r["current_msgs"][0]["content"]
    r = client.post("/me/quiz", query_string={"session_id": qs["session_id"], "a": "\x00"}, headers=headers)
    assert r.status_code == 400
