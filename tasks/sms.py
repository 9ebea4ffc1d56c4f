"""SMS sending (guardian invites, panic alerts): one task per ``sent_sms_log`` row.

Retries back off exponentially (2, 4, 8, 16, 32 s: about a minute in all, so a short provider outage is
ridden out); a send that exhausts them is left ``failed`` and recorded in ``failed_jobs`` (tasks/jobs.py).
"""
from huey import crontab

from penhas_api.core.services import sms
from penhas_api.core.queue import huey
from tasks.base import periodic_job, with_db

SMS_RETRIES = 5
SMS_RETRY_DELAY = 2
SMS_RETRY_BACKOFF = 2


@huey.task(name=sms.TASK_NAME, retries=SMS_RETRIES, retry_delay=SMS_RETRY_DELAY, retry_backoff=SMS_RETRY_BACKOFF,
           context=True)
def send_sms(log_id: int, task=None):
    # `task.retries` is what is left after this attempt fails: 0 means nobody will try again by itself.
    return with_db(sms.deliver)(log_id, final=not task.retries)


@periodic_job("sms.requeue_stale", crontab(minute="*"))
def requeue_stale_sms():
    """Queue again SMS whose task was lost (worker killed mid-send, Redis restarted, enqueue refused)."""
    return {"requeued": sms.requeue_stale()}
