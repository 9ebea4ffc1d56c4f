"""`penhas users`: find and inspect accounts, schedule or run deletions, ban, lock login, end sessions.

Every action is recorded in the audit log (operator, action, account id; never personal data). Accounts are
found by id, e-mail or apelido only: never by legal name or CPF.

Example: penhas users find maria@example.com
"""
from datetime import date, datetime

import typer
from rich.table import Table

from penhas_api.core.models import Cliente
from penhas_api.core.services import accounts
from penhas_cli.output import console, domain_errors, fail, print_json, print_record, print_table, whole

app = typer.Typer(help=__doc__, no_args_is_help=True)
sessions_app = typer.Typer(help="Sessions (logged-in devices) of an account.\n\n"
                                "Example: penhas users sessions list 123", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def _summary(user: Cliente) -> dict:
    return {
        "id": user.id, "apelido": user.apelido, "email": user.email, "status": user.status,
        "login_status": user.login_status, "genero": user.genero, "created_on": _when(user.created_on),
        "last_activity_at": _when(user.last_activity_at), "perform_delete_at": _when(user.perform_delete_at),
    }


def _details(user: Cliente) -> dict:
    return {
        **_summary(user),
        "cidade": user.cep_cidade, "estado": user.cep_estado,
        "login_status_last_blocked_at": _when(user.login_status_last_blocked_at),
        "modo_camuflado_ativo": int(bool(user.modo_camuflado_ativo)),
        "modo_anonimo_ativo": int(bool(user.modo_anonimo_ativo)),
        "qtde_guardioes_ativos": user.qtde_guardioes_ativos, "qtde_ligar_para_policia": user.qtde_ligar_para_policia,
        "qtde_login_senha_normal": user.qtde_login_senha_normal, "qtde_login_offline": user.qtde_login_offline,
        "upload_status": user.upload_status, "eh_admin": int(bool(user.eh_admin)),
        "deletion_started_at": _when(user.deletion_started_at),
        "active_sessions": accounts.active_session_count(user.id),
    }


@app.command()
def find(term: str = typer.Argument(..., help="An account id, an e-mail address or part of an apelido."),
         json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Find accounts by id, e-mail (exact) or apelido (substring, at most 50). Audited (never the term).

    Example: penhas users find maria@example.com
    """
    found = [_summary(u) for u in accounts.find_users(term)]
    if json_output:
        print_json(found)
        return
    if not found:
        console.print("no account found")
        raise typer.Exit(1)
    table = Table(whole("id"), "apelido", whole("e-mail"), "status", "login", whole("created"), whole("delete at"))
    for u in found:
        table.add_row(str(u["id"]), u["apelido"], u["email"], u["status"], u["login_status"], u["created_on"],
                      u["perform_delete_at"])
    print_table(table)


@app.command()
def show(cliente_id: int = typer.Argument(..., help="Account id (see `penhas users find`)."),
         json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Everything an operator needs about one account (no password hash, no CPF).

    Example: penhas users show 123
    """
    with domain_errors():
        details = _details(accounts.get_user(cliente_id))
    if json_output:
        print_json(details)
        return
    print_record(details)


@app.command("schedule-delete")
def schedule_delete(cliente_id: int = typer.Argument(..., help="Account id."),
                    on: str = typer.Option(..., "--date",
                                           help="Day of the deletion, YYYY-MM-DD, in the future (runs at 12:00 UTC).")):
    """Schedule the account's deletion: it is deactivated now (sessions end) and erased on that day.

    Example: penhas users schedule-delete 123
    """
    try:
        day = date.fromisoformat(on)
    except ValueError:
        fail("--date must look like 2026-12-31")
    with domain_errors():
        user = accounts.operator_schedule_delete(cliente_id, day)
    console.print(f"account {user.id} will be erased on [bold]{_when(user.perform_delete_at)}[/bold] UTC")


@app.command("unschedule-delete")
def unschedule_delete(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Cancel a scheduled deletion; the account is active again.

    Example: penhas users unschedule-delete 123
    """
    with domain_errors():
        accounts.operator_unschedule_delete(cliente_id)
    console.print(f"deletion of account {cliente_id} cancelled")


@app.command("delete-now")
def delete_now(cliente_id: int = typer.Argument(..., help="Account id."),
               yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone.")):
    """Erase the account and everything of hers right away (no grace period). Needs --yes.

    Example: penhas users delete-now 123 --yes
    """
    if not yes:
        fail("this erases the account for good; run it again with --yes to confirm")
    with domain_errors():
        accounts.operator_delete_now(cliente_id)
    console.print(f"account {cliente_id} erased")


@app.command()
def ban(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Suspend an account (status banned): her sessions end and login answers `ban`.

    Example: penhas users ban 123
    """
    with domain_errors():
        accounts.operator_set_status(cliente_id, "banned")
    console.print(f"account {cliente_id} banned")


@app.command()
def unban(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Lift a suspension (status back to active).

    Example: penhas users unban 123
    """
    with domain_errors():
        accounts.operator_set_status(cliente_id, "active")
    console.print(f"account {cliente_id} active again")


@app.command()
def lock(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Lock login for good (login_status BLOCK) and end her sessions.

    Example: penhas users lock 123
    """
    with domain_errors():
        accounts.operator_set_login_lock(cliente_id, True)
    console.print(f"login of account {cliente_id} locked")


@app.command()
def unlock(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Unlock login, also lifting the 24-hour lock after too many wrong passwords.

    Example: penhas users unlock 123
    """
    with domain_errors():
        accounts.operator_set_login_lock(cliente_id, False)
    console.print(f"login of account {cliente_id} unlocked")


@sessions_app.command("list")
def sessions_list(cliente_id: int = typer.Argument(..., help="Account id."),
                  json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Her open sessions, newest first: when each was created and last used (to within 5 minutes) and the
    device's user agent; never a token. Audited. `revoke` ends them all.

    Example: penhas users sessions list 123
    """
    with domain_errors():
        sessions = accounts.operator_list_sessions(cliente_id)
    rows = [{"id": s.id, "created_at": _when(s.created_at), "last_seen_at": _when(s.last_seen_at),
             "expires_at": _when(s.expires_at), "user_agent": s.user_agent} for s in sessions]
    if json_output:
        print_json(rows)
        return
    table = Table(whole("session"), whole("created (UTC)"), whole("last used (UTC)"), "user agent")
    for r in rows:
        table.add_row(str(r["id"]), r["created_at"], r["last_seen_at"] or "-", r["user_agent"] or "(unknown)")
    print_table(table)
    console.print(f"{len(rows)} open session(s); end them all with `penhas users sessions revoke {cliente_id}`")


@sessions_app.command("revoke")
def sessions_revoke(cliente_id: int = typer.Argument(..., help="Account id.")):
    """End every session of the account at once (every device must log in again).

    Example: penhas users sessions revoke 123
    """
    with domain_errors():
        count = accounts.operator_revoke_sessions(cliente_id)
    console.print(f"{count} session(s) ended")


@app.command("mf-reset")
def mf_reset(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Send her Manual de Fuga back to the start (her task list stays). Audited.

    Example: penhas users mf-reset 42
    """
    from penhas_api.core.services import mf_state

    with domain_errors():
        changed = mf_state.reset(cliente_id)
    console.print(f"account {cliente_id}: Manual de Fuga {'reset' if changed else 'not started yet'}")
