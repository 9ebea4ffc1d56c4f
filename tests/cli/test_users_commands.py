"""`penhas users …`: operator actions on accounts, each with an audit row and no secrets in the output."""
import json
from datetime import datetime

from typer.testing import CliRunner

from penhas_api.core.models import AuditLog, Cliente, ClienteSession, DeleteLog
from penhas_cli.main import app
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.helpers import assert_error

runner = CliRunner()
UA = "Android 14/Google Pixel 7/3.7.4"


def run(*args):
    return runner.invoke(app, ["users", *map(str, args)], env={"PENHAS_OPERATOR": "ana.ops"})


def audit_actions():
    return [(a.action, a.target_id, a.actor) for a in AuditLog.select().order_by(AuditLog.id)]


def test_find_by_id_email_and_apelido_never_by_name_or_cpf():
    user = make_user(apelido="Girassol", nome_completo="Joana Pereira Lima")
    make_user(apelido="Outra")
    for term in (user.id, user.email.upper(), "irass"):
        r = run("find", term, "--json")
        assert r.exit_code == 0, r.output
        assert [u["id"] for u in json.loads(r.output)] == [user.id]
    r = run("find", "Joana Pereira")
    assert r.exit_code == 1 and "nenhuma conta" in r.output
    r = run("find", "Girassol")
    assert r.exit_code == 0 and "Girassol" in r.output
    assert user.cpf_hash not in r.output and user.senha_hash not in r.output


def test_show_has_no_hashes(app):
    user = make_user()
    auth_headers(app, user)
    r = run("show", user.id, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["id"] == user.id and data["active_sessions"] == 1
    assert "senha_hash" not in data and "cpf_hash" not in data and "cpf_prefix" not in data
    r = run("show", user.id)
    assert user.senha_hash not in r.output and user.cpf_hash not in r.output and "scrypt" not in r.output
    r = run("show", 999999)
    assert r.exit_code == 1 and "não existe" in r.output


def test_schedule_unschedule_and_delete_now(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    r = run("schedule-delete", user.id, "--date", "2027-01-15")
    assert r.exit_code == 0, r.output
    fresh = Cliente.get_by_id(user.id)
    assert fresh.status == "deleted_scheduled" and fresh.perform_delete_at == datetime(2027, 1, 15, 12, 0)
    assert_error(client.get("/me", headers=headers), 403, "jwt_logout")
    assert run("schedule-delete", user.id, "--date", "15/01/2027").exit_code != 0
    assert run("unschedule-delete", user.id).exit_code == 0
    fresh = Cliente.get_by_id(user.id)
    assert fresh.status == "active" and fresh.perform_delete_at is None
    r = run("unschedule-delete", user.id)
    assert r.exit_code == 1 and "não está agendada" in r.output

    r = run("delete-now", user.id)
    assert r.exit_code != 0 and Cliente.get_or_none(Cliente.id == user.id) is not None
    assert run("delete-now", user.id, "--yes").exit_code == 0
    assert Cliente.get_or_none(Cliente.id == user.id) is None
    assert DeleteLog.get().reason == "operator"
    assert audit_actions() == [("users.schedule_delete", str(user.id), "ana.ops"),
                               ("users.unschedule_delete", str(user.id), "ana.ops"),
                               ("users.delete_now", str(user.id), "ana.ops")]
    assert all(user.email not in json.dumps(a.detail) for a in AuditLog.select())


def test_ban_unban(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    assert run("ban", user.id).exit_code == 0
    assert_error(client.get("/me", headers=headers), 403, "jwt_logout")
    r = client.post("/login", query_string={"app_version": UA}, data={"email": user.email, "senha": DEFAULT_PASSWORD})
    assert_error(r, 400, "ban")
    assert run("ban", user.id).exit_code == 1
    assert run("unban", user.id).exit_code == 0
    r = client.post("/login", query_string={"app_version": UA}, data={"email": user.email, "senha": DEFAULT_PASSWORD})
    assert r.status_code == 200
    assert [a[0] for a in audit_actions()] == ["users.ban", "users.unban"]


def test_lock_unlock_and_sessions_revoke(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    assert run("lock", user.id).exit_code == 0
    assert_error(client.get("/me", headers=headers), 403, "jwt_logout")
    r = client.post("/login", query_string={"app_version": UA}, data={"email": user.email, "senha": DEFAULT_PASSWORD})
    assert_error(r, 400, "login_status_block")
    assert run("unlock", user.id).exit_code == 0
    r = client.post("/login", query_string={"app_version": UA}, data={"email": user.email, "senha": DEFAULT_PASSWORD})
    assert r.status_code == 200
    token = {"X-Api-Key": r.get_json()["session"]}
    auth_headers(app, user)
    r = run("sessions", "revoke", user.id)
    assert r.exit_code == 0 and "2 sessão" in r.output
    assert ClienteSession.select().count() == 0
    assert_error(client.get("/me", headers=token), 403, "jwt_logout")
    assert [a[0] for a in audit_actions()] == ["users.lock", "users.unlock", "users.sessions_revoke"]
    assert run("sessions", "revoke", 999999).exit_code == 1
