"""The anonymous questionnaire API (backend-rules §9.9; the original's 058-anon-quiz scenario), with sessions only
their creator can address (an unguessable token instead of a sequential id)."""
import json

import pytest

from penhas_api.core.models import AnonymousQuizSession
from penhas_api.core.settings import reset_settings
from tests.center_factories import make_center
from tests.fakes.geo import geo  # noqa: F401
from tests.helpers import assert_error
from tests.quiz_factories import make_questionnaire  # noqa: F401
from tests.quiz_helpers import the_input

SECRET = "anon-secret-for-tests"


@pytest.fixture
def anon(make_questionnaire, monkeypatch):
    monkeypatch.setenv("ANON_QUIZ_SECRET", SECRET)
    reset_settings(None)
    q = make_questionnaire([
        dict(type="onlychoice", code="chooseone", question="choose one",
             options=[{"label": "a", "value": "a"}, {"label": "b", "value": "b"}]),
        dict(type="cep_address_lookup", code="cep_01", question="digite seu cep"),
        dict(type="displaytext", code="ola", question="olá"),
        dict(type="botao_fim", code="botao_fim", question="tchau", button_label="Finalizar"),
    ], penhas_cliente_required=False, penhas_start_automatically=False, name="anon-test")
    yield q
    reset_settings(None)


def _new(client, q, **extra):
    r = client.post("/anon-questionnaires/new", query_string={"token": SECRET, "questionnaire_id": q.id,
                                                              "remote_id": "tw-123", **extra})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["quiz_session"]


def _process(client, sid, **answer):
    r = client.post("/anon-questionnaires/process", query_string={"token": SECRET, "session_id": sid, **answer})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["quiz_session"]


def test_token_is_required_and_checked(client, anon):
    assert_error(client.get("/anon-questionnaires"), 400, "form_error", "token", "is_required")
    assert_error(client.get("/anon-questionnaires", query_string={"token": "wrong"}), 400, "token_invalid", "token")
    assert client.get("/anon-questionnaires/config", query_string={"token": SECRET}).get_json() == {}


def test_list_and_create(client, anon):
    listed = client.get("/anon-questionnaires", query_string={"token": SECRET}).get_json()["questionnaires"]
    assert [q["name"] for q in listed] == ["anon-test"]
    assert listed[0]["penhas_cliente_required"] == 0 and listed[0]["penhas_start_automatically"] == 0
    assert_error(client.post("/anon-questionnaires/new", query_string={
        "token": SECRET, "questionnaire_id": 12, "remote_id": "x"}), 400, "questionnaire_id_not_found")
    assert_error(client.post("/anon-questionnaires/new", query_string={
        "token": SECRET, "questionnaire_id": anon.id, "remote_id": "x", "init_responses": "[1]"}), 400, "json_invalid",
        "init_stash")
    qs = _new(client, anon, init_responses=json.dumps({"origem": "twitter"}))
    assert len(qs["session_id"]) >= 32 and not qs["session_id"].isdigit()
    assert AnonymousQuizSession.get(AnonymousQuizSession.token == qs["session_id"]).responses["origem"] == "twitter"
    oc = the_input(qs["current_msgs"])
    assert oc["code"] == "chooseone" and oc["options"][0]["code_value"] == "a"
    history = client.get("/anon-questionnaires/history", query_string={"token": SECRET, "session_id": qs["session_id"]})
    assert history.get_json()["quiz_session"] == qs
    for unknown in ("0", "1", "x" * 40):
        assert_error(client.get("/anon-questionnaires/history", query_string={"token": SECRET, "session_id": unknown}),
                     400, "session_id_invalid", "session_id")


def test_cep_lookup_and_finish(client, anon, geo):
    make_center(nome="ana rosa", latitude=-23.5812, longitude=-46.6383, ddd=11, telefone1=33334444)
    make_center(nome="longe", latitude=-22.0, longitude=-43.0)
    qs = _new(client, anon)
    sid = qs["session_id"]
    qs = _process(client, sid, **{the_input(qs["current_msgs"])["ref"]: "1"})
    cep = the_input(qs["current_msgs"])
    assert cep["type"] == "text" and cep["ref"].startswith("CEP") and cep["content"] == "digite seu cep"
    for value, start in (("0", "Não encontrei dígitos suficiente"), ("abc", "Não encontrei os dígitos"),
                         ("03610-0200", "Encontrei dígitos demais"), ("99999-999", "Não encontrei a rua do CEP 99999-999")):
        bad = _process(client, sid, **{cep["ref"]: value})
        assert bad["current_msgs"][0]["style"] == "error" and bad["current_msgs"][0]["content"].startswith(start)
    qs = _process(client, sid, **{cep["ref"]: "01310-100"})
    texts = [m["content"] for m in qs["current_msgs"]]
    assert texts[0] == "Este são os resultados que encontrei para Avenida Paulista, Bela Vista, São Paulo - SP, " \
                       "01310-100, Brasil"
    assert texts[1].startswith("ana rosa ") and "telefone +551133334444" in texts[1]
    assert not any(t.startswith("longe") for t in texts) and "olá" in texts
    done = _process(client, sid, **{the_input(qs["current_msgs"])["ref"]: "1"})
    assert done["finished"] == 1
    assert client.get("/anon-questionnaires/history", query_string={"token": SECRET, "session_id": sid}).status_code \
        == 200
    responses = AnonymousQuizSession.get(AnonymousQuizSession.token == sid).responses
    assert responses["cep_01"] == "01310100" and responses["chooseone"] == "b"
