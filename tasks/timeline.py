"""Timeline notifications (likes, comments, Círculo PenhaS local posts) as queued tasks."""
from penhas_api.core.services import timeline_notifications
from tasks import huey
from tasks.base import with_db


# 5 attempts for likes and comments, as the original (badge posts had 3; one policy keeps it simple).
@huey.task(name=timeline_notifications.TASK_NAME, retries=4, retry_delay=15, retry_backoff=2)
def new_notification(kind: str, *args):
    return with_db(timeline_notifications.dispatch)(kind, *args)
