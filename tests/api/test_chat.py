"""Private chat (contract §2.9, backend-rules §8.1–8.2, scenarios of 060-chat.t): rooms, messages, blocks,
the exact error codes, the app's fixtures."""
from datetime import timedelta

import pytest

from penhas_api.core import clock
from penhas_api.core.models import ChatMessage, ChatSession, Cliente, TimelineBlock
from penhas_api.core.services import chat_auth
from tests.api.test_app_contract import assert_shape
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error
from tests.query_counter import count_queries


@pytest.fixture
def two(client, app):
    ana = make_user(apelido="Ana", last_activity_at=clock.now())
    bia = make_user(apelido="Bia", last_activity_at=clock.now() - timedelta(days=2))
    return ana, auth_headers(app, ana), bia, auth_headers(app, bia)


def open_room(client, headers, other_id):
    r = client.post("/me/chats-session", headers=headers, query_string={"prefetch": "1", "cliente_id": str(other_id)})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def send(client, headers, token, text):
    return client.post("/me/chats-messages", headers=headers, query_string={"chat_auth": token},
                       data={"message": text})


def read(client, headers, token, **params):
    return client.get("/me/chats-messages", headers=headers, query_string={"chat_auth": token, **params})


def test_open_room_errors(client, app, two):
    ana, ha, bia, hb = two
    assert_error(client.post("/me/chats-session", headers=ha, query_string={"cliente_id": str(ana.id)}), 400,
                 "cannot_message_yourself")
    assert_error(client.post("/me/chats-session", headers=ha, query_string={"cliente_id": "999999"}), 404,
                 "item_not_found")
    assert_error(client.post("/me/chats-session", headers=ha), 400, "form_error", "cliente_id", "is_required")
    assert_error(client.post("/me/chats-session", headers=ha, query_string={"cliente_id": "x"}), 400, "form_error",
                 "cliente_id", "invalid")
    # §15 item 12: a room only between accounts allowed to chat, from either side.
    man = make_user(genero="Masculino")
    assert_error(client.post("/me/chats-session", headers=ha, query_string={"cliente_id": str(man.id)}), 404,
                 "item_not_found")
    assert_error(client.post("/me/chats-session", headers=auth_headers(app, man),
                             query_string={"cliente_id": str(ana.id)}), 400, "missing_module")
    # Nobody starts a room with a woman in anonymous mode; she can start one, and then both use it.
    hidden = make_user(modo_anonimo_ativo=True)
    assert_error(client.post("/me/chats-session", headers=ha, query_string={"cliente_id": str(hidden.id)}), 404,
                 "item_not_found")
    room = open_room(client, auth_headers(app, hidden), ana.id)
    assert open_room(client, ha, hidden.id)["chat_auth"] != room["chat_auth"]
    ChatSession.delete().execute()
    gone = make_user(status="deleted_scheduled")
    assert_error(client.post("/me/chats-session", headers=ha, query_string={"cliente_id": str(gone.id)}), 404,
                 "item_not_found")
    assert ChatSession.select().count() == 0


