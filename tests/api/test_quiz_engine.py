"""Every message type through the API on a questionnaire made for the test (backend-rules §9.2–9.4; the original's
010-quiz scenario)."""
from penhas_api.core.models import Cliente, ClienteMfTag, ClienteSkill, MfTag, QuizSession, Skill
from penhas_api.core.services import quiz_engine
from penhas_api.core.services.quiz import assistant_chat_entry
from penhas_api.core.services.escape_manual import user_tag
from tests.factories import auth_headers, make_user
from tests.quiz_factories import make_questionnaire  # noqa: F401
from tests.quiz_helpers import post, task_codes, the_input

ROWS = [
    dict(type="yesno", code="yesno1", question="yesno question☺️⚠️👍👭🤗🤳",
         intro=[{"text": "intro1"}, {"text": "HELLO[% cliente.nome_completo %]!"}]),
    dict(type="text", code="freetext", question="question for YES", relevance="yesno1 == 'Y'"),
    dict(type="yesnogroup", code="groupq", question="",
         yesnogroup=[{"Status": 1, "question": "Question A", "referencia": "refa", "power2answer": 2},
                     {"Status": 0, "question": "Hidden", "referencia": "refx", "power2answer": 8},
                     {"Status": 1, "question": "Question B", "referencia": "reb", "power2answer": 4}]),
    dict(type="skillset", code="skill", question="Como você pode ajudar?"),
    dict(type="displaytext", code="dt", question="displaytext flow", tarefas=[{"codigo": "T1"}]),
    dict(type="tag_user", code="tagme", question="", tag=[{"codigo": "T3"}]),
    dict(type="botao_tela_modo_camuflado", code="btn_camuflado1", question="btn_responder_zero"),
    dict(type="displaytext", code="d1", question="btn_camuflado1=PASS", relevance="btn_camuflado1 == '0'"),
    dict(type="botao_tela_modo_camuflado", code="btn_camuflado2", question="btn_responder_com1"),
    dict(type="displaytext", code="d2", question="btn_camuflado2=PASS2", relevance="btn_camuflado2 == '1'"),
    dict(type="onlychoice", code="chooseone", question="choose one",
         options=[{"label": "a", "value": "a"}, {"label": "b", "value": "b"}], tarefas=[{"codigo": "T2"}]),
    dict(type="botao_fim", code="btn_fim", question="final"),
]


def _me(client, headers):
    return client.get("/me", headers=headers).get_json()


