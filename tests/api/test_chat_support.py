"""The support room from her side (contract §2.9, backend-rules §8.3, 070-chat-support.t), staff answering
through the service the CLI uses, and the database file holding no message text."""
import logging
from pathlib import Path

from penhas_api.core.db import database
from penhas_api.core.logs import JsonFormatter
from penhas_api.core.models import ChatSupport, ChatSupportMessage
from penhas_api.core.services import chat_auth, chat_support
from penhas_api.core.settings import get_settings
from tests.api.test_app_contract import assert_shape
from tests.api.test_chat import open_room, read, send
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error, needs_sqlite


def support_token(client, headers):
    return client.get("/me/chats", headers=headers).get_json()["support"]["chat_auth"]


def test_support_tile_and_empty_room(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    r = client.get("/me/chats", headers=headers)
    assert_shape("chat/chat_list_channel_empty.json", r, skip=("$.assistant",))
    tile = r.get_json()["support"]
    assert tile["other_apelido"] == "Suporte PenhaS" and tile["other_badges"] == []
    # Not derived from her CPF digest (the original sent 'S' + its first four hex digits).
    assert chat_auth.read(tile["chat_auth"], user.id).support
    assert user.cpf_hash.split(":")[-1][:4] not in tile["chat_auth"]
    assert not set("/?#") & set(tile["chat_auth"])
    body = read(client, headers, tile["chat_auth"]).get_json()
    assert body["messages"] == [] and body["other"]["cliente_id"] == 0
    assert "48h" in body["other"]["activity"]
    assert body["meta"] == {
        "can_send_message": 1, "did_blocked": 0, "is_blockable": 0,
        "header_message": "Este é um canal de contato direto com as administradoras do PenhaS.",
        "header_warning": "Importante: demoramos cerca de <b>2 dias para responder as mensagens</b>",
        "last_msg_etag": body["meta"]["last_msg_etag"]}
    # Another woman's support token is hers only.
    other = auth_headers(app, make_user())
    assert_error(read(client, other, tile["chat_auth"]), 400, "chat_auth_invalid_user")


def test_she_writes_staff_answer_she_reads(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    token = support_token(client, headers)
    r = send(client, headers, token, "0")
    assert_shape("chat/chat_send_message_channel.json", r)
    sent = r.get_json()
    assert ChatSupport.get(ChatSupport.cliente == user.id).last_msg_is_support is False

    chat_support.reply(user.id, "Olá! Como podemos ajudar?", actor="Joana")
    room = ChatSupport.get(ChatSupport.cliente == user.id)
    assert room.last_msg_is_support is True and room.last_msg_by == "Joana"

    body = read(client, headers, token, pagination=read(client, headers, token).get_json()["older"])
    assert body.get_json()["messages"] == []
    body = read(client, headers, token).get_json()
    assert [(m["is_me"], m["message"]) for m in body["messages"]] == [(0, "Olá! Como podemos ajudar?"), (1, "0")]
    assert body["meta"]["last_msg_etag"] != sent["prev_last_msg_etag"]
    tile = client.get("/me/chats", headers=headers).get_json()["support"]
    assert tile["last_message_is_me"] == 0

    r = client.delete("/me/chats-session", headers=headers, query_string={"chat_auth": token})
    assert r.status_code == 200 and r.get_json() == {}
    assert read(client, headers, token).get_json()["messages"] == []
    assert ChatSupportMessage.select().count() == 0


def test_men_have_support_but_no_private_chat(client, app):
    man = make_user(genero="Masculino")
    headers = auth_headers(app, man)
    chats = client.get("/me/chats", headers=headers).get_json()
    assert chats["rows"] == [] and chats["support"]["chat_auth"]
    assert send(client, headers, chats["support"]["chat_auth"], "oi").status_code == 200
    assert_error(client.post("/me/manage-blocks", headers=headers,
                             query_string={"cliente_id": str(make_user().id), "block": "1"}), 400, "missing_module")


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(JsonFormatter().format(record))


@needs_sqlite
def test_the_database_file_and_the_log_hold_no_message_text(client, app):
    logger = logging.getLogger("penhas")
    collect, level = Collect(), logger.level
    logger.addHandler(collect)
    logger.setLevel(logging.DEBUG)
    try:
        _conversation_then_scan(client, app, collect)
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)


def _conversation_then_scan(client, app, collect):
    ana, bia = make_user(), make_user()
    ha, hb = auth_headers(app, ana), auth_headers(app, bia)
    texts = ["Marquei com a advogada amanhã cedo", "Ele voltou a ameaçar, estou com medo",
             "Pedido de ajuda: preciso de abrigo"]
    token_a = open_room(client, ha, bia.id)["chat_auth"]
    token_b = open_room(client, hb, ana.id)["chat_auth"]
    assert send(client, ha, token_a, texts[0]).status_code == 200
    assert send(client, hb, token_b, texts[1]).status_code == 200
    assert send(client, ha, support_token(client, ha), texts[2]).status_code == 200
    chat_support.reply(ana.id, "Resposta da equipe sobre o abrigo", actor="Joana")
    assert read(client, hb, token_b).get_json()["messages"][1]["message"] == texts[0]
    database.connect(reuse_if_open=True)
    database.execute_sql("PRAGMA wal_checkpoint(FULL)")
    files = [p for p in get_settings().data_dir.rglob("*") if p.is_file()]
    db_file = Path(database.database)
    assert db_file in files
    for path in files:
        data = path.read_bytes()
        for text in texts + ["Resposta da equipe sobre o abrigo"]:
            for needle in (text.encode(), text.encode("utf-16-le"), text[:12].encode()):
                assert needle not in data, f"{path.name} holds message text"
    assert collect.lines and not any(text[:12] in line for line in collect.lines for text in texts)