def test_conversation_between_two_women(client, two):
    ana, ha, bia, hb = two
    opened = open_room(client, ha, bia.id)
    assert_shape("chat/chat_open_channel.json", _ok(opened))
    assert opened["prefetch"]["messages"] == [] and opened["prefetch"]["other"]["cliente_id"] == bia.id
    assert opened["prefetch"]["other"]["apelido"] == "Bia"
    assert opened["prefetch"]["other"]["activity"] == "há poucos dias"
    assert not set("/?#") & set(opened["chat_auth"])
    # No empty rooms in the list; the support tile is always there.
    assert_shape("chat/chat_read_channel_empty.json", read(client, ha, opened["chat_auth"], rows="100"))
    chats = client.get("/me/chats", headers=ha).get_json()
    assert chats["rows"] == [] and chats["support"]["other_apelido"] == "Suporte PenhaS"
    assert chats["assistant"]["title"] == "Assistente PenhaS"
    assert chats["assistant"]["quiz_session"]["current_msgs"][-1]["ref"] == "reset_questionnaire"

    long_text = "Olá 🌷 " * 300
    r = send(client, ha, opened["chat_auth"], long_text)
    assert_shape("chat/chat_send_message_channel.json", r)
    first = r.get_json()
    assert first["prev_last_msg_etag"] == opened["prefetch"]["meta"]["last_msg_etag"] != first["last_msg_etag"]
    assert send(client, ha, opened["chat_auth"], "0").status_code == 200

    # Bia opens the same room from her side and answers.
    theirs = open_room(client, hb, ana.id)
    assert [m["is_me"] for m in theirs["prefetch"]["messages"]] == [0, 0]
    assert theirs["prefetch"]["messages"][0]["message"] == "0"
    assert send(client, hb, theirs["chat_auth"], "<b>oi</b>\ncomo vai?").status_code == 200
    assert ChatSession.select().count() == 1

    r = read(client, ha, opened["chat_auth"], rows="100")
    assert_shape("chat/chat_read_channel.json", r)
    body = r.get_json()
    assert [m["is_me"] for m in body["messages"]] == [0, 1, 1]  # newest first
    assert body["messages"][0]["message"] == "&lt;b&gt;oi&lt;/b&gt;<br/>como vai?"
    assert body["messages"][2]["message"] == long_text.replace("\n", "<br/>")
    assert body["meta"]["can_send_message"] == 1 and body["meta"]["is_blockable"] == 1
    assert body["other"]["blocked_me"] == 0 and body["other"]["badges"] == []

    chats = client.get("/me/chats", headers=ha)
    assert_shape("chat/chat_list_channel.json", chats)
    row = chats.get_json()["rows"][0]
    assert row["other_apelido"] == "Bia" and row["last_message_is_me"] == 0 and row["cliente_id"] == bia.id
    assert row["last_message_at"].endswith("Z")
    assert chat_auth.read(row["chat_auth"], ana.id).room_id == chat_auth.read(opened["chat_auth"], ana.id).room_id


def _ok(body):
    class R:
        status_code = 200

        def get_json(self):
            return body

        def get_data(self, as_text=False):
            return str(body)

    return R()


def test_tokens_are_bound_to_their_user_and_room(client, app, two):
    ana, ha, bia, hb = two
    token = open_room(client, ha, bia.id)["chat_auth"]
    for call in (read(client, hb, token), send(client, hb, token, "x")):
        assert_error(call, 400, "chat_auth_invalid_user")
    assert_error(read(client, ha, "Sab12"), 400, "chat_auth_invalid")
    assert_error(read(client, ha, token + "x"), 400, "chat_auth_invalid")
    assert_error(read(client, ha, ""), 400, "form_error", "chat_auth", "is_required")
    # A room she is not in (a token minted for her id by a bug elsewhere still opens nothing).
    carla = make_user()
    room_id = chat_auth.read(token, ana.id).room_id
    assert_error(read(client, auth_headers(app, carla), chat_auth.issue_room(carla.id, room_id)), 400,
                 "chat_not_participant")
    assert_error(read(client, ha, chat_auth.issue_room(ana.id, room_id + 100)), 400, "chat_session_not_found")


