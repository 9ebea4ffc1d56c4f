"""`penhas notify`: operator broadcasts reach the app's notification list and unread count."""
import json

from typer.testing import CliRunner

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.models import AuditLog, Guardian, NotificationLog, NotificationMessage
from penhas_cli.main import app as cli
from tests.factories import auth_headers, make_user

runner = CliRunner()


def _invoke(*args, code=0):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result


def _users():
    with database.connection_context():
        return {
            "sp_woman": make_user(cep_estado="SP", genero="Feminino"),
            "rj_man": make_user(cep_estado="RJ", genero="Masculino"),
            "banned": make_user(status="banned", cep_estado="SP"),
        }


def test_send_to_segment_active_reaches_notifications_and_unread_count(app, client):
    users = _users()
    headers = {k: auth_headers(app, u) for k, u in users.items()}
    before = client.get("/me/unread-notif-count", headers=headers["sp_woman"]).get_json()["count"]

    result = _invoke("notify", "send", "--title", "Novidade", "--content", "Conheça o novo mapa", "--segment",
                     "active", "--yes")
    assert "notification added for 2 user(s)" in result.output

    for who in ("sp_woman", "rj_man"):
        assert client.get("/me/unread-notif-count", headers=headers[who]).get_json() == {"count": before + 1}
        body = client.get("/me/notifications?rows=1000", headers=headers[who]).get_json()
        assert body["rows"][0]["title"] == "Novidade" and body["rows"][0]["content"] == "Conheça o novo mapa"
        assert body["rows"][0]["name"] == "PenhaS"
        # Listing marked it read.
        assert client.get("/me/unread-notif-count", headers=headers[who]).get_json() == {"count": 0}
    with database.connection_context():
        assert NotificationLog.select().where(NotificationLog.cliente == users["banned"].id).count() == 0
        message = NotificationMessage.get()
        assert message.subject_id is None and message.meta["segment"] == "active" and message.meta["count"] == 2
        assert AuditLog.get(AuditLog.action == "notify.send").detail == {"count": 2, "segment": "active"}


def _recipients(message_id):
    with database.connection_context():
        return {log.cliente_id for log in NotificationLog.select().where(NotificationLog.message == message_id)}


def _last_message_id():
    with database.connection_context():
        return NotificationMessage.select().order_by(NotificationMessage.id.desc()).first().id


def test_segments_are_a_whitelist_of_filters():
    users = _users()
    with database.connection_context():
        now = clock.now()
        Guardian.create(cliente=users["rj_man"], status="accepted", celular_e164="+5521999990000", nome="G",
                        token="t1", created_at=now, celular_formatted_as_national="(21) 99999-0000",
                        expires_at=now)
    cases = {"women": {users["sp_woman"].id}, "uf:sp": {users["sp_woman"].id}, "UF:RJ": {users["rj_man"].id},
             "with-guardians": {users["rj_man"].id}}
    for segment, expected in cases.items():
        _invoke("notify", "send", "--title", "t", "--content", "c", "--segment", segment, "--yes")
        assert _recipients(_last_message_id()) == expected, segment

    segments = {s["name"]: s["users"] for s in json.loads(_invoke("notify", "segments", "--json").output)}
    assert segments["active"] == 2 and segments["women"] == 1 and segments["uf:XX"] is None

    for bad in ("status='banned'", "uf:XX", "uf:", "everyone; DROP TABLE clientes"):
        result = _invoke("notify", "send", "--title", "t", "--content", "c", "--segment", bad, "--yes", code=1)
        assert "unknown segment" in result.output or "unknown UF" in result.output


def test_send_to_one_user_and_input_checks():
    users = _users()
    result = _invoke("notify", "send", "--title", "Oi", "--content", "Só para você", "--user", str(users["rj_man"].id))
    assert "notification added for 1 user(s)" in result.output
    assert _recipients(_last_message_id()) == {users["rj_man"].id}

    result = _invoke("notify", "send", "--title", "Oi", "--content", "x", "--user", "999999", code=1)
    assert "user 999999 not found" in result.output
    _invoke("notify", "send", "--title", "Oi", "--content", "x", code=1)
    _invoke("notify", "send", "--title", "Oi", "--content", "x", "--user", "1", "--segment", "active", code=1)
    result = _invoke("notify", "send", "--title", "x" * 201, "--content", "x", "--user", str(users["rj_man"].id),
                     code=1)
    assert "up to 200 characters" in result.output
    # Asking before a segment broadcast; "no" sends nothing.
    result = runner.invoke(cli, ["notify", "send", "--title", "t", "--content", "c", "--segment", "active"],
                           input="n\n")
    assert result.exit_code == 1 and "2 users" in result.output
    with database.connection_context():
        assert NotificationMessage.select().count() == 1


def test_list_edit_and_delete(app, client):
    users = _users()
    headers = auth_headers(app, users["sp_woman"])
    _invoke("notify", "send", "--title", "Primeira", "--content", "a", "--segment", "active", "--yes")
    _invoke("notify", "send", "--title", "Segunda", "--content", "b", "--segment", "women", "--yes")
    listed = json.loads(_invoke("notify", "list", "--json").output)
    assert [(m["title"], m["recipients"], m["segment"]) for m in listed] == [("Segunda", 1, "women"),
                                                                           ("Primeira", 2, "active")]
    page = json.loads(_invoke("notify", "list", "--json", "--limit", "1", "--before-id", str(listed[0]["id"])).output)
    assert [m["title"] for m in page] == ["Primeira"]

    _invoke("notify", "edit", str(listed[0]["id"]), "--title", "Segunda (corrigida)")
    rows = client.get("/me/notifications", headers=headers).get_json()["rows"]
    assert [r["title"] for r in rows] == ["Segunda (corrigida)", "Primeira"] and rows[0]["content"] == "b"
    assert "Segunda (corrigida)" in _invoke("notify", "show", str(listed[0]["id"])).output

    _invoke("notify", "delete", str(listed[1]["id"]), "--yes")
    rows = client.get("/me/notifications", headers=headers).get_json()["rows"]
    assert [r["title"] for r in rows] == ["Segunda (corrigida)"]
    assert f"broadcast {listed[1]['id']} not found" in _invoke("notify", "delete", str(listed[1]["id"]), "--yes", code=1).output
    with database.connection_context():
        actions = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert actions.count("notify.send") == 2 and "notify.edit" in actions and "notify.delete" in actions


def test_user_caused_notifications_cannot_be_edited_as_broadcasts():
    from penhas_api.core.services.notifications import notify_users

    users = _users()
    with database.connection_context():
        liked = notify_users([users["sp_woman"].id], "curtiu sua publicação", "x", subject_id=users["rj_man"].id)
    _invoke("notify", "edit", str(liked.id), "--title", "hack", code=1)
    _invoke("notify", "delete", str(liked.id), "--yes", code=1)
    assert json.loads(_invoke("notify", "list", "--json").output) == []
