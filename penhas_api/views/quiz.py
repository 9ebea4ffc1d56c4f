"""The quiz, the Manual de Fuga task list and the anonymous questionnaire API (mobile-contract §2.3, §2.4;
backend-rules §9.6, §9.8, §9.9)."""
from flask import Blueprint, g, make_response, request
from werkzeug.http import http_date

from penhas_api.auth import module_required, require_user
from penhas_api.core import clock
from penhas_api.core.errors import form_error
from penhas_api.core.services import anon_quiz, escape_manual, mf_tasks, quiz
from penhas_api.declarations import Group, declare
from penhas_api.params import Field, get_params, validate
from penhas_api.schemas import ANY, BOOL01, INT, OBJECT, STR, arr, json, obj
from penhas_api.views.quiz_schemas import QUIZ_REPLY, QUIZ_SESSION

bp = Blueprint("quiz", __name__)
MAX_ANSWER = 10000

# Checked in the view after the answers' own checks (as the original), hence `documented=` on the answer routes.
SESSION_ID = Field("str", required=True, max_length=100)
ANSWERS = ("Every other parameter is an answer, `<ref>=<value>` (the `ref` of the message it answers): at most "
           f"{MAX_ANSWER} characters, no NUL. `session_id` is checked after the answers.")
TOKEN = Field("str", required=True, max_length=100, description="the anonymous API's shared secret")
TOKEN_ERRORS = ("token_invalid",)
TASK_NOT_FOUND = ("mfclientetarefa_id_not_found",)
MISSING_MODULE = ("missing_module",)

# A task of GET /me/tarefas (mobile-contract §2.4.1): the app drops, one by one, the tasks it cannot parse.
TAREFA = obj({
    "id": INT,
    "tipo": STR,
    "agrupador": STR,
    "atualizado_em": INT,
    "descricao?": STR,
    "titulo?": STR,
    "checkbox_feito?": BOOL01,
    "eh_customizada?": BOOL01,
    "campo_livre?": ANY,  # checkbox_contato: [{id, name, phone}] or null
    "data?": obj({"label": STR, "route": STR, "arguments?": ANY}),  # button tasks
})
TAREFAS = obj({
    "consultado_em": INT,
    "mf_assistant": obj({"title": STR, "subtitle?": STR, "quiz_session": QUIZ_SESSION}),
    "tarefas": arr(TAREFA),
    "tarefas_removidas?": arr(INT),
})
FLAG = {"enum": [0, 1, True, False, "0", "1", "true", "false"]}
TASK_UPDATE = obj({
    "id": {"type": ["string", "integer"], "description": "the task id as GET /me/tarefas sent it"},
    "checkbox_feito?": {**FLAG, "description": "required unless remove is 1"},
    "campo_livre?": {"description": "contact tasks: [{id, name, phone}] or null (a JSON value or its text)"},
    "remove?": FLAG,
})

ANON_QUESTIONNAIRES = obj({"questionnaires": arr(obj({
    "id": INT, "name": STR, "end_screen": STR, "condition": STR,
    "penhas_start_automatically": BOOL01, "penhas_cliente_required": BOOL01}))})
# The anonymous session's own parameters are checked once the shared secret is (as the original).
AFTER_TOKEN = "the token is valid"


def _answer_params() -> dict:
    params = get_params()
    for name, value in params.items():
        if len(value) > MAX_ANSWER:
            raise form_error(name, "invalid_max_length")
        if "\x00" in value:
            raise form_error(name, "invalid")
    return params


@bp.post("/me/quiz")
@require_user
@declare(
    "Start or answer a quiz session (assistant 'A…', escape manual 'MF…', or a questionnaire's id)", "quiz",
    documented={"session_id": SESSION_ID}, description=ANSWERS,
    ok=json(QUIZ_REPLY),
    errors={400: ("form_error", "quiz_not_active", "session_not_match")},
    links={"answer": ("quiz.post_quiz", {"session_id": "$response.body#/quiz_session/session_id"})},
)
def post_quiz(_v):
    params = _answer_params()
    validate({"session_id": SESSION_ID}, params)
    return quiz.post_quiz(g.user, params)


@bp.get("/me/tarefas")
@require_user
@module_required("tweets")
@declare(
    "Her escape-manual tasks changed since a time, the removed ones, and the assistant card", "quiz",
    query={"modificado_apos": Field("int", required=True, max_length=12,
                                    description="epoch seconds: the consultado_em of the last answer, 0 at first")},
    ok=json(TAREFAS), errors={400: MISSING_MODULE},
    links={"start": ("quiz.post_quiz", {"session_id": "$response.body#/mf_assistant/quiz_session/session_id"})},
)
def list_tarefas(v):
    return escape_manual.tarefas(g.user, v["modificado_apos"])