def test_every_message_type(client, app, make_questionnaire):
    q = make_questionnaire([dict(r) for r in ROWS], end_screen="/mainboard?page=[% IF chooseone == 'b' %]chat[% ELSE %]feed[% END %]")
    user = make_user(nome_completo="Ana")
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    assert QuizSession.get_by_id(qs["session_id"]).questionnaire_id == q.id
    sid = qs["session_id"]
    assert [m["content"] for m in qs["current_msgs"]] == ["intro1", "HELLOAna!", "yesno question☺️⚠️👍👭🤗🤳"]
    yn = the_input(qs["current_msgs"])
    assert yn["ref"].startswith("YN")
    bad = post(client, headers, session_id=sid, **{yn["ref"]: "X"})
    assert bad["current_msgs"][0]["style"] == "error" and "deve ser Y ou N" in bad["current_msgs"][0]["content"]
    assert [m["content"] for m in bad["current_msgs"][1:]] == ["intro1", "HELLOAna!", "yesno question☺️⚠️👍👭🤗🤳"]
    qs = post(client, headers, session_id=sid, **{yn["ref"]: "Y"})
    text = the_input(qs["current_msgs"])
    assert text["type"] == "text" and text["ref"].startswith("FT")
    qs = post(client, headers, session_id=sid, **{text["ref"]: "minha resposta"})
    # The group: one yes/no at a time, refs YN<id>_2, YN<id>_3 (the hidden one skipped).
    a = the_input(qs["current_msgs"])
    assert a["content"] == "Question A" and a["ref"].endswith("_2")
    qs = post(client, headers, session_id=sid, **{a["ref"]: "N"})
    b = the_input(qs["current_msgs"])
    assert b["content"] == "Question B" and b["ref"].endswith("_3")
    qs = post(client, headers, session_id=sid, **{b["ref"]: "Y"})
    skills = the_input(qs["current_msgs"])
    assert skills["type"] == "multiplechoices" and skills["options"][0] == {"display": Skill.get_by_id(1).skill,
                                                                            "index": "0"}
    qs = post(client, headers, session_id=sid, **{skills["ref"]: "0,999"})
    assert [s.skill_id for s in ClienteSkill.select().where(ClienteSkill.cliente == user.id)] == [1]
    assert qs["current_msgs"][0]["content"] == "displaytext flow"
    cam1 = the_input(qs["current_msgs"])
    assert cam1["action"] == "botao_tela_modo_camuflado" and cam1["ending_cancel_text"] == "Tutorial cancelado"
    qs = post(client, headers, session_id=sid, **{cam1["ref"]: "0"})
    u = Cliente.get_by_id(user.id)
    assert u.modo_anonimo_ativo and not u.modo_camuflado_ativo and u.modo_anonimo_atualizado_em
    assert qs["current_msgs"][0]["content"] == "btn_camuflado1=PASS"
    qs = post(client, headers, session_id=sid, **{the_input(qs["current_msgs"])["ref"]: "1"})
    assert Cliente.get_by_id(user.id).modo_camuflado_ativo
    assert qs["current_msgs"][0]["content"] == "btn_camuflado2=PASS2"
    oc = the_input(qs["current_msgs"])
    assert [o["index"] for o in oc["options"]] == ["0", "1"] and "action" not in oc
    assert post(client, headers, session_id=sid, **{oc["ref"]: "7"})["current_msgs"][0]["content"] == \
        f"Campo {oc['ref']} deve um número"
    qs = post(client, headers, session_id=sid, **{oc["ref"]: "1"})
    final = the_input(qs["current_msgs"])
    assert final["content"] == "final" and final["action"] == "none" and final["label"] == "Enviar"
    history = _me(client, headers)["quiz_session"]["prev_msgs"]
    assert all(m.get("content") or m.get("display_response") for m in history)
    assert [m["display_response"] for m in history if "display_response" in m] == \
        ["Sim", "minha resposta", "Não", "Sim", Skill.get_by_id(1).skill, "Visualizar", "Visualizar", "b"]
    done = post(client, headers, session_id=sid, **{final["ref"]: "1"})
    assert done == {"session_id": sid, "finished": 1, "end_screen": "/mainboard?page=chat"}
    responses = QuizSession.get_by_id(sid).responses
    assert {k: responses[k] for k in ("yesno1", "freetext", "groupq", "groupq_refa", "groupq_reb", "groupq_2",
                                      "groupq_4", "skill", "chooseone", "btn_camuflado1_action")} == {
        "yesno1": "Y", "freetext": "minha resposta", "groupq": 4, "groupq_refa": "N", "groupq_reb": "Y",
        "groupq_2": "N", "groupq_4": "Y", "skill": "[0]", "chooseone": "b",
        "btn_camuflado1_action": "botao_tela_modo_camuflado"}
    assert "start_time" in responses
    # Side effects: the displaytext's task, the answer's task, the tag_user tag.
    listed = client.get("/me/tarefas?modificado_apos=0", headers=headers).get_json()["tarefas"]
    assert task_codes(listed) == {"T1", "T2"}
    assert {t.code for t in MfTag.select().join(ClienteMfTag).where(ClienteMfTag.cliente == user.id)} == {"T3"}
    u = Cliente.get_by_id(user.id)
    assert u.quiz_detectou_violencia and u.primeiro_quiz_detectou_violencia
    entry = assistant_chat_entry(u)
    assert entry["title"] == "Assistente PenhaS" and entry["quiz_session"]["session_id"] == "A" + user_tag(u)
    assert "situação de risco" in entry["quiz_session"]["current_msgs"][0]["content"]
    assert entry["quiz_session"]["current_msgs"][-1] == {"type": "yesno", "ref": "reset_questionnaire",
                                                         "content": "Deseja responder o questionário novamente?"}


