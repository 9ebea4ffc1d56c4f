"""Quiz and escape-manual responses against the app's golden fixtures (tests/fixtures/app/quiz, escape_manual,
profile). Session ids are ours (ints for numbered sessions, 'MF…' strings for the manual's assistant): the app
reads any type (`"${session_id ?? ''}"`), so their type is not compared."""
import re
from email.utils import parsedate_to_datetime

from penhas_api.core.models import MfClienteTarefa, MfTarefa
from penhas_api.core.services import mf_tasks
from penhas_api.core.services.escape_manual import user_tag
from tests.api.test_app_contract import golden, shape_problems
from tests.api.test_escape_manual import PATH, start, tarefas
from tests.factories import auth_headers, make_user
from tests.quiz_helpers import post, the_input, walk

# Messages are checked per type by check_messages (the generic list check compares every item with the first one);
# user_profile belongs to the profile tests.
SKIP = ("$.quiz_session.session_id", "$.modules", "$.analytics_props", "$.user_profile",
        "$.quiz_session.current_msgs", "$.quiz_session.prev_msgs")
APP_TYPES = {"button", "show_tutorial", "yesno", "yesnomaybe", "horizontal_buttons", "displaytext",
             "display_response", "multiplechoices", "onlychoice", "singlechoice"}


def check(fixture: str, body: dict, skip=SKIP):
    gold = golden(fixture)
    if set(body) == {"quiz_session"}:
        # An answer response: the app reads only quiz_session (the profile fixtures also hold app state).
        gold = {"quiz_session": gold["quiz_session"]}
    problems = shape_problems(gold, body, skip=skip)
    assert not problems, "\n".join(problems)
    qs = body.get("quiz_session") or {}
    check_messages((qs.get("current_msgs") or []) + (qs.get("prev_msgs") or []))


def check_messages(msgs: list[dict]):
    """Every message has a type the app understands and each key the app's sample of that type has, same JSON type."""
    samples = {}
    for m in golden("quiz/all-messages.json")["quiz_session"]["current_msgs"]:
        samples.setdefault((m["type"], m.get("action")), m)
    for msg in msgs:
        assert msg["type"] in APP_TYPES, msg
        assert not any(k.startswith("_") for k in msg), msg
        sample = samples.get((msg["type"], msg.get("action"))) or samples[(msg["type"], None)]
        problems = shape_problems({k: v for k, v in sample.items() if k in msg or k not in ("display_response",)},
                                  msg, skip=("$.display_response",))
        assert not problems, (msg, problems)


