"""Starting the Manual de Fuga, redoing its transport block, and what GET /me/tarefas shows (backend-rules §9.7,
§9.8). The block-to-block bookkeeping is in ``mf_state``; the questions run on the quiz engine."""
from datetime import datetime, timezone

from penhas_api.core import clock
from penhas_api.core.models import Cliente, MfControl, Questionnaire, QuizSession
from penhas_api.core.services import mf_state, mf_tasks
from penhas_api.core.services.quiz_engine import Engine, initial_stash, now_epoch
from penhas_api.core.settings import get_settings

TITLES = {
    "onboarding": "Criar o meu Manual de Fuga",
    "inProgress": "Continuar preenchendo o meu Manual",
    "completed": "Refazer o meu Manual de Fuga",
}
SUBTITLE = ("O Manual de Fuga vai ajudá-la a criar um plano de saída do ambiente doméstico. Por isso, dedique um "
            "tempo, e responda ao máximo de perguntas, para podermos personalizar uma lista de ações essenciais para "
            "o seu planejamento. Ela será mostrada somente depois que você concluir a interação.")
ALREADY_RUNNING = ("Por favor, feche o aplicativo e abra novamente, já existe um manual de fuga em andamento.")


def user_tag(user: Cliente) -> str:
    """The 4 characters that end the assistant session ids ('A…', 'MF…', 'MF:Address…')."""
    return (user.cpf_hash or "")[-4:]


def _message_session(session_id: str, text: str, style: str = "normal") -> dict:
    return {"quiz_session": {"session_id": session_id, "prev_msgs": None,
                             "current_msgs": [{"type": "displaytext", "style": style, "content": text}]}}


def new_session(user: Cliente, questionnaire: Questionnaire, extra: dict | None = None) -> QuizSession:
    return QuizSession.create(cliente=user, questionnaire=questionnaire, created_at=clock.now(),
                              stash=initial_stash(questionnaire, extra), responses={"start_time": now_epoch()})


def _live_session(ctrl: MfControl) -> QuizSession | None:
    if ctrl.current_session_id is None:
        return None
    return QuizSession.get_or_none(QuizSession.id == ctrl.current_session_id, QuizSession.deleted == False,  # noqa: E712
                                   QuizSession.finished_at.is_null())


def start(user: Cliente) -> dict:
    """POST /me/quiz with 'MF…': open the first block she has not completed."""
    ctrl = mf_state.control(user.id)
    if _live_session(ctrl) is not None:
        return _message_session("MF" + user_tag(user), ALREADY_RUNNING, "error")
    questionnaire = mf_state.next_questionnaire(ctrl)
    if questionnaire is None:
        return _message_session("MF" + user_tag(user), "Não foi encontrado o questionário de manual de fuga")
    mf_state.prepare(user.id, questionnaire.id)
    session = new_session(user, questionnaire, {"is_mf": 1, "mf_control_id": user.id})
    MfControl.update(status="inProgress", started_at=clock.now(), current_session=session.id, completed_at=None
                     ).where(MfControl.cliente == user.id).execute()
    return {"quiz_session": Engine(session, user).load()}


def redo_address(user: Cliente) -> dict:
    """POST /me/quiz with 'MF:Address…' ("Revisar Transporte"): a side session that leaves her manual as it is."""
    mf_state.control(user.id)
    questionnaire = Questionnaire.get_or_none(Questionnaire.id == get_settings().mf_redo_addr_questionnaire_id)
    if questionnaire is None:
        return _message_session("MF:Address" + user_tag(user),
                                "Não foi encontrado o questionário para refazer o endereço")
    mf_state.prepare(user.id, questionnaire.id)
    session = new_session(user, questionnaire, {"is_mf": 1, "redo_addr": 1, "mf_control_id": user.id})
    return {"quiz_session": Engine(session, user).load()}


def assistant_card(user: Cliente) -> dict:
    ctrl = mf_state.control(user.id)
    quiz_session = {"session_id": "MF" + user_tag(user), "current_msgs": [], "prev_msgs": None}
    session = _live_session(ctrl) if ctrl.status == "inProgress" else None
    if session is not None:
        quiz_session = Engine(session, user).load()
    elif ctrl.current_session_id is not None:
        # Her current block is gone (deleted or finished elsewhere): the button starts the manual again.
        MfControl.update(current_session=None).where(MfControl.cliente == user.id).execute()
    return {"title": TITLES.get(ctrl.status, TITLES["onboarding"]), "subtitle": SUBTITLE, "quiz_session": quiz_session}


def tarefas(user: Cliente, modificado_apos: int) -> dict:
    """GET /me/tarefas: her tasks changed since the epoch, the removed ids, and the assistant card."""
    now = clock.now()
    since = datetime.fromtimestamp(max(0, min(modificado_apos, 253402300799)), timezone.utc).replace(tzinfo=None)
    items, removed = mf_tasks.changed_since(user.id, since)
    card = assistant_card(user)
    ctrl = mf_state.control(user.id)
    if ctrl.status != "onboarding" or user.ja_completou_mf:
        items.append({"id": -1, "atualizado_em": mf_tasks.epoch(now), "tipo": "button", "descricao": "",
                      "agrupador": "Transporte",
                      "data": {"label": "Revisar Transporte",
                               "route": f"/quiz/start?session_id=MF:Address{user_tag(user)}"}})
    return {"tarefas": items, "tarefas_removidas": removed, "mf_assistant": card, "consultado_em": mf_tasks.epoch(now)}
