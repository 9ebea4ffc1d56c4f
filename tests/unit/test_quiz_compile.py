"""Compiling quiz_config rows into messages, and the problems validation reports (backend-rules §9.2)."""
import pytest

from penhas_api.core.models import Questionnaire
from penhas_api.core.services.quiz_compile import (
    ContentError, check_end_screen, compile_rows, compiled, validate_questionnaire)


def row(id, type, code, question="q", **kw):
    return {"id": id, "type": type, "code": code, "question": question, "relevance": kw.pop("relevance", "1"), **kw}


def test_message_per_type(db):
    msgs = compile_rows([
        row(1, "yesno", "A", intro=[{"text": "oi"}]), row(2, "yesnomaybe", "B"), row(3, "text", "C"),
        row(4, "displaytext", "D", tarefas=[{"codigo": "T1"}, {"codigo": ""}], tag=[{"codigo": "X"}]),
        row(5, "botao_tela_modo_camuflado", "E"), row(6, "botao_fim", "F", button_label="Concluir"),
        row(7, "multiplechoices", "G", options=[{"label": "a", "value": "va"}, {"label": "b", "value": "vb"}]),
        row(8, "onlychoice", "H", options=[{"label": "a", "value": "va"}]),
        row(9, "cep_address_lookup", "I"), row(10, "auto_change_questionnaire", "J", change_to_questionnaire_id=3),
        row(11, "tag_user", "K", tag=[{"codigo": "T1"}]), row(12, "next_mf_questionnaire", "L"),
        row(13, "next_mf_questionnaire_outstanding", "M"), row(14, "skillset", "N"),
    ])
    public = [(m["type"], m.get("ref"), m.get("content")) for m in msgs]
    assert public == [
        ("displaytext", None, "oi"), ("yesno", "YN1", "q"), ("yesnomaybe", "MYN2", "q"), ("text", "FT3", "q"),
        ("displaytext", None, "q"), ("button", "BT5", "q"), ("button", "BT6", "q"), ("multiplechoices", "MC7", "q"),
        ("onlychoice", "OC8", "q"), ("text", "CEP9", "q"), ("displaytext", None, ""),
        ("auto_change_questionnaire", None, None), ("tag_user", None, None), ("next_mf_questionnaire", None, None),
        ("next_mf_questionnaire", None, None), ("multiplechoices", "MC14", "q")]
    by_ref = {m.get("ref"): m for m in msgs}
    assert msgs[4]["_tarefas"] == ["T1"] and msgs[4]["_tags"] == ["X"] and msgs[0]["_tarefas"] == []
    assert by_ref["BT5"]["label"] == "Visualizar" and by_ref["BT5"]["action"] == "botao_tela_modo_camuflado"
    assert by_ref["BT6"]["label"] == "Concluir" and by_ref["BT6"]["action"] == "none" and by_ref["BT6"]["_end_chat"]
    assert by_ref["MC7"]["options"] == [{"display": "a", "index": "0"}, {"display": "b", "index": "1"}]
    assert by_ref["MC7"]["_values"] == ["va", "vb"]
    assert msgs[11]["_change_to"] == 3 and msgs[13]["_outstanding"] == 0 and msgs[14]["_outstanding"] == 1
    assert all("code" not in m for m in msgs)


def test_anonymous_messages_expose_codes(db):
    msgs = compile_rows([row(1, "onlychoice", "OC", options=[{"label": "a", "value": "va"}]),
                         row(2, "yesnogroup", "G", yesnogroup=[{"Status": 1, "question": "x", "referencia": "r",
                                                                "power2answer": 1}])], anonymous=True)
    assert msgs[0]["code"] == "OC" and msgs[0]["options"][0]["code_value"] == "va"
    assert msgs[1]["code"] == "G_r" and msgs[1]["ref"] == "YN2_2"


@pytest.mark.parametrize("rows,fragment", [
    ([row(1, "nope", "A")], "tipo desconhecido"),
    ([row(1, "yesno", "1A")], "código precisa"),
    ([row(1, "yesno", "A", relevance="A == ")], "relevância"),
    ([row(1, "yesno", "A", question="[% IF x %]sem fim")], "pergunta"),
    ([row(1, "yesno", "A", intro=[{"text": "[% (x %]"}])], "introdução"),
    ([row(1, "multiplechoices", "A", options=[])], "opções"),
    ([row(1, "onlychoice", "A", options=[{"value": "x"}])], "label"),
    ([row(1, "botao_fim", "A", question="")], "botão precisa"),
    ([row(1, "yesno", "A", question=" ")], "sem texto"),
    ([row(1, "yesnogroup", "A", yesnogroup=[{"Status": 1, "referencia": "a", "power2answer": 3}])], "potência"),
    ([row(1, "yesnogroup", "A", yesnogroup=[{"Status": 1, "referencia": "a", "power2answer": 2},
                                            {"Status": 1, "referencia": "b", "power2answer": 2}])], "única"),
    ([row(1, "auto_change_questionnaire", "A")], "change_to_questionnaire_id"),
])
def test_problems_name_the_question(db, rows, fragment):
    with pytest.raises(ContentError) as err:
        compile_rows(rows)
    assert any(fragment in p.message for p in err.value.problems), err.value.problems
    assert all(p.code for p in err.value.problems)


def test_tag_user_is_refused_in_anonymous_questionnaires(db):
    with pytest.raises(ContentError):
        compile_rows([row(1, "tag_user", "A")], anonymous=True)


def test_end_screen_must_be_an_app_route():
    assert check_end_screen("/mainboard?page=chat") == []
    assert check_end_screen("[% IF x %]/mainboard?page=feed[% ELSE %]/mainboard?page=escapemanual[% END %]") == []
    assert check_end_screen("home")
    assert check_end_screen("/mainboard?page=nowhere")
    assert check_end_screen("[% IF x %]home[% END %]")


def test_every_shipped_questionnaire_is_valid(db):
    for questionnaire in Questionnaire.select():
        assert validate_questionnaire(questionnaire) == [], questionnaire.name


def test_cache_follows_content_changes(db):
    from penhas_api.core.models import QuizConfig

    mf = Questionnaire.get_by_id(18)
    before = compiled(mf)
    row_ = QuizConfig.get(QuizConfig.questionnaire == 18)
    old = row_.question
    try:
        QuizConfig.update(question="novo texto").where(QuizConfig.id == row_.id).execute()
        assert compiled(Questionnaire.get_by_id(18))[0]["content"] == "novo texto"
    finally:
        QuizConfig.update(question=old).where(QuizConfig.id == row_.id).execute()
    assert compiled(Questionnaire.get_by_id(18)) == before