def test_paging_newer_and_older(client, two):
    ana, ha, bia, hb = two
    token = open_room(client, ha, bia.id)["chat_auth"]
    token_b = open_room(client, hb, ana.id)["chat_auth"]
    for i in range(12):
        assert send(client, *((ha, token) if i % 2 else (hb, token_b)), f"m{i}").status_code == 200
    body = read(client, ha, token, rows="10").get_json()
    assert [m["message"] for m in body["messages"]] == [f"m{i}" for i in range(11, 1, -1)]
    assert body["has_more"] == 1 and body["older"] and body["newer"]
    older = read(client, ha, token, rows="10", pagination=body["older"]).get_json()
    assert [m["message"] for m in older["messages"]] == ["m1", "m0"] and older["has_more"] == 0
    assert "newer" not in older
    assert read(client, ha, token, pagination=older["older"]).get_json()["messages"] == []
    nothing_new = read(client, ha, token, pagination=body["newer"]).get_json()
    assert nothing_new["messages"] == [] and nothing_new["newer"]
    send(client, hb, token_b, "novo")
    new = read(client, ha, token, pagination=nothing_new["newer"]).get_json()
    assert [m["message"] for m in new["messages"]] == ["novo"] and new["newer"] != nothing_new["newer"]
    assert_error(read(client, ha, token, pagination="lixo"), 400, "pagination")
    # Another woman's cursor, or one of another room, is refused too.
    carla = make_user()
    other_token = open_room(client, hb, carla.id)["chat_auth"]
    other_newer = read(client, hb, other_token).get_json()["newer"]
    assert_error(read(client, hb, token_b, pagination=other_newer), 400, "pagination")
    assert_error(read(client, hb, token_b, pagination=body["newer"]), 400, "pagination")


def test_blocks(client, two):
    ana, ha, bia, hb = two
    token_a = open_room(client, ha, bia.id)["chat_auth"]
    token_b = open_room(client, hb, ana.id)["chat_auth"]
    send(client, ha, token_a, "antes")
    assert_error(client.post("/me/manage-blocks", headers=ha, query_string={"cliente_id": str(ana.id), "block": "1"}),
                 400, "cannot_block_yourself")
    assert_error(client.post("/me/manage-blocks", headers=ha, query_string={"cliente_id": str(bia.id), "block": ""}),
                 400, "form_error", "block", "is_required")
    r = client.post("/me/manage-blocks", headers=ha, query_string={"cliente_id": str(bia.id), "block": "1"})
    assert_shape("chat/chat_block_channel.json", r)
    # Twice is the same as once.
    assert client.post("/me/manage-blocks", headers=ha,
                       query_string={"cliente_id": str(bia.id), "block": "1"}).status_code == 200
    assert open_room(client, hb, ana.id)["chat_auth"]  # the room still opens
    assert_error(send(client, hb, token_b, "oi"), 400, "blocked")
    assert_error(send(client, ha, token_a, "oi"), 400, "remove_block_to_send_message")
    meta = read(client, ha, token_a).get_json()["meta"]
    assert (meta["can_send_message"], meta["did_blocked"], meta["is_blockable"]) == (0, 1, 1)
    seen = read(client, hb, token_b).get_json()
    assert seen["meta"]["can_send_message"] == 0 and seen["other"]["blocked_me"] == 1
    assert client.get("/me/chats", headers=hb).get_json()["rows"][0]["blocked_me"] == 1

    client.post("/me/manage-blocks", headers=ha, query_string={"cliente_id": str(bia.id), "block": "0"})
    before = read(client, hb, token_b).get_json()["meta"]["last_msg_etag"]
    r = send(client, hb, token_b, "voltei").get_json()
    assert r["prev_last_msg_etag"] == before != r["last_msg_etag"]
    assert open_room(client, ha, bia.id)["prefetch"]["messages"][0]["message"] == "voltei"


def test_delete_room_removes_it_for_both(client, two):
    ana, ha, bia, hb = two
    token_a = open_room(client, ha, bia.id)["chat_auth"]
    token_b = open_room(client, hb, ana.id)["chat_auth"]
    send(client, ha, token_a, "a")
    send(client, hb, token_b, "b")
    r = client.delete("/me/chats-session", headers=hb, query_string={"chat_auth": token_b})
    assert r.status_code == 200 and r.get_json() == {}
    assert ChatMessage.select().count() == 0 and ChatSession.select().count() == 0
    assert_error(read(client, ha, token_a), 400, "chat_session_not_found")
    assert client.get("/me/chats", headers=ha).get_json()["rows"] == []
    fresh = open_room(client, ha, bia.id)
    assert fresh["prefetch"]["messages"] == [] and fresh["chat_auth"] != token_a


