"""The anonymous questionnaire API (backend-rules §9.9), used by the Twitter bot with a shared secret.

Sessions are addressed by an unguessable token returned when they are created, so only their creator can read
or answer them (fixing §15 item 13: the original used sequential ids any secret holder could walk). No user
context: the engine runs without side effects. Sessions are kept for 30 days (housekeeping).
"""
import hmac
import json
import secrets
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.errors import PenhasError, form_error
from penhas_api.core.models import AnonymousQuizSession, Questionnaire, TwitterBotConfig
from penhas_api.core.services.quiz_engine import Engine, initial_stash, now_epoch
from penhas_api.core.settings import get_settings

KEEP_DAYS = 30


def check_token(token: str) -> None:
    secret = get_settings().anon_quiz_secret
    if not secret or not hmac.compare_digest(token.encode(), secret.encode()):
        raise PenhasError("token_invalid", "invalid token", 400, field="token", reason="invalid")


def config() -> dict:
    row = TwitterBotConfig.select().order_by(TwitterBotConfig.id).first()
    return row.config if row is not None and isinstance(row.config, dict) else {}


def _questionnaires() -> list[Questionnaire]:
    from penhas_api.core.services.quiz import candidates

    return candidates(in_app=False)


def list_questionnaires() -> dict:
    return {"questionnaires": [
        {"id": q.id, "name": q.name, "end_screen": q.end_screen, "condition": q.condition,
         "penhas_start_automatically": 1 if q.penhas_start_automatically else 0,
         "penhas_cliente_required": 1 if q.penhas_cliente_required else 0} for q in _questionnaires()]}


def new_session(questionnaire_id: int, remote_id: str, init_responses: str | None) -> dict:
    questionnaire = next((q for q in _questionnaires() if q.id == questionnaire_id), None)
    if questionnaire is None:
        raise PenhasError("questionnaire_id_not_found", "questionário não encontrado", 400,
                          field="questionnaire_id", reason="invalid")
    initial = {}
    if init_responses:
        try:
            initial = json.loads(init_responses)
        except ValueError:
            initial = None
        if not isinstance(initial, dict):
            raise PenhasError("json_invalid", "init_responses precisa ser um objeto JSON", 400, field="init_stash",
                              reason="invalid")
    session = AnonymousQuizSession.create(
        token=secrets.token_urlsafe(24), remote_id=remote_id, questionnaire=questionnaire, created_at=clock.now(),
        stash=initial_stash(questionnaire), responses={**initial, "start_time": now_epoch()})
    return {"quiz_session": Engine(session, None, session_id=session.token).load()}


def _session(token: str) -> AnonymousQuizSession:
    session = AnonymousQuizSession.get_or_none(AnonymousQuizSession.token == token)
    if session is None:
        raise form_error("session_id", "invalid", "session_id não encontrada", error="session_id_invalid")
    return session


def history(token: str) -> dict:
    session = _session(token)
    return {"quiz_session": Engine(session, None, session_id=session.token).load()}


def process(token: str, params: dict) -> dict:
    session = _session(token)
    answers = {k: v for k, v in params.items() if k not in ("session_id", "token", "app_version")}
    return {"quiz_session": Engine(session, None, session_id=session.token).answer(answers)}


def purge_old(days: int = KEEP_DAYS) -> int:
    return AnonymousQuizSession.delete().where(
        AnonymousQuizSession.created_at < clock.now() - timedelta(days=days)).execute()
