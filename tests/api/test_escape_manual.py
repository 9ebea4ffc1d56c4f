"""The Manual de Fuga on its real content, end to end through the API (backend-rules §9.7, §9.8)."""
import pytest

from penhas_api.core.models import Cliente, ClienteMfTag, MfControl, MfTag, QuizSession
from penhas_api.core.services.escape_manual import SUBTITLE, user_tag
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error
from tests.quiz_helpers import option_index, post, task_codes, the_input, walk

ALL_BLOCKS = {12, 13, 14, 15, 16, 17, 18}


@pytest.fixture
def woman(app):
    user = make_user()
    return user, auth_headers(app, user)


def tarefas(client, headers, since=0):
    r = client.get("/me/tarefas", query_string={"modificado_apos": since}, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


# A realistic first run: she starts with "Passos para fuga", has nowhere to go and wants to know about rent aid and
# shelters, plans to leave by bus or with a lift, answers the other blocks.
PATH = {
    "B0_P0": lambda m: option_index(m, "Passos para fuga"),
    "B1_P1": "N", "B1_P2": "Y",
    "B1_P3": lambda m: f"{option_index(m, 'Auxílio-aluguel')},{option_index(m, 'Casa abrigo')}",
    "B1_P4": "Y",
    "B5_P9": lambda m: f"{option_index(m, 'Transporte público')},{option_index(m, 'Carona')}",
    "B2_P10": "N",
    "B3_P19": lambda m: option_index(m, "Dependo financeiramente"),
    "B3_P20": lambda m: option_index(m, "O imóvel é meu"),
    "B4_P21": "N",
    "B4_P24": lambda m: option_index(m, "Nunca denunciei"),
    "B4_P25": lambda m: option_index(m, "Não/Não sei"),
    "B4_P26": "N", "B4_P27": "N",
}
# What the content promises for those answers (quiz_config rows' tarefas).
PROMISED = {"T1", "T2", "T3", "T4",  # B0: every plan
            "T5", "T6", "T7", "T8",  # B1: rent aid / shelter explanations
            "T9", "T10", "T11", "T12",  # B1: end of "Passos para fuga"
            "T27", "T28", "T29", "T30",  # B5: public transport
            "T37", "T38", "T39", "T40"}  # B5: a lift
NOT_PROMISED = {"T44", "T45", "T46",  # taxi
                "T41", "T42", "T43"}  # on foot


def start(client, headers, user):
    card = tarefas(client, headers)["mf_assistant"]
    assert card["quiz_session"]["session_id"] == "MF" + user_tag(user)
    return post(client, headers, session_id=card["quiz_session"]["session_id"])


def test_first_run_through_all_seven_blocks(client, woman):
    user, headers = woman
    body = tarefas(client, headers)
    assert body["tarefas"] == [] and body["tarefas_removidas"] == [] and isinstance(body["consultado_em"], int)
    assert body["mf_assistant"]["title"] == "Criar o meu Manual de Fuga"
    assert body["mf_assistant"]["subtitle"] == SUBTITLE
    assert body["mf_assistant"]["quiz_session"] == {"session_id": "MF" + user_tag(user), "current_msgs": [],
                                                    "prev_msgs": None}
    qs = start(client, headers, user)
    assert "bem-vinda ao Manual de Fuga do PenhaS" in qs["current_msgs"][0]["content"]
    assert the_input(qs["current_msgs"])["type"] == "onlychoice"
    ctrl = MfControl.get_by_id(user.id)
    assert ctrl.status == "inProgress" and ctrl.completed_questionnaires_id == []
    # Starting again while one is running is refused, in the chat.
    again = post(client, headers, session_id="MF" + user_tag(user))
    assert "já existe um manual de fuga em andamento" in again["current_msgs"][0]["content"]

    # Mid-way the card shows the live session and its current question.
    first = post(client, headers, session_id=qs["session_id"],
                 **{the_input(qs["current_msgs"])["ref"]: option_index(the_input(qs["current_msgs"]),
                                                                         "Passos para fuga")})
    assert MfControl.get_by_id(user.id).completed_questionnaires_id == [12]
    card = tarefas(client, headers)["mf_assistant"]
    assert card["title"] == "Continuar preenchendo o meu Manual"
    assert card["quiz_session"]["session_id"] == qs["session_id"]
    assert the_input(card["quiz_session"]["current_msgs"]) == the_input(first["current_msgs"])

    final, visited = walk(client, headers, first, PATH)
    assert set(visited) | {12} == ALL_BLOCKS and visited[-1] == 18
    assert final["finished"] == 1 and final["end_screen"] == "/mainboard?page=escapemanual"
    ctrl = MfControl.get_by_id(user.id)
    assert ctrl.status == "completed" and ctrl.completed_questionnaires_id == [] and ctrl.current_session is None
    assert Cliente.get_by_id(user.id).ja_completou_mf is True

    body = tarefas(client, headers)
    codes = task_codes(body["tarefas"])
    assert PROMISED <= codes and not (NOT_PROMISED & codes)
    assert body["mf_assistant"]["title"] == "Refazer o meu Manual de Fuga"
    review = [t for t in body["tarefas"] if t["id"] == -1]
    assert review == [{"id": -1, "atualizado_em": review[0]["atualizado_em"], "tipo": "button", "descricao": "",
                       "agrupador": "Transporte",
                       "data": {"label": "Revisar Transporte",
                                "route": f"/quiz/start?session_id=MF:Address{user_tag(user)}"}}]
    task = next(t for t in body["tarefas"] if t["id"] != -1)
    assert set(task) == {"id", "checkbox_feito", "atualizado_em", "campo_livre", "tipo", "eh_customizada", "titulo",
                         "descricao", "agrupador"}
    assert task["checkbox_feito"] == 0 and task["eh_customizada"] == 0
    # Tags the answers set (B1_P4 = Y → T1, B3_P19 = depends on him → T6).
    tags = {t.code for t in MfTag.select().join(ClienteMfTag).where(ClienteMfTag.cliente == user.id)}
    assert {"T1", "T6"} <= tags
    # The finished block's session cannot be answered any more.
    assert_error(client.post("/me/quiz", query_string={"session_id": qs["session_id"], "x": "1"}, headers=headers),
                 400, "session_not_match")


def _complete(client, headers, user, path=PATH):
    qs = start(client, headers, user)
    final, _ = walk(client, headers, qs, path)
    assert final["finished"] == 1


def test_restart_and_clean_my_task_list(client, woman):
    user, headers = woman
    _complete(client, headers, user)
    before = tarefas(client, headers)
    assert task_codes(before["tarefas"]) >= PROMISED
    qs = start(client, headers, user)
    assert MfControl.get_by_id(user.id).status == "inProgress"
    # Second time she is first asked whether to clean her list: yes, and yes I am sure (tag SIM_LIMPA_MF).
    msg = the_input(qs["current_msgs"])
    assert "limpar sua lista de tarefas" in msg["content"]
    qs = post(client, headers, session_id=qs["session_id"], **{msg["ref"]: "Y"})
    msg = the_input(qs["current_msgs"])
    assert "não pode ser desfeita" in msg["content"]
    qs = post(client, headers, session_id=qs["session_id"], **{msg["ref"]: "Y"})
    after = tarefas(client, headers, before["consultado_em"])
    assert sorted(after["tarefas_removidas"]) == sorted(t["id"] for t in before["tarefas"] if t["id"] != -1)
    assert [t for t in tarefas(client, headers)["tarefas"] if t["id"] != -1] == []
    # This time only the children block and its promises: tasks come back from the new answers only.
    path = {"B0_P0": lambda m: option_index(m, "Crianças"), "B2_P10": "N", **{k: v for k, v in PATH.items()
                                                                               if not k.startswith("B0")}}
    final, visited = walk(client, headers, qs, path)
    assert final["finished"] == 1 and visited[0] == 12 and visited[1] == 14
    assert task_codes(tarefas(client, headers)["tarefas"]) >= {"T1", "T2", "T3", "T4"}


def test_restart_keeping_the_list(client, woman):
    user, headers = woman
    _complete(client, headers, user)
    kept = {t["id"] for t in tarefas(client, headers)["tarefas"]}
    qs = start(client, headers, user)
    qs = post(client, headers, session_id=qs["session_id"], **{the_input(qs["current_msgs"])["ref"]: "N"})
    msg = the_input(qs["current_msgs"])
    assert "não quer limpar" in msg["content"]
    qs = post(client, headers, session_id=qs["session_id"], **{msg["ref"]: "Y"})
    assert {t["id"] for t in tarefas(client, headers)["tarefas"]} == kept
    assert the_input(qs["current_msgs"])["type"] == "onlychoice"


def test_review_transport(client, woman):
    user, headers = woman
    _complete(client, headers, user)
    before = task_codes(tarefas(client, headers)["tarefas"])
    assert {"T27", "T37"} <= before
    qs = post(client, headers, session_id="MF:Address" + user_tag(user))
    msg = the_input(qs["current_msgs"])
    assert "refazer" in msg["content"] and msg["type"] == "yesno"
    # "No" leaves everything as it was.
    done = post(client, headers, session_id=qs["session_id"], **{msg["ref"]: "N"})
    done = post(client, headers, session_id=done["session_id"], **{the_input(done["current_msgs"])["ref"]: "1"})
    assert done["finished"] == 1 and task_codes(tarefas(client, headers)["tarefas"]) == before
    # "Yes" and a taxi this time: the bus/lift tasks only transport added go, the taxi ones come.
    again = post(client, headers, session_id="MF:Address" + user_tag(user))
    assert again["session_id"] > qs["session_id"]
    path = {"refazer": "Y", "B5_P9": lambda m: option_index(m, "Táxi")}
    final, visited = walk(client, headers, again, path)
    assert visited == [19, 17] and final["finished"] == 1
    after = task_codes(tarefas(client, headers)["tarefas"])
    assert {"T44", "T45", "T46"} <= after and not ({"T27", "T28", "T37", "T38"} & after)
    assert MfControl.get_by_id(user.id).status == "completed"


def test_housekeeping_resets_a_stale_manual(client, woman):
    from datetime import timedelta

    from penhas_api.core import clock
    from penhas_api.core.services import mf_state

    user, headers = woman
    start(client, headers, user)
    assert mf_state.reset_stale() == 0
    clock.set_now(clock.now() + timedelta(days=31))
    assert mf_state.reset_stale() == 1
    ctrl = MfControl.get_by_id(user.id)
    assert ctrl.status == "onboarding" and ctrl.current_session is None
    assert tarefas(client, headers)["mf_assistant"]["title"] == "Criar o meu Manual de Fuga"
    assert QuizSession.select().where(QuizSession.cliente == user.id).count() == 1


def test_periodic_jobs_reset_manuals_and_purge_anonymous_sessions(client, woman):
    from datetime import timedelta

    from penhas_api.core import clock
    from penhas_api.core.models import AnonymousQuizSession
    from tasks.base import PERIODIC_JOBS

    user, headers = woman
    start(client, headers, user)
    AnonymousQuizSession.create(token="t" * 32, remote_id="x", created_at=clock.now(), stash={}, responses={})
    clock.set_now(clock.now() + timedelta(days=31))
    assert PERIODIC_JOBS["quiz.mf_reset_stale"].fn() == {"reset": 1}
    assert PERIODIC_JOBS["quiz.purge_anonymous"].fn() == {"deleted": 1}
    assert MfControl.get_by_id(user.id).status == "onboarding"
