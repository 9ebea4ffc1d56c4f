"""Chat notifications (backend-rules §8.4, §10, 060-chat.t): pending > 5 min → one in-app notification for a
recipient who wants them; > 1 day forgotten; reading the room clears it; once per period across consumers."""
from penhas_api.core.models import (
    ChatPendingNotification, ClientePreference, NotificationLog, Preference, PeriodicRun, TimelineBlock)
from penhas_api.core.services import chat, chat_notifications, chat_support
from tasks.base import run_periodic
from tests.api.test_chat import open_room, read
from tests.factories import auth_headers, make_user


def logs_of(user):
    return list(NotificationLog.select().where(NotificationLog.cliente == user.id))


def test_pending_message_becomes_one_notification_after_five_minutes(client, app, frozen_clock):
    ana, bia = make_user(apelido="Ana"), make_user()
    chat.send_message(ana, chat.open_room(ana, bia.id), "oi")
    chat.send_message(ana, chat.open_room(ana, bia.id), "tudo bem?")
    assert ChatPendingNotification.select().count() == 1
    frozen_clock.advance(minutes=4)
    assert chat_notifications.tick()["notified"] == 0 and logs_of(bia) == []
    frozen_clock.advance(minutes=1, seconds=1)
    assert chat_notifications.tick()["notified"] == 1
    assert chat_notifications.tick()["notified"] == 0
    [log] = logs_of(bia)
    assert (log.message.title, log.message.subject_id, log.message.icon, log.message.meta) == \
        ("enviou uma mensagem", ana.id, 1, {"chat": 1, "expand_screen": "/mainboard?page=chat"})
    rows = client.get("/me/notifications", headers=auth_headers(app, bia)).get_json()["rows"]
    assert rows[0]["name"] == "Ana" and rows[0]["title"] == "enviou uma mensagem"
    assert rows[0]["expand_screen"] == "/mainboard?page=chat" and rows[0]["icon"].endswith("/i/1.svg")
    assert client.get("/i/1.svg").status_code == 200
    # The row stays (no second notification for the same sender) until a day has passed.
    chat.send_message(ana, chat.open_room(ana, bia.id), "?")
    frozen_clock.advance(minutes=10)
    assert chat_notifications.tick()["notified"] == 0
    frozen_clock.advance(days=1)
    assert chat_notifications.tick()["forgotten"] == 1 and ChatPendingNotification.select().count() == 0


def test_reading_the_room_clears_what_is_pending(client, app, frozen_clock):
    ana, bia = make_user(), make_user()
    chat.send_message(ana, chat.open_room(ana, bia.id), "oi")
    hb = auth_headers(app, bia)
    read(client, hb, open_room(client, hb, ana.id)["chat_auth"])
    frozen_clock.advance(minutes=6)
    assert chat_notifications.tick()["due"] == 0 and logs_of(bia) == []


def test_preference_off_or_timeline_block_means_no_notification(frozen_clock):
    ana, bia, carla = make_user(), make_user(), make_user()
    pref = Preference.get(Preference.name == "NOTIFY_CHAT_NEW_MESSAGES")
    ClientePreference.create(cliente=bia, preference=pref, value="0", created_at=frozen_clock.now,
                             updated_at=frozen_clock.now)
    TimelineBlock.create(cliente=carla, blocked=ana, created_at=frozen_clock.now)
    chat.send_message(ana, chat.open_room(ana, bia.id), "oi")
    chat.send_message(ana, chat.open_room(ana, carla.id), "oi")
    frozen_clock.advance(minutes=6)
    assert chat_notifications.tick() == {"forgotten": 0, "due": 2, "notified": 0}
    assert NotificationLog.select().count() == 0


def test_staff_answer_notifies_her_and_reading_support_clears(client, app, frozen_clock):
    user = make_user()
    chat_support.send_from_user(user, "ajuda")
    chat_support.reply(user.id, "Estamos aqui", actor="joana")
    frozen_clock.advance(minutes=6)
    assert chat_notifications.tick()["notified"] == 1
    row = client.get("/me/notifications", headers=auth_headers(app, user)).get_json()["rows"][0]
    assert row["name"] == "Suporte PenhaS" and row["title"] == "respondeu sua mensagem"
    chat_support.reply(user.id, "Mais uma coisa", actor="joana")
    headers = auth_headers(app, user)
    token = client.get("/me/chats", headers=headers).get_json()["support"]["chat_auth"]
    read(client, headers, token)
    assert ChatPendingNotification.select().count() == 0


def test_periodic_job_runs_once_per_period_across_consumers(frozen_clock):
    ana, bia = make_user(), make_user()
    chat.send_message(ana, chat.open_room(ana, bia.id), "oi")
    frozen_clock.advance(minutes=6)
    period = frozen_clock.now.replace(second=0).isoformat()
    assert run_periodic("chat.notifications", scheduled_for=period)["notified"] == 1
    assert run_periodic("chat.notifications", scheduled_for=period) is None  # the other consumer's copy
    assert PeriodicRun.select().where(PeriodicRun.name == "chat.notifications").count() == 1
    assert len(logs_of(bia)) == 1
    frozen_clock.advance(minutes=1)
    assert run_periodic("chat.notifications", scheduled_for=frozen_clock.now.isoformat())["notified"] == 0
