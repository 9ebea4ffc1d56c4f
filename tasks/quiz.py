"""Quiz housekeeping: a Manual de Fuga left in progress for 30 days starts over; anonymous sessions are kept 30 days."""
from huey import crontab

from penhas_api.core.services import anon_quiz, mf_state
from tasks.base import periodic_job


@periodic_job("quiz.mf_reset_stale", crontab(minute="40", hour="4"))
def mf_reset_stale():
    """Send manuals in progress for more than 30 days back to the start (backend-rules §9.7)."""
    return {"reset": mf_state.reset_stale()}


@periodic_job("quiz.purge_anonymous", crontab(minute="50", hour="4"))
def purge_anonymous():
    """Delete anonymous questionnaire sessions older than 30 days."""
    return {"deleted": anon_quiz.purge_old()}