def test_onboarding_against_profile_fixtures(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    me = client.get("/me", headers=headers).get_json()
    check("profile/about_with_quiz_session.json", me)
    seen = list(me["quiz_session"]["current_msgs"])
    sid = me["quiz_session"]["session_id"]
    qs = post(client, headers, session_id=sid, **{the_input(seen)["ref"]: "Y"})
    check("profile/quiz_session_response.json", {"quiz_session": qs})
    seen += qs["current_msgs"]
    again = client.get("/me", headers=headers).get_json()["quiz_session"]
    check("profile/quiz_session_response_with_previous_message.json", {"quiz_session": again})
    assert [m.get("display_response") for m in again["prev_msgs"]].count("Sim") == 1
    for _ in range(3):
        qs = post(client, headers, session_id=sid, **{the_input(qs["current_msgs"])["ref"]: "N"})
        seen += qs["current_msgs"]
    check("profile/quiz_session_response_stealth_mode.json", {"quiz_session": qs})
    assert the_input(qs["current_msgs"])["action"] == "botao_tela_modo_camuflado"
    qs = post(client, headers, session_id=sid, **{the_input(qs["current_msgs"])["ref"]: "0"})
    seen += qs["current_msgs"]
    button = the_input(qs["current_msgs"])
    assert button["type"] == "button" and button["label"]
    done = post(client, headers, session_id=sid, **{button["ref"]: "1"})
    check("quiz/all-messages.json", {"quiz_session": done}, skip=("$.quiz_session.current_msgs",))
    assert re.fullmatch(r"/mainboard\?page=(feed|escapemanual)", done["end_screen"])
    check_messages(seen)


def test_escape_manual_against_fixtures(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    body = tarefas(client, headers)
    check("escape_manual/escape_manual_response.json", body,
          skip=("$.mf_assistant.quiz_session.session_id", "$.tarefas"))
    first = start(client, headers, user)
    check("escape_manual/quiz_session_response.json", {"quiz_session": first})
    check("quiz/quiz_start_response.json", {"quiz_session": first})
    seen = list(first["current_msgs"])
    final, _ = walk(client, headers, first, PATH)
    assert final["end_screen"] == "/mainboard?page=escapemanual"
    body = tarefas(client, headers)
    real = [t for t in body["tarefas"] if t["id"] != -1]
    check("escape_manual/escape_manual_response.json", {**body, "tarefas": real},
          skip=("$.mf_assistant.quiz_session.session_id",))
    assert all(t["tipo"] in ("checkbox", "checkbox_contato", "button") for t in body["tarefas"])
    (button,) = [t for t in body["tarefas"] if t["id"] == -1]
    # A button task parses only when `arguments` is absent unless the route is "/quiz".
    assert set(button["data"]) == {"label", "route"} and button["data"]["route"].startswith("/quiz/start?")
    check_messages(seen)


def test_batch_round_trip_like_the_app(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    final, _ = walk(client, headers, start(client, headers, user), PATH)
    body = tarefas(client, headers)
    real = [t for t in body["tarefas"] if t["id"] != -1]
    contact_task = MfClienteTarefa.select().join(MfTarefa).where(MfTarefa.codigo == "T9",
                                                                  MfClienteTarefa.cliente == user.id).get()
    tick, gone, contact = real[0], real[1], next(t for t in real if t["id"] == contact_task.id)
    contacts = [{"id": 1, "name": "Ana", "phone": "(11) 99999-9999"}]
    # The app's own body: string ids, JSON values, 0/1 flags.
    batch = [{"id": str(tick["id"]), "checkbox_feito": 1, "campo_livre": None, "remove": 0},
             {"id": str(gone["id"]), "checkbox_feito": 0, "campo_livre": None, "remove": 1},
             {"id": contact["id"], "checkbox_feito": 1, "campo_livre": contacts, "remove": 0}]
    r = client.post("/me/tarefas/batch", json=batch, headers={**headers, "Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200 and r.get_json() == {"updated": 2, "removed": 1}
    # The app splits the Date header on spaces: IMF-fixdate.
    date = r.headers["Date"]
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", date)
    stamp = int(parsedate_to_datetime(date).timestamp())
    later = tarefas(client, headers, body["consultado_em"])
    check("escape_manual/escape_manual_latest_response.json", {**later, "tarefas": [
        t for t in later["tarefas"] if t["id"] != -1]}, skip=("$.mf_assistant.quiz_session.session_id",))
    changed = {t["id"]: t for t in later["tarefas"]}
    assert changed[tick["id"]]["checkbox_feito"] == 1 and changed[tick["id"]]["atualizado_em"] == stamp
    assert changed[contact["id"]]["campo_livre"] == contacts
    assert later["tarefas_removidas"] == [gone["id"]]
    assert tick["id"] in changed and gone["id"] not in changed
    assert user_tag(user) in changed[-1]["data"]["route"]


def test_batch_is_all_or_nothing(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    mf_tasks.add_tasks(user.id, ["T1", "T2"])
    ids = [t["id"] for t in tarefas(client, headers)["tarefas"]]
    for bad in ([{"id": ids[0], "checkbox_feito": 1}, {"id": ids[1], "checkbox_feito": 1, "campo_livre": "{oops"}],
                [{"id": ids[0], "checkbox_feito": 1}, {"id": 999999, "checkbox_feito": 1}],
                [{"id": ids[0], "checkbox_feito": 1}, {"id": "abc", "checkbox_feito": 1}],
                [{"id": ids[0], "checkbox_feito": 1}, {"id": ids[1], "checkbox_feito": "talvez"}],
                [{"id": ids[0], "checkbox_feito": 1}, "not an object"]):
        r = client.post("/me/tarefas/batch", json=bad, headers=headers)
        assert r.status_code == 400, r.get_data(as_text=True)
        assert isinstance(r.get_json()["error"], str)
    assert all(t["checkbox_feito"] == 0 for t in tarefas(client, headers)["tarefas"])
    for body in ({"id": ids[0]}, "x", None):
        r = client.post("/me/tarefas/batch", json=body, headers=headers)
        assert r.status_code == 400 and r.get_json()["field"] == "body"
    r = client.post("/me/tarefas/batch", data="[not json", headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["message"] == "INVALID JSON, body must be an array!"
    # Another woman's task id is "not found" for her.
    other = make_user()
    r = client.post("/me/tarefas/batch", json=[{"id": ids[0], "checkbox_feito": 1}], headers=auth_headers(app, other))
    assert r.status_code == 400 and r.get_json()["error"] == "mfclientetarefa_id_not_found"