@bp.post("/me/tarefas/sync")
@require_user
@module_required("tweets")
@declare(
    "Tick, untick, fill in or remove one task", "quiz",
    query={"id": Field("int", required=True, max_length=18), "remove": Field("bool"),
           "checkbox_feito": Field("bool", description="required unless remove=1"),
           "campo_livre": Field("str", max_length=mf_tasks.MAX_CAMPO_LIVRE, description="JSON text")},
    ok=None, ok_status=204,
    errors={400: MISSING_MODULE + TASK_NOT_FOUND},
)
def sync_tarefa(v):
    mf_tasks.sync(g.user.id, v)
    return "", 204


@bp.post("/me/tarefas/batch")
@require_user
@module_required("tweets")
@declare(
    "Apply many task updates at once (all or nothing)", "quiz",
    body=("application/json", {**arr(TASK_UPDATE), "maxItems": 1000}),
    description="The `Date` header of the answer is the time the app stamps the tasks with (mobile-contract "
                "§2.4.2): the same clock as `atualizado_em`.",
    ok=json(obj({"updated": INT, "removed": INT})),
    errors={400: ("form_error",) + MISSING_MODULE + TASK_NOT_FOUND},
)
def batch_tarefas(_v):
    body = request.get_json(silent=True, force=True)
    response = make_response(mf_tasks.batch(g.user.id, body))
    # The app stamps the task with this header's time and compares it with atualizado_em later: same clock.
    response.headers["Date"] = http_date(mf_tasks.epoch(clock.now()))
    return response


# -- anonymous questionnaires (backend-rules §9.9) --------------------------------------------------------------
@bp.get("/anon-questionnaires/config")
@declare("The Twitter bot's configuration", "anon-quiz", query={"token": TOKEN},
         ok=json(OBJECT), errors={400: TOKEN_ERRORS})
def anon_config(v):
    anon_quiz.check_token(v["token"])
    return anon_quiz.config()


@bp.get("/anon-questionnaires")
@declare("The questionnaires answerable without an account", "anon-quiz", query={"token": TOKEN},
         ok=json(ANON_QUESTIONNAIRES), errors={400: TOKEN_ERRORS})
def anon_list(v):
    anon_quiz.check_token(v["token"])
    return anon_quiz.list_questionnaires()


@bp.post("/anon-questionnaires/new")
@declare(
    "Open an anonymous session of a questionnaire", "anon-quiz", query={"token": TOKEN},
    groups={"session": Group(AFTER_TOKEN, {
        "questionnaire_id": Field("int", required=True, max_length=18),
        "remote_id": Field("str", required=True, max_length=100, description="the caller's id for the person"),
        "init_responses": Field("str", max_length=20000, description="a JSON object of initial answers"),
    })},
    ok=json(QUIZ_REPLY), errors={400: TOKEN_ERRORS + ("questionnaire_id_not_found", "json_invalid")},
    links={
        "history": ("quiz.anon_history", {"token": "$request.query.token",
                                          "session_id": "$response.body#/quiz_session/session_id"}),
        "process": ("quiz.anon_process", {"token": "$request.query.token",
                                          "session_id": "$response.body#/quiz_session/session_id"}),
    },
)
def anon_new(v):
    anon_quiz.check_token(v["token"])
    v.group("session")
    return anon_quiz.new_session(v["questionnaire_id"], v["remote_id"], v.get("init_responses"))


@bp.get("/anon-questionnaires/history")
@declare("An anonymous session as it stands", "anon-quiz", query={"token": TOKEN},
         groups={"session": Group(AFTER_TOKEN, {"session_id": SESSION_ID})},
         ok=json(QUIZ_REPLY), errors={400: TOKEN_ERRORS + ("session_id_invalid",)})
def anon_history(v):
    anon_quiz.check_token(v["token"])
    return anon_quiz.history(v.group("session")["session_id"])


@bp.post("/anon-questionnaires/process")
@declare(
    "Answer an anonymous session", "anon-quiz", query={"token": TOKEN}, documented={"session_id": SESSION_ID},
    description=ANSWERS,
    ok=json(QUIZ_REPLY), errors={400: TOKEN_ERRORS + ("session_id_invalid",)},
)
def anon_process(v):
    anon_quiz.check_token(v["token"])
    params = _answer_params()
    validate({"session_id": SESSION_ID}, params)
    return anon_quiz.process(params["session_id"], params)
