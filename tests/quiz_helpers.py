"""Walking a questionnaire through the API as the app does: one answer per POST /me/quiz."""
import re

from penhas_api.core.models import MfTarefa, QuizConfig, QuizSession

DEFAULTS = {"yesno": "N", "yesnomaybe": "N", "onlychoice": "0", "multiplechoices": "0", "button": "1"}


def code_of(ref: str) -> str:
    """The quiz_config code behind a message ref (refs are a type prefix and the row id)."""
    m = re.match(r"^[A-Z]+(\d+)", ref)
    return QuizConfig.get_by_id(int(m.group(1))).code if m else ref


def post(client, headers, **params):
    r = client.post("/me/quiz", query_string=params, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["quiz_session"]


def the_input(msgs: list[dict]) -> dict:
    inputs = [m for m in msgs if m["type"] != "displaytext"]
    assert len(inputs) == 1, msgs
    return inputs[0]


def option_index(msg: dict, label_start: str) -> str:
    return next(str(o["index"]) for o in msg["options"] if o["display"].startswith(label_start))


def walk(client, headers, quiz_session: dict, answers: dict, max_steps: int = 200) -> tuple[dict, list]:
    """Answer until finished. ``answers`` maps question code → value, or → callable(msg) → value.
    Returns the final quiz_session and the questionnaire ids visited, in order."""
    visited, qs = [], quiz_session
    for _ in range(max_steps):
        if qs.get("finished"):
            return qs, visited
        session = QuizSession.get_by_id(qs["session_id"])
        if not visited or visited[-1] != session.questionnaire_id:
            visited.append(session.questionnaire_id)
        msg = the_input(qs["current_msgs"])
        value = answers.get(code_of(msg["ref"]), DEFAULTS[msg["type"]])
        value = value(msg) if callable(value) else value
        qs = post(client, headers, session_id=qs["session_id"], **{msg["ref"]: value})
        assert not any(m.get("style") == "error" for m in qs.get("current_msgs") or []), qs
        if not qs.get("finished"):
            session = QuizSession.get_by_id(qs["session_id"])
            if visited[-1] != session.questionnaire_id:
                visited.append(session.questionnaire_id)
    raise AssertionError("questionnaire did not finish")


def task_codes(tarefas: list[dict]) -> set[str]:
    descr = {t["descricao"] for t in tarefas if t["id"] != -1}
    return {t.codigo for t in MfTarefa.select().where(MfTarefa.descricao.in_(descr))} if descr else set()


def finish_onboarding(user) -> None:
    """She already answered the onboarding quiz: GET /me shows the app, not the quiz."""
    from penhas_api.core import clock
    from penhas_api.core.models import Questionnaire

    for q in Questionnaire.select().where(Questionnaire.active == True,  # noqa: E712
                                          Questionnaire.penhas_start_automatically == True):  # noqa: E712
        QuizSession.create(cliente=user, questionnaire=q, created_at=clock.now(), finished_at=clock.now(),
                           stash={"is_finished": 1}, responses={})
