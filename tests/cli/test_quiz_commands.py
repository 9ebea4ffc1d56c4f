"""`penhas quiz …`, `penhas tarefas …`, `penhas users mf-reset`: content as reviewable files, audited changes."""
import json

import pytest
from typer.testing import CliRunner

from penhas_api.core.models import AuditLog, MfControl, Questionnaire, QuizConfig
from penhas_api.core.services import mf_state
from penhas_cli.main import app
from tests.factories import make_user

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(map(str, args)), env={"PENHAS_OPERATOR": "ana.ops"})


@pytest.fixture
def imported(db):
    """Remove what a test imported (questionnaire tables keep seeded content between tests)."""
    names = []
    yield names
    for q in Questionnaire.select().where(Questionnaire.name.in_(names or [""])):
        QuizConfig.delete().where(QuizConfig.questionnaire == q.id).execute()
        q.delete_instance()


def test_list_show_and_validate_all():
    r = run("quiz", "list", "--json")
    assert r.exit_code == 0, r.output
    names = {q["id"]: q["name"] for q in json.loads(r.output)}
    assert names[1] == "assistente-penhas" and {12, 13, 14, 15, 16, 17, 18, 19} <= set(names)
    r = run("quiz", "show", 12)
    assert r.exit_code == 0 and "B0_P0" in r.output
    assert run("quiz", "show", 999999).exit_code == 1
    r = run("quiz", "validate-all")
    assert r.exit_code == 0, r.output


def test_export_validate_import_round_trip(tmp_path, imported):
    path = tmp_path / "b1.json"
    assert run("quiz", "export", 13, "-o", path).exit_code == 0
    data = json.loads(path.read_text())
    assert data["questionnaire"]["name"] == "mf-b1-passos-para-fuga"
    r = run("quiz", "validate", path)
    assert r.exit_code == 0 and "ok" in r.output
    # Re-importing the shipped content changes nothing.
    r = run("quiz", "import", path)
    assert r.exit_code == 0 and "0 novas, 0 alteradas, 0 removidas" in r.output
    assert not AuditLog.select().where(AuditLog.action == "quiz.import").exists()

    # A copy under another name, edited by the team.
    data["questionnaire"]["name"] = "copia-b1"
    data["questionnaire"]["active"] = False
    imported.append("copia-b1")
    data["questions"][1]["question"] = "Texto revisado"
    path.write_text(json.dumps(data, ensure_ascii=False))
    r = run("quiz", "import", path, "--dry-run")
    assert r.exit_code == 0 and "dry-run" in r.output
    assert not Questionnaire.select().where(Questionnaire.name == "copia-b1").exists()
    r = run("quiz", "import", path)
    assert r.exit_code == 0 and f"{len(data['questions'])} novas" in r.output
    copy = Questionnaire.get(Questionnaire.name == "copia-b1")
    assert QuizConfig.select().where(QuizConfig.questionnaire == copy.id).count() == len(data["questions"])
    version = copy.content_version
    r = run("quiz", "import", path)
    assert "0 novas, 0 alteradas, 0 removidas" in r.output
    assert Questionnaire.get_by_id(copy.id).content_version == version
    data["questions"] = data["questions"][:-1]
    data["questions"][0]["relevance"] = "B1_P1 == 'Y'"
    path.write_text(json.dumps(data, ensure_ascii=False))
    r = run("quiz", "import", path)
    assert "0 novas, 1 alteradas, 1 removidas" in r.output
    assert Questionnaire.get_by_id(copy.id).content_version > version
    audit = AuditLog.select().where(AuditLog.action == "quiz.import").order_by(AuditLog.id.desc()).get()
    assert audit.actor == "ana.ops" and audit.target_id == str(copy.id)
    # Publish / unpublish, audited.
    assert run("quiz", "publish", copy.id).exit_code == 0 and Questionnaire.get_by_id(copy.id).active
    assert run("quiz", "unpublish", copy.id).exit_code == 0 and not Questionnaire.get_by_id(copy.id).active
    assert [a.action for a in AuditLog.select().where(AuditLog.target_id == str(copy.id))
            .order_by(AuditLog.id)][-2:] == ["quiz.publish", "quiz.unpublish"]


