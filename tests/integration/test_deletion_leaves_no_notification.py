"""Deletion leaves nothing addressed only to her (issue 11, item 11): a notification whose single recipient was
her goes with her; one she shared with others stays for them. SQLite overwrites what it deletes."""
from penhas_api.core.db import database
from penhas_api.core.models import NotificationLog, NotificationMessage
from penhas_api.core.services import accounts
from penhas_api.core.services.notifications import notify_users
from tests.factories import make_user
from tests.helpers import needs_sqlite


def test_a_notification_only_she_received_is_deleted_with_her(db):
    her, other = make_user(), make_user()
    only_hers = notify_users([her.id], "Aviso", "O seu agressor comentou: ...")
    shared = notify_users([her.id, other.id], "Novidade", "para todas")
    about_her = notify_users([other.id], "Comentário", "ela comentou", subject_id=her.id)
    assert accounts.erase_user(her.id, "scheduled") is False  # not scheduled: nothing happens
    assert accounts.erase_user(her.id, "operator")
    assert not NotificationMessage.select().where(NotificationMessage.id == only_hers.id).exists()
    assert NotificationMessage.get_by_id(shared.id).content == "para todas"
    assert NotificationLog.select().where(NotificationLog.message == shared.id).count() == 1
    # A message she caused stays with its recipient, no longer naming her (as before).
    assert NotificationMessage.get_by_id(about_her.id).subject_id == 0


@needs_sqlite
def test_sqlite_overwrites_deleted_content_whatever_the_library_default():
    pragmas = dict(database.obj._pragmas)
    assert pragmas.get("secure_delete") in (1, "on", True), pragmas
    with database.connection_context():
        assert database.execute_sql("PRAGMA secure_delete").fetchone()[0] == 1
