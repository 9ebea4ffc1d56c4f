"""`penhas sms`: the SMS log (invites, alerts, tests) and a test send."""
import typer
from rich.table import Table

from penhas_api.core.adapters.sms import mask_number
from penhas_api.core.db import connection
from penhas_api.core.services import sms as sms_service
from penhas_cli.output import console, domain_errors, print_json, print_table, whole

app = typer.Typer(
    help="SMS sent to guardians (invites and panic alerts), from the sent_sms_log table. Numbers are masked "
         "unless --show-numbers; message texts (her name, her location) only with --show-texts (audited). "
         "No log ever holds them.\n\n"
         "Example: penhas sms list --failed",
    no_args_is_help=True,
)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


@app.command("list")
def list_(
    failed: bool = typer.Option(False, "--failed", help="Only sends that exhausted their retries."),
    to: str = typer.Option(None, "--to", help="Only messages to this number (any format the app accepts)."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Rows per page."),
    before_id: int = typer.Option(None, "--before-id", help="Next page: the id printed at the end of the last one."),
    show_numbers: bool = typer.Option(False, "--show-numbers", help="Print full phone numbers (audited)."),
    show_texts: bool = typer.Option(False, "--show-texts", help="Print the message texts (audited)."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """List SMS newest first: status (queued, sending, retrying, sent, failed), attempts, provider id.

    Example: penhas sms list --failed --show-texts
    """
    with domain_errors(), connection():
        rows = sms_service.list_sms(failed_only=failed, to=to, limit=limit, before_id=before_id,
                                    show_numbers=show_numbers, show_texts=show_texts)
    out = [{"id": r.id, "created_at": _when(r.created_at), "kind": r.kind,
            "to": r.phonenumber if show_numbers else mask_number(r.phonenumber), "status": r.status,
            "attempts": r.attempts, "sns_message_id": r.sns_message_id, "sent_at": _when(r.sent_at),
            "last_error": r.last_error, "alert_id": r.alert_id, "guardiao_id": r.guardiao_id,
            **({"message": r.message} if show_texts else {})} for r in rows]
    if json_output:
        print_json(out)
        return
    table = Table(whole("id"), whole("created (UTC)"), "kind", whole("to"), "status", "tries", "provider id",
                  "last error")
    colors = {"sent": "green", "failed": "red", "retrying": "yellow"}
    for r in out:
        color = colors.get(r["status"], "white")
        table.add_row(str(r["id"]), r["created_at"], r["kind"], r["to"], f"[{color}]{r['status']}[/{color}]",
                      str(r["attempts"]), r["sns_message_id"] or "", (r["last_error"] or "")[:60])
        if show_texts:
            table.add_row("", "", "", "", "", "", "", r["message"])
    print_table(table)
    if len(out) == limit:
        console.print(f"more: --before-id {out[-1]['id']}")


@app.command("send-test")
def send_test(number: str = typer.Argument(..., help="Phone number: Brazilian with DDD, or +country code.")):
    """Send a test SMS now through the configured provider (SNS or the log) and print its provider id.

    Example: penhas sms send-test 11999990000
    """
    with domain_errors(), connection():
        row = sms_service.send_test(number)
    console.print(f"[green]sent[/green] to {mask_number(row.phonenumber)}: provider id {row.sns_message_id} "
                  f"(log id {row.id})")
