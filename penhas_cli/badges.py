"""`penhas badges`: the Círculo PenhaS and other badges shown on profiles and posts. Batches are audited.

Example: penhas badges assign circulo-penhas 42 maria@example.com --dry-run
"""
import typer
from rich.table import Table

from penhas_api.core.services import badges
from penhas_cli.output import console, domain_errors, print_json

app = typer.Typer(help=__doc__, no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")
IDS = typer.Argument(..., help="Account ids or e-mails (also comma- or newline-separated lists).")


@app.command("list")
def list_badges(json_output: bool = JSON):
    """Every badge with its current holders and pending invitations.

    Example: penhas badges list --json
    """
    rows = badges.list_badges()
    if json_output:
        print_json(rows)
        return
    table = Table("id", "code", "name", "city", "holders", "pending invites")
    for b in rows:
        table.add_row(str(b["id"]), b["code"], b["name"], b["city"] or "", str(b["holders"]), str(b["pending_invites"]))
    console.print(table if rows else "nenhum selo")


def _report(result: dict, json_output: bool) -> None:
    if json_output:
        print_json(result)
        return
    table = Table("account", "action")
    for row in result["rows"]:
        table.add_row(row["identifier"] if row["cliente_id"] is None else str(row["cliente_id"]), row["action"])
    console.print(table)
    console.print(("[yellow]simulação:[/yellow] " if result["dry_run"] else "") + result["summary"])


@app.command()
def assign(badge: str = typer.Argument(..., help="Badge code or id."), ids: list[str] = IDS,
           dry_run: bool = typer.Option(False, "--dry-run", help="Show what would happen, change nothing."),
           json_output: bool = JSON):
    """Give a badge: circulo-penhas sends an e-mail invitation she accepts; others are granted for a year.

    Example: penhas badges assign circulo-penhas 42 43 maria@example.com
    """
    with domain_errors():
        _report(badges.assign(badge, ids, dry_run), json_output)


@app.command()
def revoke(badge: str = typer.Argument(..., help="Badge code or id."), ids: list[str] = IDS,
           dry_run: bool = typer.Option(False, "--dry-run", help="Show what would happen, change nothing."),
           json_output: bool = JSON):
    """Take a badge away now and cancel pending invitations.

    Example: penhas badges revoke circulo-penhas 42
    """
    with domain_errors():
        _report(badges.revoke(badge, ids, dry_run), json_output)
