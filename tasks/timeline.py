"""Timeline notifications (likes, comments, Círculo PenhaS local posts) as queued tasks; RSS ingestion."""
from huey import crontab

from penhas_api.core.services import rss, timeline_notifications
from penhas_api.core.queue import huey
from tasks.base import periodic_job, with_db


# 5 attempts for likes and comments, as the original (badge posts had 3; one policy keeps it simple).
@huey.task(name=timeline_notifications.TASK_NAME, retries=4, retry_delay=15, retry_backoff=2)
def new_notification(kind: str, *args):
    return with_db(timeline_notifications.dispatch)(kind, *args)


@periodic_job("news.tick_rss_feeds", crontab(minute="*/5"))
def tick_rss_feeds():
    """Fetch every active RSS/Atom feed that is due (15 minutes after its last success, longer after failures)
    and publish its new news."""
    return rss.tick_rss_feeds()
