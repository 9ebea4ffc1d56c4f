"""`penhas support …` and `penhas chat rewrap`: the staff side of the support chat, over the same services as
the app; audited with the operator's name, never the text."""
import json
import os

import pytest
from typer.testing import CliRunner

from penhas_api.core import envelope
from penhas_api.core.models import AuditLog, ChatMessage, ChatPendingNotification, ChatSupportMessage
from penhas_api.core.services import chat, chat_support
from penhas_api.core.settings import load_settings, reset_settings
from penhas_cli.main import app as cli
from tests.factories import make_user

runner = CliRunner()


@pytest.fixture(autouse=True)
def operator(monkeypatch):
    monkeypatch.setenv("PENHAS_OPERATOR", "joana")


def run(*args, input=None):
    result = runner.invoke(cli, list(args), input=input)
    return result


def audits(action):
    return list(AuditLog.select().where(AuditLog.action == action))


def test_inbox_reply_show_delete(db):
    waiting = make_user(apelido="Ana")
    answered = make_user(apelido="Bia [bold]")
    chat_support.send_from_user(waiting, "Preciso de ajuda com a medida protetiva " * 5)
    chat_support.send_from_user(answered, "oi")
    chat_support.reply(answered.id, "Olá!", actor="maria")

    r = run("support", "inbox", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [row["cliente_id"] for row in rows] == [waiting.id]
    assert rows[0]["preview"].startswith("Preciso de ajuda") and rows[0]["preview"].endswith("…")
    assert len(rows[0]["preview"]) == 101 and rows[0]["when"].startswith("hoje ")
    r = run("support", "inbox", "--all", "--json")
    assert [row["cliente_id"] for row in json.loads(r.output)] == [answered.id, waiting.id]
    assert json.loads(r.output)[0]["last_msg_by"] == "maria"
    r = run("support", "inbox", "--all")
    assert r.exit_code == 0 and "Bia [bold]" in r.output

    r = run("support", "reply", str(waiting.id), "Estamos aqui. Pode contar com a gente.")
    assert r.exit_code == 0, r.output
    r = run("support", "reply", str(waiting.id), input="Vinda do stdin\n")
    assert r.exit_code == 0, r.output
    assert run("support", "inbox", "--json").output.strip() == "[]"

    r = run("support", "show", str(waiting.id), "--json", "--rows", "2")
    body = json.loads(r.output)
    assert body["apelido"] == "Ana" and body["has_more"] is True
    assert [(m["is_me"], m["by"], m["message"]) for m in body["messages"]] == [
        (1, "joana", "Estamos aqui. Pode contar com a gente."), (1, "joana", "Vinda do stdin")]
    r = run("support", "show", str(waiting.id))
    assert r.exit_code == 0 and "Vinda do stdin" in r.output and "Ana" in r.output

    last = ChatSupportMessage.select().order_by(ChatSupportMessage.id.desc()).first()
    r = run("support", "delete-message", str(last.id))
    assert r.exit_code == 0, r.output
    assert ChatSupportMessage.get_or_none(ChatSupportMessage.id == last.id) is None
    assert run("support", "delete-message", str(last.id)).exit_code == 1
    assert run("support", "show", "999999").exit_code == 1
    assert run("support", "reply", str(waiting.id), "   ").exit_code == 1

    replies = audits("support.reply")
    assert [a.actor for a in replies] == ["maria", "joana", "joana"]
    assert {a.actor for a in audits("support.inbox") + audits("support.show") + audits("support.delete_message")} \
        == {"joana"}
    trail = " ".join(str(a.detail) for a in AuditLog.select())
    assert "Estamos aqui" not in trail and "stdin" not in trail and "medida" not in trail


def test_reply_leaves_a_chat_notification_only_when_she_wants_them(db):
    from penhas_api.core.models import ClientePreference, Preference

    wants, declines = make_user(), make_user()
    pref = Preference.get(Preference.name == "NOTIFY_CHAT_NEW_MESSAGES")
    ClientePreference.create(cliente=declines, preference=pref, value="0", created_at=declines.created_on,
                             updated_at=declines.created_on)
    for user in (wants, declines):
        assert run("support", "reply", str(user.id), "Olá").exit_code == 0
    pending = {(p.cliente_id, p.pending_message_cliente_id) for p in ChatPendingNotification.select()}
    assert pending == {(wants.id, -1)}


def test_every_support_and_chat_command_has_an_example():
    for args in (["support"], ["support", "inbox"], ["support", "show"], ["support", "reply"],
                 ["support", "delete-message"], ["chat"], ["chat", "rewrap"]):
        r = run(*args, "--help")
        assert r.exit_code == 0 and "Example:" in r.output, args


def test_chat_rewrap_after_a_key_rotation(db):
    a, b = make_user(), make_user()
    room = chat.open_room(a, b.id)
    chat.send_message(a, room, "antes da rotação")
    chat_support.send_from_user(a, "suporte antes")
    old = os.environ["ENCRYPTION_KEY"]
    try:
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY="nova-chave-" + "z" * 40,
                                          ENCRYPTION_KEYS_OLD=old)))
        current = envelope.current_key().key_id
        r = run("chat", "rewrap")
        assert r.exit_code == 0, r.output
        assert "2 chat message key(s)" in r.output
        assert {m.enc_key_id for m in ChatMessage.select()} == {current}
        assert {m.enc_key_id for m in ChatSupportMessage.select()} == {current}
        # The old key can go now.
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY="nova-chave-" + "z" * 40, ENCRYPTION_KEYS_OLD="")))
        assert chat.room_messages(a, room)["messages"][0]["message"] == "antes da rotação"
        assert chat_support.user_messages(a)["messages"][0]["message"] == "suporte antes"
        assert "0 chat message key(s)" in run("chat", "rewrap").output
        assert audits("chat.rewrap")[0].detail["rewrapped"] == 2
    finally:
        reset_settings(None)


def test_reply_written_in_the_editor_when_stdin_is_a_terminal(db, tmp_path):
    import pty
    import subprocess
    import sys

    from tests.commands import ROOT

    her = make_user(apelido="Eva")
    chat_support.send_from_user(her, "oi")
    editor = tmp_path / "editor"
    editor.write_text("#!/bin/sh\nprintf 'Escrita no editor' > \"$1\"\n")
    editor.chmod(0o700)
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    primary, terminal = pty.openpty()
    try:
        r = subprocess.run([sys.executable, "-m", "penhas_cli.main", "support", "reply", str(her.id)],
                           cwd=ROOT, stdin=terminal, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, PYTHONPATH=str(ROOT), EDITOR=str(editor), TMPDIR=str(drafts)))
    finally:
        os.close(primary)
        os.close(terminal)
    assert r.returncode == 0, r.stderr
    assert chat_support.show(her.id, rows=5).messages[-1]["message"] == "Escrita no editor"
    assert not list(drafts.iterdir())  # the draft holding what staff wrote to her is removed