def test_timeline_block_hides_the_room_from_her_list(client, two):
    ana, ha, bia, hb = two
    token = open_room(client, ha, bia.id)["chat_auth"]
    send(client, ha, token, "oi")
    TimelineBlock.create(cliente=ana, blocked=bia, created_at=clock.now())
    assert client.get("/me/chats", headers=ha).get_json()["rows"] == []
    assert len(client.get("/me/chats", headers=hb).get_json()["rows"]) == 1


def test_a_removed_partner(client, two):
    ana, ha, bia, hb = two
    token = open_room(client, ha, bia.id)["chat_auth"]
    send(client, ha, token, "oi")
    Cliente.update(status="deleted_scheduled").where(Cliente.id == bia.id).execute()
    body = read(client, ha, token).get_json()
    assert body["other"]["apelido"] == "Usuário removido" and body["meta"]["can_send_message"] == 0
    assert body["messages"][0]["message"] == "oi"
    assert_error(send(client, ha, token, "ainda aí?"), 400, "blocked")
    assert client.get("/me/chats", headers=ha).get_json()["rows"] == []


def test_rooms_list_pages(client, app):
    me = make_user()
    headers = auth_headers(app, me)
    for _ in range(12):
        other = make_user()
        token = open_room(client, headers, other.id)["chat_auth"]
        send(client, headers, token, "oi")
    first = client.get("/me/chats", headers=headers, query_string={"rows": "10"}).get_json()
    assert len(first["rows"]) == 10 and first["has_more"] == 1
    second = client.get("/me/chats", headers=headers, query_string={"rows": "10", "next_page": first["next_page"]})
    assert len(second.get_json()["rows"]) == 2 and second.get_json()["has_more"] == 0
    assert len(client.get("/me/chats", headers=headers).get_json()["rows"]) == 12


def test_poll_costs_a_constant_number_of_queries(client, two):
    ana, ha, bia, hb = two
    token = open_room(client, ha, bia.id)["chat_auth"]
    send(client, hb, open_room(client, hb, ana.id)["chat_auth"], "primeira")
    read(client, ha, token, rows="100")
    with count_queries() as few:
        assert read(client, ha, token, rows="100").status_code == 200
    token_b = open_room(client, hb, ana.id)["chat_auth"]
    for i in range(60):
        assert send(client, *((hb, token_b) if i % 2 else (ha, token)), f"mensagem {i}").status_code == 200
    read(client, ha, token, rows="100")
    with count_queries() as many:
        body = read(client, ha, token, rows="100").get_json()
    assert len(body["messages"]) == 61
    assert many["n"] == few["n"], many["sql"]


def test_erasing_an_account_erases_her_rooms_for_both_sides(client, two):
    from penhas_api.core.services.accounts import erase_user

    ana, ha, bia, hb = two
    token_b = open_room(client, hb, ana.id)["chat_auth"]
    send(client, hb, token_b, "oi")
    send(client, ha, open_room(client, ha, bia.id)["chat_auth"], "olá")
    Cliente.update(status="deleted_scheduled").where(Cliente.id == ana.id).execute()
    assert read(client, hb, token_b).get_json()["other"]["apelido"] == "Usuário removido"
    assert erase_user(ana.id, reason="scheduled")
    assert ChatMessage.select().count() == 0 and ChatSession.select().count() == 0
    assert_error(read(client, hb, token_b), 400, "chat_session_not_found")
    assert_error(send(client, hb, token_b, "?"), 400, "chat_session_not_found")
    assert client.get("/me/chats", headers=hb).get_json()["rows"] == []


def test_room_list_costs_a_constant_number_of_queries(client, app):
    me = make_user()
    headers = auth_headers(app, me)

    def add_room():
        send(client, headers, open_room(client, headers, make_user().id)["chat_auth"], "oi")

    add_room()
    client.get("/me/chats", headers=headers)
    with count_queries() as one:
        client.get("/me/chats", headers=headers)
    for _ in range(5):
        add_room()
    with count_queries() as six:
        assert len(client.get("/me/chats", headers=headers).get_json()["rows"]) == 6
    assert six["n"] == one["n"], six["sql"]
