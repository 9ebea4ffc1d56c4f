"""Questionnaires as reviewable JSON files the NGO's team edits: export, validate, import, publish, preview.

File shape (``penhas quiz export`` writes it, ``penhas quiz import`` reads it)::

    {"questionnaire": {"name": ..., "active": false, "condition": "...", "end_screen": "/mainboard?page=feed",
                       "penhas_start_automatically": true, "penhas_cliente_required": true},
     "questions": [{"type": "yesno", "code": "P1", "question": "...", "relevance": "1", "intro": ["..."],
                    "options": [{"label": ..., "value": ...}], "tarefas": ["T1"], "tags": ["T2"],
                    "button_label": null, "change_to_questionnaire_id": null, "yesnogroup": [], "status": "published"}]}

A questionnaire is matched by name. Importing the same file twice changes nothing (questions are compared one by
one and only differences are written), so the compiled cache and live sessions are left alone. Every change is
audited here, by the service.
"""
from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import MfTag, MfTarefa, Questionnaire, QuizConfig, QuizSession
from penhas_api.core.services.quiz_compile import Problem, validate_questionnaire

QUESTIONNAIRE_FIELDS = ("name", "active", "condition", "end_screen", "penhas_start_automatically",
                        "penhas_cliente_required")
QUESTION_DEFAULTS = {"question": "", "relevance": "1", "intro": [], "options": None, "tarefas": [], "tags": [],
                     "button_label": None, "change_to_questionnaire_id": None, "yesnogroup": [], "status": "published"}


def not_found(questionnaire_id):
    return PenhasError("questionnaire_not_found", f"questionário {questionnaire_id} não existe", 404)


def get(questionnaire_id: int) -> Questionnaire:
    questionnaire = Questionnaire.get_or_none(Questionnaire.id == questionnaire_id)
    if questionnaire is None:
        raise not_found(questionnaire_id)
    return questionnaire


def summary(q: Questionnaire) -> dict:
    questions = QuizConfig.select().where(QuizConfig.questionnaire == q.id).count()
    return {"id": q.id, "name": q.name, "active": q.active, "condition": q.condition, "end_screen": q.end_screen,
            "penhas_start_automatically": q.penhas_start_automatically,
            "penhas_cliente_required": q.penhas_cliente_required, "questions": questions,
            "modified_on": q.modified_on.isoformat(timespec="seconds")}


def list_questionnaires() -> list[dict]:
    return [summary(q) for q in Questionnaire.select().order_by(Questionnaire.id)]


def _question_out(r: QuizConfig) -> dict:
    return {"type": r.type, "code": r.code, "question": r.question, "relevance": r.relevance,
            "intro": [i.get("text") for i in (r.intro or []) if isinstance(i, dict)], "options": r.options,
            "tarefas": [t.get("codigo") for t in (r.tarefas or []) if isinstance(t, dict)],
            "tags": [t.get("codigo") for t in (r.tag or []) if isinstance(t, dict)], "button_label": r.button_label,
            "change_to_questionnaire_id": r.change_to_questionnaire_id, "yesnogroup": r.yesnogroup or [],
            "status": r.status}


def export(questionnaire_id: int) -> dict:
    q = get(questionnaire_id)
    rows = QuizConfig.select().where(QuizConfig.questionnaire == q.id).order_by(QuizConfig.sort, QuizConfig.id)
    return {"questionnaire": {f: getattr(q, f) for f in QUESTIONNAIRE_FIELDS},
            "questions": [_question_out(r) for r in rows]}


def _db_row(question: dict) -> dict:
    """A file question as quiz_config column values."""
    q = {**QUESTION_DEFAULTS, **question}
    return {"type": q["type"], "code": q["code"], "question": q["question"] or "", "relevance": q["relevance"] or "1",
            "intro": [{"text": t} for t in q["intro"] or []], "options": q["options"],
            "tarefas": [{"codigo": c} for c in q["tarefas"] or []], "tag": [{"codigo": c} for c in q["tags"] or []],
            "button_label": q["button_label"], "change_to_questionnaire_id": q["change_to_questionnaire_id"],
            "yesnogroup": q["yesnogroup"] or [], "status": q["status"]}


def _structure_problems(data) -> list[Problem]:
    if not isinstance(data, dict) or not isinstance(data.get("questionnaire"), dict) \
            or not isinstance(data.get("questions"), list):
        return [Problem("arquivo", 'precisa ser um objeto com "questionnaire" e "questions"')]
    problems = []
    head = data["questionnaire"]
    if not str(head.get("name") or "").strip():
        problems.append(Problem("questionnaire", "name é obrigatório"))
    for field in set(head) - set(QUESTIONNAIRE_FIELDS) - {"id"}:
        problems.append(Problem("questionnaire", f"campo desconhecido {field!r}"))
    for i, question in enumerate(data["questions"]):
        if not isinstance(question, dict):
            problems.append(Problem(f"#{i + 1}", "cada pergunta precisa ser um objeto"))
            continue
        code = str(question.get("code") or f"#{i + 1}")
        for field in set(question) - set(QUESTION_DEFAULTS) - {"type", "code"}:
            problems.append(Problem(code, f"campo desconhecido {field!r}"))
        for name in ("intro", "tarefas", "tags"):
            value = question.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(Problem(code, f"{name} precisa ser uma lista de textos"))
        if question.get("status", "published") not in ("published", "draft"):
            problems.append(Problem(code, "status precisa ser published ou draft"))
    return problems


def _well_formed(question) -> bool:
    return isinstance(question, dict) and all(
        isinstance(question.get(n, []), list) and all(isinstance(v, str) for v in question.get(n, []))
        for n in ("intro", "tarefas", "tags"))


