"""The converter of the NGO's Manual de Fuga SQL export (fixtures/tools/convert_manual_de_fuga.py), on samples
written like the export (the export itself is never read by the tests)."""
import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "tools" / "convert_manual_de_fuga.py"
_spec = importlib.util.spec_from_file_location("convert_manual_de_fuga", _PATH)
conv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conv)

QUIZ = r"""DELETE FROM quiz_config WHERE questionnaire_id = 17;
INSERT INTO quiz_config(status, sort, type, code, question, questionnaire_id, intro, relevance, button_label, options, tarefas, change_to_questionnaire_id, tag)
                        VALUES ('published', 1000, 'displaytext', 'B5_R', E'It\'s "ok"\nnext line',
                        17, E'[{"text":"olá"}]', E'is_json_member(\'carona\', B5_P9_json) ', null,
                        null, '[{"codigo":"T37"},{"codigo":"T1"}]', null, '[]');
INSERT INTO quiz_config(status, sort, type, code, question, questionnaire_id, intro, relevance, button_label, options, tarefas, change_to_questionnaire_id, tag)
                        VALUES ('published', 2000, 'auto_change_questionnaire', 'ACQ', E'',
                        12, E'[]', E'1', null, null, '[{"codigo":"T1"}]', 13, '[]');
"""


def test_sql_literals_are_undone_exactly():
    rows = conv.convert_quiz_config(QUIZ)
    first, second = rows
    assert first["id"] == 17001 and second["id"] == 12001
    assert first["question"] == 'It\'s "ok"\nnext line'
    assert first["relevance"] == "is_json_member('carona', B5_P9_json)"
    assert first["intro"] == [{"text": "olá"}] and first["options"] is None
    assert first["tarefas"] == [{"codigo": "T37"}, {"codigo": "T1"}] and first["tag"] == []
    assert second["change_to_questionnaire_id"] == 13 and second["sort"] == 2000


def test_tasks_tags_and_transport_removals():
    tarefas = conv.convert_tarefas("""INSERT INTO mf_tarefa(codigo, titulo, descricao, tipo, agrupador)
                   VALUES (E'T9', E'', E'Digite aqui o telefone', E'checkbox_contato', E'Passos para fuga')
                   ON CONFLICT (codigo) WHERE (codigo::text <> ''::text) DO UPDATE SET descricao = EXCLUDED.descricao;""")
    assert tarefas == [{"id": 1, "criado_em": conv.STAMP, "eh_customizada": False, "codigo": "T9", "titulo": "",
                        "descricao": "Digite aqui o telefone", "tipo": "checkbox_contato",
                        "agrupador": "Passos para fuga"}]
    tags = conv.convert_tags("INSERT INTO mf_tag(code, description) VALUES (E'T1', E'Quis saber') ON CONFLICT (code) "
                             "DO UPDATE SET description = EXCLUDED.description;")
    assert tags == [{"id": 1, "created_on": conv.STAMP, "code": "T1", "description": "Quis saber"}]
    # Only the tasks no other block adds are taken off when the transport block is entered again.
    assert conv.remove_on_entry(conv.convert_quiz_config(QUIZ)) == [
        {"id": 1, "questionnaire_id": 17, "codigo_tarefa": "T37"}]