def test_validate_reports_each_problem_with_its_code(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"questionnaire": {"name": "x", "end_screen": "home", "condition": "a =="},
                                "questions": [
                                    {"type": "yesno", "code": "P1", "question": "[% IF x %]sem fim"},
                                    {"type": "onlychoice", "code": "P2", "question": "q", "options": []},
                                    {"type": "yesno", "code": "P3", "question": "q", "tarefas": ["T999"]},
                                    {"type": "voodoo", "code": "P4"}]}))
    r = run("quiz", "validate", path, "--json")
    assert r.exit_code == 1
    problems = json.loads(r.output)
    codes = {p["code"] for p in problems}
    assert {"end_screen", "condition", "P4"} <= codes
    r = run("quiz", "validate", path)
    assert r.exit_code == 1 and "P4" in r.output
    r = run("quiz", "import", path)
    assert r.exit_code == 1 and not Questionnaire.select().where(Questionnaire.name == "x").exists()
    path.write_text("{not json")
    assert run("quiz", "validate", path).exit_code == 1
    assert run("quiz", "validate", tmp_path / "missing.json").exit_code == 1
    path.write_text(json.dumps({"questionnaire": {"name": "x"}, "questions": [{"type": "yesno", "code": "Q",
                                                                               "question": "q", "unknown": 1}]}))
    r = run("quiz", "validate", path, "--json")
    assert any("unknown" in p["problem"] for p in json.loads(r.output))


def test_preview_walks_without_touching_anyone():
    before = (AuditLog.select().count(), QuizConfig.select().count())
    r = run("quiz", "preview", 1, "-a", "ONB_P1=N", "-a", "ONB_P2=N", "-a", "ONB_P3=N", "-a", "ONB_P4=N",
            "-a", "ONB_FIM=1")
    assert r.exit_code == 0, r.output
    assert "Assistente PenhaS" in r.output and "não identifiquei sinais de violência" in r.output
    assert "end_screen /mainboard?page=feed" in r.output
    r = run("quiz", "preview", 12, "-a", "B0_P0=Bens, trabalho e renda")
    assert r.exit_code == 0 and "parou em B3_P19" in r.output
    assert (AuditLog.select().count(), QuizConfig.select().count()) == before


def test_tarefas_catalogue():
    r = run("tarefas", "list", "--json")
    assert r.exit_code == 0
    codes = [t["codigo"] for t in json.loads(r.output)]
    assert codes[:3] == ["T1", "T2", "T3"] and len(codes) == 132
    r = run("tarefas", "show", "T9")
    assert r.exit_code == 0 and "checkbox_contato" in r.output
    assert run("tarefas", "show", "T0").exit_code == 1


def test_users_mf_reset_is_audited():
    user = make_user()
    mf_state.control(user.id)
    MfControl.update(status="completed").where(MfControl.cliente == user.id).execute()
    r = run("users", "mf-reset", user.id)
    assert r.exit_code == 0 and "Manual de Fuga reset" in r.output
    assert MfControl.get_by_id(user.id).status == "onboarding"
    audit = AuditLog.get(AuditLog.action == "users.mf_reset")
    assert audit.target_id == str(user.id) and audit.actor == "ana.ops"
    assert run("users", "mf-reset", 999999).exit_code == 1


def test_every_new_command_help_has_an_example():
    for args in (["quiz"], ["tarefas"], *[["quiz", c] for c in ("list", "show", "validate", "validate-all", "import",
                                                               "export", "publish", "unpublish", "preview")],
                 ["tarefas", "list"], ["tarefas", "show"], ["users", "mf-reset"]):
        r = run(*args, "--help")
        assert r.exit_code == 0 and "Example:" in r.output, (args, r.output)


def test_quiz_validate_passes_on_every_shipped_questionnaire(tmp_path):
    from penhas_api.core.fixtures import FIXTURES_DIR

    shipped = [row["id"] for row in json.loads((FIXTURES_DIR / "300_questionnaires.json").read_text())["rows"]]
    assert len(shipped) == 9
    for qid in shipped:
        path = tmp_path / f"{qid}.json"
        assert run("quiz", "export", qid, "-o", path).exit_code == 0
        r = run("quiz", "validate", path)
        assert r.exit_code == 0, (qid, r.output)