def validate(data) -> list[Problem]:
    """Every problem of a questionnaire file: its shape, each condition and text, and the codes it refers to."""
    problems = _structure_problems(data)
    if not isinstance(data, dict) or not isinstance(data.get("questionnaire"), dict) \
            or not isinstance(data.get("questions"), list) or not data["questionnaire"].get("name"):
        return problems
    data = {**data, "questions": [q for q in data["questions"] if _well_formed(q)]}
    head = data["questionnaire"]
    draft = Questionnaire(name=head["name"], condition=head.get("condition", "0"),
                          end_screen=head.get("end_screen", "/mainboard?page=feed"),
                          penhas_cliente_required=head.get("penhas_cliente_required", True))
    rows = []
    for i, question in enumerate(data["questions"]):
        row = _db_row(question)
        row["id"] = i + 1
        if row["status"] == "published":
            rows.append(row)
    problems.extend(validate_questionnaire(draft, rows))
    tasks = {t.codigo for t in MfTarefa.select(MfTarefa.codigo)}
    tags = {t.code for t in MfTag.select(MfTag.code)}
    for question in data["questions"]:
        code = question.get("code")
        problems += [Problem(code, f"tarefa {c} não existe") for c in question.get("tarefas") or [] if c not in tasks]
        problems += [Problem(code, f"tag {c} não existe") for c in question.get("tags") or [] if c not in tags]
        target = question.get("change_to_questionnaire_id")
        if target and not Questionnaire.select().where(Questionnaire.id == target).exists():
            problems.append(Problem(code, f"questionário {target} não existe"))
    return problems


def _same(existing: QuizConfig, row: dict) -> bool:
    return all(getattr(existing, "change_to_questionnaire_id" if k == "change_to_questionnaire_id" else k) == v
               for k, v in row.items())


def import_file(data, dry_run: bool = False) -> dict:
    """Create or update the questionnaire the file describes. Refuses a file with problems."""
    problems = validate(data)
    if problems:
        raise PenhasError("invalid_questionnaire", "; ".join(str(p) for p in problems), 400)
    head = data["questionnaire"]
    now = clock.now()
    result = {"name": head["name"], "created": False, "inserted": 0, "updated": 0, "deleted": 0}
    with database.atomic() as tx:
        q = Questionnaire.get_or_none(Questionnaire.name == head["name"])
        values = {f: head[f] for f in QUESTIONNAIRE_FIELDS if f in head}
        if q is None:
            q = Questionnaire.create(created_on=now, modified_on=now, **values)
            result["created"] = True
        elif any(getattr(q, f) != v for f, v in values.items()):
            Questionnaire.update(modified_on=now, **values).where(Questionnaire.id == q.id).execute()
            result["updated"] += 1
        existing = list(QuizConfig.select().where(QuizConfig.questionnaire == q.id)
                        .order_by(QuizConfig.sort, QuizConfig.id))
        last_sort = existing[-1].sort if existing else 0
        for position, question in enumerate(data["questions"]):
            row = _db_row(question)
            if position < len(existing):
                # Order is the file's order; existing sort values are kept so an unchanged file writes nothing.
                if not _same(existing[position], row):
                    QuizConfig.update(modified_on=now, **row).where(QuizConfig.id == existing[position].id).execute()
                    result["updated"] += 1
            else:
                last_sort += 1000
                QuizConfig.create(questionnaire=q, modified_on=now, sort=last_sort, **row)
                result["inserted"] += 1
        extra = [r.id for r in existing[len(data["questions"]):]]
        if extra:
            result["deleted"] = QuizConfig.delete().where(QuizConfig.id.in_(extra)).execute()
        result["id"] = q.id
        if dry_run:
            tx.rollback()
            return result
        if result["created"] or result["inserted"] or result["updated"] or result["deleted"]:
            Questionnaire.update(modified_on=now).where(Questionnaire.id == q.id).execute()
            audit("quiz.import", "questionnaire", q.id, inserted=result["inserted"], updated=result["updated"],
                  deleted=result["deleted"], created=result["created"])
    return result


def set_active(questionnaire_id: int, active: bool) -> Questionnaire:
    q = get(questionnaire_id)
    if active:
        problems = validate_questionnaire(q)
        if problems:
            raise PenhasError("invalid_questionnaire", "; ".join(str(p) for p in problems), 400)
    Questionnaire.update(active=active, modified_on=clock.now()).where(Questionnaire.id == q.id).execute()
    audit("quiz.publish" if active else "quiz.unpublish", "questionnaire", q.id)
    return get(q.id)


def open_sessions(questionnaire_id: int) -> int:
    return QuizSession.select().where(QuizSession.questionnaire == questionnaire_id,
                                      QuizSession.finished_at.is_null(), QuizSession.deleted == False).count()  # noqa: E712


# -- preview --------------------------------------------------------------------------------------------------------
class PreviewSession:
    """An in-memory session for walking content in the terminal: nothing is stored, nobody's account is touched."""

    id = "preview"
    finished_at = None

    def __init__(self, questionnaire: Questionnaire):
        from penhas_api.core.services.quiz_engine import initial_stash, now_epoch

        self.questionnaire = questionnaire
        self.stash = initial_stash(questionnaire)
        self.responses = {"start_time": now_epoch()}

    @property
    def questionnaire_id(self):
        return self.questionnaire.id

    def save(self, only=None):
        return None


def preview_engine(questionnaire_id: int):
    from penhas_api.core.services.quiz_engine import Engine

    return Engine(PreviewSession(get(questionnaire_id)), None)
