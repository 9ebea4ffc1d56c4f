"""In-app notifications: notify_users, unread count, listing and paging (contract §2.6, backend-rules §2.4)."""
from penhas_api.core.models import NotificationLog, NotificationMessage
from penhas_api.core.services.notifications import SUBJECT_SUPPORT, notify_users
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error


def test_notify_users_creates_one_message_and_a_log_per_recipient(client, app):
    a, b = make_user(), make_user()
    message = notify_users([a.id, b.id, a.id, 999999], "Aviso", "Conteúdo <b>importante</b>")
    assert NotificationMessage.select().count() == 1 and message.subject_id is None
    assert sorted(log.cliente_id for log in NotificationLog.select()) == sorted([a.id, b.id])
    assert notify_users([], "x", "y") is None and notify_users([424242], "x", "y") is None
    assert NotificationMessage.select().count() == 1


def test_unread_count_list_marks_read_and_new_ones_count_again(client, app, frozen_clock):
    user = make_user()
    headers = auth_headers(app, user)
    assert client.get("/me/unread-notif-count", headers=headers).get_json() == {"count": 0}
    notify_users([user.id], "Bem-vinda", "Olá!")
    notify_users([user.id], "Aviso", "Segundo")
    notify_users([make_user().id], "Outra", "Não é dela")
    assert client.get("/me/unread-notif-count", headers=headers).get_json() == {"count": 2}
    body = client.get("/me/notifications", headers=headers, query_string={"rows": "1000"}).get_json()
    assert body["has_more"] == 0 and body["next_page"] is None
    assert [r["title"] for r in body["rows"]] == ["Aviso", "Bem-vinda"]
    row = body["rows"][0]
    assert row == {"content": "Segundo", "title": "Aviso", "time": "2026-11-23T12:00:00Z",
                   "icon": row["icon"], "name": "PenhaS"}
    assert row["icon"].endswith("/i/0.svg")
    assert client.get("/me/unread-notif-count", headers=headers).get_json() == {"count": 0}
    # Same frozen second: still counted as new, because reading is tracked by row, not by time.
    notify_users([user.id], "Mais um", "Terceiro")
    assert client.get("/me/unread-notif-count", headers=headers).get_json() == {"count": 1}


def test_paging_with_next_page_and_names(client, app):
    user = make_user()
    author = make_user(apelido="Joana")
    anonymous = make_user(apelido="Escondida", modo_anonimo_ativo=True)
    headers = auth_headers(app, user)
    notify_users([user.id], "curtiu sua publicação", "post", meta={"tweet_id": "200528T2055380001"},
                 subject_id=author.id, icon=3)
    notify_users([user.id], "comentou", "c", meta={"tweet_id": "200528T2055380001", "comment_id": "9"},
                 subject_id=anonymous.id, icon=5)
    notify_users([user.id], "", "", meta={"chat": 1}, subject_id=SUBJECT_SUPPORT, icon=1)
    for i in range(10):
        notify_users([user.id], f"n{i}", "x")
    first = client.get("/me/notifications", headers=headers, query_string={"rows": "10"}).get_json()
    assert first["has_more"] == 1 and len(first["rows"]) == 10 and isinstance(first["next_page"], str)
    second = client.get("/me/notifications", headers=headers,
                        query_string={"rows": "10", "next_page": first["next_page"]}).get_json()
    assert second["has_more"] == 0 and len(second["rows"]) == 3
    support, anon, liked = second["rows"]
    assert support["name"] == "Suporte PenhaS" and support["title"] == "respondeu sua mensagem"
    assert anon["name"] == "Anônimo"
    assert anon["expand_screen"] == "/mainboard/tweet/200528T2055380001?comment_id=9"
    assert liked["name"] == "Joana" and liked["icon"].endswith("/i/3.svg")
    assert liked["expand_screen"] == "/mainboard/tweet/200528T2055380001"
    # rows outside 10..1000 fall back to 10
    assert len(client.get("/me/notifications", headers=headers, query_string={"rows": "5"}).get_json()["rows"]) == 10


def test_a_cursor_is_hers_only_and_garbage_is_400(client, app):
    user, other = make_user(), make_user()
    for i in range(12):
        notify_users([user.id, other.id], f"n{i}", "x")
    token = client.get("/me/notifications", headers=auth_headers(app, user),
                       query_string={"rows": "10"}).get_json()["next_page"]
    assert_error(client.get("/me/notifications", headers=auth_headers(app, other), query_string={"next_page": token}),
                 400, "form_error", "next_page")
    assert_error(client.get("/me/notifications", headers=auth_headers(app, user),
                            query_string={"next_page": "garbage"}), 400, "form_error", "next_page")
    assert_error(client.get("/me/notifications", headers=auth_headers(app, user), query_string={"rows": "dez"}),
                 400, "form_error", "rows", "invalid")


def test_listing_someone_elses_notifications_is_impossible(client, app):
    user, other = make_user(), make_user()
    notify_users([other.id], "Privado", "só dela")
    body = client.get("/me/notifications", headers=auth_headers(app, user)).get_json()
    assert body["rows"] == []
    assert client.get("/me/unread-notif-count", headers=auth_headers(app, other)).get_json() == {"count": 1}
