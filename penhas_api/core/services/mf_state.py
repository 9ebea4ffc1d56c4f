"""The Manual de Fuga control row and block order (backend-rules §9.7): the bookkeeping the quiz engine does when
a block ends. Starting, redoing and the assistant card live in ``escape_manual``.

Status: ``onboarding`` → (start) ``inProgress`` → (last block answered) ``completed``; housekeeping turns
``inProgress`` rows older than 30 days back into ``onboarding``.
"""
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import (
    Cliente, MfControl, MfQuestionnaireOrder, MfQuestionnaireRemoveTarefa, Questionnaire)
from penhas_api.core.services import mf_tasks

RESET_AFTER_DAYS = 30


def control(cliente_id: int) -> MfControl:
    """Her control row, created in ``onboarding`` the first time."""
    row = MfControl.get_or_none(MfControl.cliente == cliente_id)
    if row is None:
        MfControl.insert(cliente=cliente_id, status="onboarding", completed_questionnaires_id=[],
                         started_at=clock.now()).on_conflict_ignore().execute()
        row = MfControl.get(MfControl.cliente == cliente_id)
    return row


def next_questionnaire(ctrl: MfControl, outstanding: bool = False) -> Questionnaire | None:
    """The first published block she has not completed, by sort; outstanding blocks jump the queue when asked."""
    done = set(ctrl.completed_questionnaires_id or [])
    rows = (MfQuestionnaireOrder.select(MfQuestionnaireOrder, Questionnaire).join(Questionnaire)
            .where(MfQuestionnaireOrder.published == "published")
            .order_by(MfQuestionnaireOrder.sort, MfQuestionnaireOrder.id))
    candidates = [r for r in rows if r.questionnaire_id not in done]
    if outstanding:
        first = [r for r in candidates if r.outstanding_order]
        if first:
            return first[0].questionnaire
    return candidates[0].questionnaire if candidates else None


def mark_completed(cliente_id: int, questionnaire_id: int | None) -> list[int]:
    ctrl = control(cliente_id)
    done = list(ctrl.completed_questionnaires_id or [])
    if questionnaire_id is not None and questionnaire_id not in done:
        done.append(questionnaire_id)
        MfControl.update(completed_questionnaires_id=done).where(MfControl.cliente == cliente_id).execute()
    return done


def prepare(cliente_id: int, questionnaire_id: int) -> None:
    """Entering a block first takes off her list the tasks that block rebuilds from its answers."""
    codes = [r.codigo_tarefa for r in MfQuestionnaireRemoveTarefa.select().where(
        MfQuestionnaireRemoveTarefa.questionnaire == questionnaire_id)]
    if codes:
        mf_tasks.remove_tasks(cliente_id, codes)


def complete(cliente_id: int) -> None:
    now = clock.now()
    Cliente.update(ja_completou_mf=True).where(Cliente.id == cliente_id).execute()
    MfControl.update(status="completed", completed_at=now, completed_questionnaires_id=[],
                     current_session=None).where(MfControl.cliente == cliente_id).execute()


def reset_stale(days: int = RESET_AFTER_DAYS) -> int:
    """Housekeeping: a manual left in progress for more than ``days`` starts over (current session dropped)."""
    limit = clock.now() - timedelta(days=days)
    return (MfControl.update(status="onboarding", current_session=None, completed_questionnaires_id=[])
            .where(MfControl.status == "inProgress", MfControl.started_at < limit).execute())


def reset(cliente_id: int) -> bool:
    """Operator reset (`penhas users mf-reset`): her manual back to the start (her task list stays). Audited."""
    if not Cliente.select().where(Cliente.id == cliente_id).exists():
        raise PenhasError("user_not_found", f"conta {cliente_id} não existe", 404)
    changed = bool(MfControl.update(status="onboarding", current_session=None, completed_questionnaires_id=[],
                                    completed_at=None).where(MfControl.cliente == cliente_id).execute())
    audit("users.mf_reset", "cliente", cliente_id, had_manual=changed)
    return changed
