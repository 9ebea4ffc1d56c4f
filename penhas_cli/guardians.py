"""`penhas guardians`: a user's guardians and the delivery of her panic alerts, for support."""
import typer
from rich.table import Table

from penhas_api.core.adapters.sms import mask_number
from penhas_api.core.db import connection
from penhas_api.core.services import guardians as service
from penhas_cli.output import console, domain_errors, print_json, print_table, whole

app = typer.Typer(help="Guardians of a user and her panic alerts (per-guardian SMS status). Numbers are masked "
                       "unless --show-numbers.\n\nExample: penhas guardians alerts 123", no_args_is_help=True)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@app.command("list")
def list_(
    user_id: int = typer.Argument(..., help="The user's id (clientes.id)."),
    show_numbers: bool = typer.Option(False, "--show-numbers", help="Print full phone numbers (audited)."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Every guardian row of a user, including removed ones, with status and dates (UTC).

    Example: penhas guardians list 123
    """
    with domain_errors(), connection():
        rows = service.guardians_of(user_id, show_numbers=show_numbers)
    out = [{"id": g.id, "nome": g.nome, "celular": g.celular_e164 if show_numbers else mask_number(g.celular_e164),
            "status": g.status, "created_at": _when(g.created_at), "expires_at": _when(g.expires_at),
            "accepted_at": _when(g.accepted_at), "refused_at": _when(g.refused_at),
            "deleted_at": _when(g.deleted_at)} for g in rows]
    if json_output:
        print_json(out)
        return
    table = Table(whole("id"), "nome", whole("celular"), whole("status"),
                  *(whole(name) for name in ("created", "expires", "accepted", "refused", "deleted")))
    for g in out:
        table.add_row(str(g["id"]), g["nome"], g["celular"], g["status"], g["created_at"], g["expires_at"],
                      g["accepted_at"], g["refused_at"], g["deleted_at"])
    print_table(table)


@app.command()
def alerts(
    user_id: int = typer.Argument(..., help="The user's id (clientes.id)."),
    limit: int = typer.Option(20, "--limit", min=1, max=200, help="Alerts per page."),
    before_id: int = typer.Option(None, "--before-id", help="Next page: the id printed at the end of the last one."),
    show_numbers: bool = typer.Option(False, "--show-numbers", help="Print full phone numbers (audited)."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """A user's panic alerts, newest first, and whether the SMS to each guardian went out.

    Example: penhas guardians alerts 123 --limit 5
    """
    with domain_errors(), connection():
        items = service.alerts_of(user_id, limit=limit, before_id=before_id, show_numbers=show_numbers)
    out = [{"id": i["alert"].id, "created_at": _when(i["alert"].created_at), "status": i["alert"].status,
            "gps": bool(i["alert"].gps_lat), "deliveries": [
                dict(d, phonenumber=d["phonenumber"] if show_numbers else mask_number(d["phonenumber"]),
                     sent_at=_when(d["sent_at"])) for d in i["deliveries"]]} for i in items]
    if json_output:
        print_json(out)
        return
    table = Table(whole("alert"), whole("created (UTC)"), "status", "gps", "guardian", whole("celular"), whole("sms"),
                  "tries", whole("sent at"))
    for a in out:
        first = True
        for d in a["deliveries"] or [None]:
            head = [str(a["id"]), a["created_at"], a["status"], "yes" if a["gps"] else "no"] if first else [""] * 4
            first = False
            if d is None:
                table.add_row(*head, "-", "", "", "", "")
                continue
            color = {"sent": "green", "failed": "red"}.get(d["status"], "yellow")
            table.add_row(*head, d["nome"] or "(removed)", d["phonenumber"], f"[{color}]{d['status']}[/{color}]",
                          str(d["attempts"]), d["sent_at"])
    print_table(table)
    if len(out) == limit:
        console.print(f"more: --before-id {out[-1]['id']}")
