"""Which questionnaire she gets (GET /me), the POST /me/quiz dispatch, and the chat assistant (backend-rules §9.5,
§9.6, §8.2)."""
from peewee import JOIN, fn

from penhas_api.core import clock
from penhas_api.core.errors import PenhasError, form_error
from penhas_api.core.ids import parse_id
from penhas_api.core.models import Cliente, Questionnaire, QuizSession
from penhas_api.core.prepared import Prepared
from penhas_api.core.quiz_lang import TemplateError, condition
from penhas_api.core.services import escape_manual
from penhas_api.core.services.escape_manual import new_session, user_tag
from penhas_api.core.services.quiz_engine import Engine, cliente_vars
from penhas_api.core.services.session_lookup import SESSION_USER
from penhas_api.core.settings import get_settings

ASSISTANT_TITLE = "Assistente PenhaS"
ASSISTANT_SUBTITLE = "Entenda se você está em situação de violência"
CHAT_END_SCREEN = "/mainboard?page=chat"
# Params the app sends with every call that are never an answer.
NOT_ANSWERS = {"session_id", "app_version"}


def quiz_not_active():
    return PenhasError("quiz_not_active", "Nenhum quiz foi encontrado no momento. Reinicie o aplicativo.", 400)


def session_not_match():
    return PenhasError("session_not_match",
                       "Sessão do quiz desta resposta não confere com a sessão atual. Reinicie o aplicativo.", 400)


def _candidates_query(in_app: bool):
    ids = get_settings().filter_questionnaire_ids
    query = Questionnaire.select()
    query = query.where(Questionnaire.id.in_(ids)) if ids else query.where(Questionnaire.active == True)  # noqa: E712
    if in_app:
        query = query.where(Questionnaire.penhas_start_automatically == True)  # noqa: E712
    else:
        query = query.where(Questionnaire.penhas_cliente_required == False)  # noqa: E712
    return query.order_by(Questionnaire.name)


def candidates(in_app: bool = True) -> list[Questionnaire]:
    return list(_candidates_query(in_app))


def _applies(questionnaire: Questionnaire, vars_: dict) -> bool:
    try:
        return condition(questionnaire.condition, vars_)
    except TemplateError:
        # A malformed condition keeps the questionnaire from everyone; `penhas quiz validate` reports it.
        return False


def _unfinished_candidates(_variant, cliente):
    finished = QuizSession.select(QuizSession.id).where(
        QuizSession.cliente == cliente, QuizSession.questionnaire == Questionnaire.id,
        QuizSession.deleted == False, QuizSession.finished_at.is_null(False))  # noqa: E712
    return _candidates_query(in_app=True).where(~fn.EXISTS(finished))


# Her latest open session of each candidate, joined (None when she has none).
_OPEN = QuizSession.alias("open_session")


def _with_open_session(variant, cliente):
    latest = QuizSession.select(fn.MAX(QuizSession.id)).where(
        QuizSession.cliente == cliente, QuizSession.questionnaire == Questionnaire.id,
        QuizSession.deleted == False, QuizSession.finished_at.is_null())  # noqa: E712
    return (_unfinished_candidates(variant, cliente).select_extend(_OPEN)
            .join(_OPEN, JOIN.LEFT_OUTER, on=(_OPEN.id == latest), attr="open_session"))


# Runs on every GET /me while a questionnaire waits for her: compiled once (core/prepared.py).
_UNFINISHED = Prepared(_with_open_session, cliente=QuizSession.cliente)


def _variant() -> tuple:
    """Both compiled queries' variant: the settings' questionnaire filter, which _candidates_query reads."""
    return tuple(get_settings().filter_questionnaire_ids or ())


# GET /me asks inside its session query whether any in-app questionnaire is left unfinished (after onboarding,
# none is) before choosing one.
_ANY_UNFINISHED = Prepared(lambda variant: _unfinished_candidates(variant, SESSION_USER.id))


def unfinished_check() -> tuple[str, list]:
    """The session query's subquery (session_lookup ``along``): is a questionnaire left that GET /me might show?"""
    return _ANY_UNFINISHED.bind(_variant())


def eligible(user: Cliente) -> Questionnaire | None:
    """The first questionnaire she has not finished whose condition applies to her, with ``.open_session``."""
    vars_ = {"cliente": cliente_vars(user)}
    # The candidates she has not finished yet and her open sessions of them, in one query.
    for questionnaire in _UNFINISHED(_variant(), cliente=user.id):
        if _applies(questionnaire, vars_):
            return questionnaire
    return None


def open_session(user: Cliente, questionnaire: Questionnaire) -> QuizSession:
    """Her open session of a questionnaire ``eligible`` chose, or a new one."""
    return questionnaire.open_session or new_session(user, questionnaire)


def pending_quiz(user: Cliente) -> dict | None:
    """The quiz_session GET /me shows, or None when no questionnaire is waiting for her."""
    questionnaire = eligible(user)
    if questionnaire is None:
        return None
    return Engine(open_session(user, questionnaire), user).load()


