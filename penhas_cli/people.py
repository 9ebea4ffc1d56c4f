"""Community commands under `penhas users`: reported profiles and the admin flag. Audited by the service.

Example: penhas users reports
"""
import typer
from rich.table import Table

from penhas_api.core.services import moderation
from penhas_cli.output import console, domain_errors, print_json


def reports(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Reported profiles with their report counts and latest reasons, the most recently reported first.

    Example: penhas users reports --json
    """
    rows = moderation.profile_reports()
    if json_output:
        print_json(rows)
        return
    table = Table("id", "apelido", "status", "reports", "last report", "latest reasons")
    for r in rows:
        table.add_row(str(r["cliente_id"]), r["apelido"], r["status"], str(r["reports"]), r["last_report_at"][:16],
                      " | ".join(r["reasons"]))
    console.print(table if rows else "nenhum perfil denunciado")


def set_admin(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Make an account admin: sees hidden posts and anonymous authors, may post as PenhaS.

    Example: penhas users set-admin 42
    """
    with domain_errors():
        user = moderation.set_admin(cliente_id, True)
    console.print(f"conta {user.id} agora é admin")


def unset_admin(cliente_id: int = typer.Argument(..., help="Account id.")):
    """Remove the admin flag of an account.

    Example: penhas users unset-admin 42
    """
    with domain_errors():
        user = moderation.set_admin(cliente_id, False)
    console.print(f"conta {user.id} não é mais admin")
