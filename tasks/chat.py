"""Chat: the notification tick (backend-rules §8.4, §10): pending chat messages older than 5 minutes become one
in-app notification each, rows older than a day are forgotten. Once per minute across consumers (periodic claim);
the claim inside the service keeps a manual re-run from notifying twice."""
from huey import crontab

from penhas_api.core.services import chat_notifications
from tasks.base import periodic_job


@periodic_job("chat.notifications", crontab(minute="*"))
def chat_notifications_tick():
    """Turn chat messages pending for more than 5 minutes into in-app notifications; forget those older than a
    day."""
    return chat_notifications.tick()