def apply_to_me(user: Cliente, body: dict) -> dict:
    """GET /me: while a quiz is pending the app shows only the quiz, so it is the only module."""
    quiz_session = pending_quiz(user)
    if quiz_session is not None:
        body["quiz_session"] = quiz_session
        body["modules"] = [{"code": "quiz", "meta": {}}]
    return body


def post_quiz(user: Cliente, params: dict) -> dict:
    """POST /me/quiz: start or answer one of her sessions (assistant 'A…', manual 'MF…', or a numeric id)."""
    session_id = str(params.get("session_id") or "").strip()
    if not session_id:
        raise form_error("session_id", "is_required")
    if session_id.startswith("MF:Address"):
        return escape_manual.redo_address(user)
    if session_id.startswith("MF"):
        return escape_manual.start(user)
    if session_id.startswith("A"):
        return assistant(user, session_id, params)
    numeric = parse_id(session_id)
    if numeric is None:
        raise form_error("session_id", "invalid")
    session = QuizSession.get_or_none(QuizSession.id == numeric, QuizSession.cliente == user.id,
                                      QuizSession.deleted == False)  # noqa: E712
    if session is None:
        raise quiz_not_active()
    if session.finished_at is not None:
        raise session_not_match()
    answers = {k: v for k, v in params.items() if k not in NOT_ANSWERS}
    engine = Engine(session, user)
    return {"quiz_session": engine.answer(answers) if answers else engine.load()}


# -- the chat assistant ------------------------------------------------------------------------------------------
def _reply(session_id: str, msgs: list[dict]) -> dict:
    return {"quiz_session": {"session_id": session_id, "current_msgs": msgs, "prev_msgs": None}}


def _text(content: str, style: str = "normal") -> dict:
    return {"type": "displaytext", "style": style, "content": content}


def reset_questionnaires(user: Cliente) -> Questionnaire | None:
    """Her auto-start questionnaires can be answered again: their sessions are set aside (kept, marked deleted)."""
    auto = Questionnaire.select(Questionnaire.id).where(Questionnaire.penhas_start_automatically == True)  # noqa: E712
    QuizSession.update(deleted=True, deleted_at=clock.now()).where(
        QuizSession.cliente == user.id, QuizSession.deleted == False, QuizSession.questionnaire.in_(auto)  # noqa: E712
    ).execute()
    Cliente.update(quiz_assistant_yes_count=Cliente.quiz_assistant_yes_count + 1).where(
        Cliente.id == user.id).execute()
    return eligible(user)


def assistant(user: Cliente, session_id: str, params: dict) -> dict:
    if "reset_questionnaire" in params:
        value = str(params["reset_questionnaire"])
        if value == "Y":
            questionnaire = reset_questionnaires(user)
            if questionnaire is None:
                return _reply(session_id, [_text("Não há questionários para você no momento!")])
            return {"quiz_session": Engine(open_session(user, questionnaire), user).load()}
        if value == "N":
            return _reply(session_id, [{"type": "button", "content": "Tudo bem, no momento esta é minha única função!",
                                        "ref": "BT_RETURN", "label": "Retornar", "action": "none"}])
        return _reply(session_id, [_text("Valor para reset_questionnaire precisa ser Y ou N", "error")])
    if str(params.get("BT_RETURN", "")) == "1":
        return {"quiz_session": {"session_id": session_id, "finished": 1, "end_screen": CHAT_END_SCREEN}}
    return _reply(session_id, [_text("Não entendo outros campos.", "error")])


def assistant_chat_entry(cliente: Cliente) -> dict | None:
    """The `assistant` entry of GET /me/chats (backend-rules §8.2): women only."""
    if not cliente.is_female:
        return None
    last = (QuizSession.select(QuizSession.finished_at).join(Questionnaire)
            .where(QuizSession.cliente == cliente.id, QuizSession.finished_at.is_null(False),
                   Questionnaire.penhas_start_automatically == True)  # noqa: E712
            .order_by(QuizSession.finished_at.desc()).first())
    msgs = []
    if last is not None:
        day = last.finished_at.strftime("%d/%m/%Y")
        user = Cliente.get_by_id(cliente.id)
        outcome = ("você estava em situação de risco." if user.quiz_detectou_violencia
                   else "você não estava em situação de violência.")
        msgs.append(_text(f"De acordo com as respostas do questionário realizado no dia {day}, identifiquei que "
                          f"{outcome}"))
    msgs.append({"type": "yesno", "content": "Deseja responder o questionário novamente?" if last is not None
                 else "Deseja responder o questionário?", "ref": "reset_questionnaire"})
    return {"title": ASSISTANT_TITLE, "subtitle": ASSISTANT_SUBTITLE,
            "avatar_url": f"{get_settings().public_url}/avatar/penhas.svg",
            "quiz_session": {"session_id": "A" + user_tag(cliente), "current_msgs": msgs, "prev_msgs": None}}