def test_assistant_reset_and_return(client, app, make_questionnaire):
    make_questionnaire([dict(type="yesno", code="Q1", question="primeira?"), dict(type="botao_fim", code="FIM",
                                                                                  question="fim")])
    user = make_user()
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    first = qs["session_id"]
    qs = post(client, headers, session_id=first, **{the_input(qs["current_msgs"])["ref"]: "N"})
    post(client, headers, session_id=first, **{the_input(qs["current_msgs"])["ref"]: "1"})
    entry = assistant_chat_entry(Cliente.get_by_id(user.id))
    assert "não estava em situação de violência" in entry["quiz_session"]["current_msgs"][0]["content"]
    aid = entry["quiz_session"]["session_id"]
    no = post(client, headers, session_id=aid, reset_questionnaire="N")
    assert no["session_id"] == aid and "única" in no["current_msgs"][0]["content"]
    assert no["current_msgs"][0]["ref"] == "BT_RETURN"
    assert post(client, headers, session_id=aid, BT_RETURN="1") == {"session_id": aid, "finished": 1,
                                                                     "end_screen": "/mainboard?page=chat"}
    assert post(client, headers, session_id=aid, reset_questionnaire="talvez")["current_msgs"][0]["style"] == "error"
    assert post(client, headers, session_id=aid, foo="1")["current_msgs"][0]["content"] == "Não entendo outros campos."
    again = post(client, headers, session_id=aid, reset_questionnaire="Y")
    assert isinstance(again["session_id"], int) and again["session_id"] != first
    assert the_input(again["current_msgs"])["content"] == "primeira?"
    assert Cliente.get_by_id(user.id).quiz_assistant_yes_count == 1
    assert QuizSession.get_by_id(first).deleted is True
    assert assistant_chat_entry(make_user(genero="Masculino")) is None


def test_broken_content_shows_the_problem_and_a_retry_button(client, app, make_questionnaire):
    q = make_questionnaire([dict(type="yesno", code="Q1", question="ok?", relevance="Q0 == ")])
    user = make_user()
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    assert qs["current_msgs"][0]["content"] == "Encontramos um problema para montar o questionário!"
    assert "Q1" in qs["current_msgs"][1]["content"]
    retry = the_input(qs["current_msgs"])
    assert retry["label"] == "Tentar agora"
    # The operator fixes the content; the retry button rebuilds the session from it.
    from penhas_api.core.models import QuizConfig

    QuizConfig.update(relevance="1").where(QuizConfig.questionnaire == q.id).execute()
    qs = post(client, headers, session_id=qs["session_id"], **{retry["ref"]: "1"})
    assert the_input(qs["current_msgs"])["content"] == "ok?"


def test_content_without_an_end_button_gets_one(client, app, make_questionnaire):
    make_questionnaire([dict(type="yesno", code="Q1", question="só isso?"),
                        dict(type="displaytext", code="D", question="tchau")])
    user = make_user()
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    qs = post(client, headers, session_id=qs["session_id"], **{the_input(qs["current_msgs"])["ref"]: "Y"})
    button = the_input(qs["current_msgs"])
    assert qs["current_msgs"][0]["content"] == "tchau"
    assert button["label"] == "Finalizar" and button["ref"].startswith("BT_END_")
    assert post(client, headers, session_id=qs["session_id"], **{button["ref"]: "1"})["finished"] == 1


def test_loop_guard(client, app, make_questionnaire):
    # Two questionnaires that hand her to each other forever.
    a = make_questionnaire([dict(type="displaytext", code="D", question="")])
    b = make_questionnaire([dict(type="auto_change_questionnaire", code="ACQ", question="",
                                 change_to_questionnaire_id=a.id)], active=False)
    from penhas_api.core.models import QuizConfig

    QuizConfig.create(questionnaire=a, status="published", sort=9, modified_on=a.modified_on, question="",
                      type="auto_change_questionnaire", code="BACK", change_to_questionnaire_id=b.id)
    user = make_user()
    qs = _me(client, auth_headers(app, user))["quiz_session"]
    assert qs["current_msgs"] == [{"type": "displaytext", "style": "error", "content": quiz_engine.LOOP_MESSAGE}]


def test_answers_never_reach_the_logs(client, app, make_questionnaire, caplog, capfd):
    import logging

    # Everything our loggers emit, at the most verbose level (peewee has no handler: its SQL debug lines go nowhere).
    caplog.set_level(logging.DEBUG, logger="penhas")
    make_questionnaire([dict(type="text", code="SEGREDO", question="conte"), dict(type="botao_fim", code="F",
                                                                                 question="fim")])
    user = make_user()
    headers = auth_headers(app, user)
    qs = _me(client, headers)["quiz_session"]
    # Built at run time: a traceback quoting this file must not look like a leak.
    secret = "-".join(["meu", "segredo", str(41 * 3)])
    post(client, headers, session_id=qs["session_id"], **{the_input(qs["current_msgs"])["ref"]: secret})
    out, err = capfd.readouterr()
    assert secret not in caplog.text + out + err
    assert QuizSession.get_by_id(qs["session_id"]).responses["SEGREDO"] == secret
