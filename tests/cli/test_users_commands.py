"""`penhas users …`: operator actions on accounts, each with an audit row and no secrets in the output."""
import json
from datetime import datetime, timedelta

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
    assert r.exit_code == 1 and "no account found" in r.output
    r = run("find", "Girassol")
    assert r.exit_code == 0 and "Girassol" in r.output
    assert user.cpf_hash not in r.output and user.senha_hash not in r.output
    # Every look-up is audited with what kind of term was used and what it found, never the term itself.
    rows = list(AuditLog.select().order_by(AuditLog.id))
    assert [(a.action, a.actor, a.detail["by"]) for a in rows] == [
        ("users.find", "ana.ops", kind) for kind in ("id", "email", "apelido", "apelido", "apelido")]
    assert rows[0].detail["ids"] == [user.id] and rows[3].detail["ids"] == []
    assert not any(t in json.dumps(a.detail) for a in rows for t in (user.email, "irass", "Joana", "Girassol"))


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
    assert r.exit_code == 1 and "user 999999 not found" in r.output
    assert audit_actions() == [("users.show", str(user.id), "ana.ops")] * 2


def test_schedule_unschedule_and_delete_now(client, app, frozen_clock):
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
    assert r.exit_code == 1 and "not scheduled for deletion" in r.output

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
    assert r.exit_code == 0 and "2 session(s) ended" in r.output
    assert ClienteSession.select().count() == 0
    assert_error(client.get("/me", headers=token), 403, "jwt_logout")
    assert [a[0] for a in audit_actions()] == ["users.lock", "users.unlock", "users.sessions_revoke"]
    assert run("sessions", "revoke", 999999).exit_code == 1


def test_schedule_delete_refuses_a_date_already_past(frozen_clock):
    # A past date would erase her at the next housekeeping run, with none of delete-now's --yes.
    user = make_user()
    today = frozen_clock.now.date()
    frozen_clock(datetime.combine(today, datetime.min.time()).replace(hour=12, minute=1))
    for day in ("2020-01-01", today.isoformat()):
        r = run("schedule-delete", user.id, "--date", day)
        assert r.exit_code == 1 and "is in the past" in r.output
    assert Cliente.get_by_id(user.id).status == "active"
    assert not AuditLog.select().where(AuditLog.action == "users.schedule_delete").exists()
    r = run("schedule-delete", user.id, "--date", (today + timedelta(days=1)).isoformat())
    assert r.exit_code == 0, r.output
    assert Cliente.get_by_id(user.id).perform_delete_at == datetime.combine(today + timedelta(days=1),
                                                                            datetime.min.time()).replace(hour=12)


def test_ids_out_of_range_or_not_ascii_name_nobody():
    user = make_user()
    huge = "9" * 20
    r = run("find", huge)
    assert r.exit_code == 1 and "no account found" in r.output
    for command in ("show", "ban", "lock", "unschedule-delete"):
        r = run(command, huge)
        assert r.exit_code == 1 and f"user {huge} not found" in r.output, (command, r.output)
    # Her id in Arabic-Indic digits is not her id (int() would read "١٢" as 12).
    arabic = str(user.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert run("find", arabic).exit_code == 1


def test_sessions_list_shows_each_device_and_when_it_was_used_never_a_token(client, frozen_clock):
    user = make_user()
    other = make_user()
    tokens = []
    for device in (UA, "iOS 17/iPhone 13 mini/3.7.4 — a long device description " + "x" * 40):
        r = client.post("/login", query_string={"app_version": device},
                        data={"email": user.email, "senha": DEFAULT_PASSWORD})
        assert r.status_code == 200, r.get_data(as_text=True)
        tokens.append(r.get_json()["session"])
        frozen_clock.advance(hours=1)
    client.post("/login", query_string={"app_version": UA}, data={"email": other.email, "senha": DEFAULT_PASSWORD})
    # Using the first session moves its "last used"; within five minutes of that, no further write.
    frozen_clock.advance(minutes=30)
    assert client.get("/me", headers={"X-Api-Key": tokens[0]}).status_code == 200

    r = run("sessions", "list", user.id, "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [s["user_agent"] for s in rows] == [
        "iOS 17/iPhone 13 mini/3.7.4 — a long device description " + "x" * 40, UA]
    assert [(s["created_at"], s["last_seen_at"]) for s in rows] == [
        ("2026-11-23 13:00", "2026-11-23 13:00"), ("2026-11-23 12:00", "2026-11-23 14:30")]
    # The table (piped: one row per line, nothing cut) and never a token.
    r = run("sessions", "list", user.id)
    assert r.exit_code == 0
    line = next(line for line in r.output.splitlines() if "Pixel" in line)
    assert "2026-11-23 12:00" in line and "2026-11-23 14:30" in line and UA in line
    assert all(t not in r.output for t in tokens) and "2 open session(s)" in r.output
    assert audit_actions()[-2:] == [("users.sessions_list", str(user.id), "ana.ops")] * 2
    assert run("sessions", "list", 999999).exit_code == 1


def test_listings_keep_ids_and_dates_whole_on_an_80_column_terminal(client, monkeypatch):
    """On a narrow terminal the free-text columns wrap; the session id, dates and (here long) device stay
    readable: ids and dates are never cut."""
    import io

    from rich.console import Console

    import penhas_cli.output as output

    user = make_user()
    device = "Android 14/Samsung Galaxy S23 Ultra with a very long build description " * 2
    client.post("/login", query_string={"app_version": device}, data={"email": user.email, "senha": DEFAULT_PASSWORD})
    screen = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=screen, width=80, force_terminal=True, color_system=None))
    assert run("sessions", "list", user.id).exit_code == 0
    lines = screen.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    session_id = str(ClienteSession.get().id)
    created = ClienteSession.get().created_at.strftime("%Y-%m-%d %H:%M")
    assert any(session_id in line and line.count(created) == 2 for line in lines), screen.getvalue()
