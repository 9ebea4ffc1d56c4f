"""The quiz, the Manual de Fuga task list and the anonymous questionnaire API (mobile-contract §2.3, §2.4;
backend-rules §9.6, §9.8, §9.9)."""
from flask import Blueprint, g, make_response, request
from werkzeug.http import http_date

from penhas_api.auth import require_module, require_user
from penhas_api.core import clock
from penhas_api.core.errors import form_error
from penhas_api.core.services import anon_quiz, escape_manual, mf_tasks, quiz
from penhas_api.params import Field, get_params, validate

bp = Blueprint("quiz", __name__)
MAX_ANSWER = 10000


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
def post_quiz():
    params = _answer_params()
    validate({"session_id": Field("str", required=True, max_length=100)}, params)
    return quiz.post_quiz(g.user, params)


@bp.get("/me/tarefas")
@require_user
def list_tarefas():
    require_module("tweets")
    v = validate({"modificado_apos": Field("int", required=True, max_length=12)})
    return escape_manual.tarefas(g.user, v["modificado_apos"])


@bp.post("/me/tarefas/sync")
@require_user
def sync_tarefa():
    require_module("tweets")
    v = validate({"id": Field("int", required=True, max_length=18), "remove": Field("bool"),
                  "checkbox_feito": Field("bool"), "campo_livre": Field("str", max_length=mf_tasks.MAX_CAMPO_LIVRE)})
    mf_tasks.sync(g.user.id, v)
    return "", 204


@bp.post("/me/tarefas/batch")
@require_user
def batch_tarefas():
    require_module("tweets")
    body = request.get_json(silent=True, force=True)
    response = make_response(mf_tasks.batch(g.user.id, body))
    # The app stamps the task with this header's time and compares it with atualizado_em later: same clock.
    response.headers["Date"] = http_date(mf_tasks.epoch(clock.now()))
    return response


# -- anonymous questionnaires (backend-rules §9.9) --------------------------------------------------------------
def _anon_token() -> None:
    v = validate({"token": Field("str", required=True, max_length=100)})
    anon_quiz.check_token(v["token"])


@bp.get("/anon-questionnaires/config")
def anon_config():
    _anon_token()
    return anon_quiz.config()


@bp.get("/anon-questionnaires")
def anon_list():
    _anon_token()
    return anon_quiz.list_questionnaires()


@bp.post("/anon-questionnaires/new")
def anon_new():
    _anon_token()
    v = validate({"questionnaire_id": Field("int", required=True, max_length=18),
                  "remote_id": Field("str", required=True, max_length=100),
                  "init_responses": Field("str", max_length=20000)})
    return anon_quiz.new_session(v["questionnaire_id"], v["remote_id"], v.get("init_responses"))


@bp.get("/anon-questionnaires/history")
def anon_history():
    _anon_token()
    v = validate({"session_id": Field("str", required=True, max_length=100)})
    return anon_quiz.history(v["session_id"])


@bp.post("/anon-questionnaires/process")
def anon_process():
    _anon_token()
    params = _answer_params()
    validate({"session_id": Field("str", required=True, max_length=100)}, params)
    return anon_quiz.process(params["session_id"], params)
