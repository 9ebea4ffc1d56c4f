"""`penhas notify`: in-app notifications from the PenhaS team to one user or a named segment."""
import typer
from rich.table import Table

from penhas_api.core.audit import current_operator
from penhas_api.core.db import connection
from penhas_api.core.services import broadcasts
from penhas_cli.output import console, domain_errors, fail, print_json, print_table, whole

app = typer.Typer(
    help="In-app notifications (the app polls them; there is no push). Send to one user (--user) or to a "
         "segment (--segment): " + ", ".join(s.name for s in broadcasts.segments())
         + ". See `penhas notify segments` for what each means and how many users it reaches now.\n\n"
         "Example: penhas notify list",
    no_args_is_help=True,
)


@app.command()
def send(
    title: str = typer.Option(..., "--title", help=f"Title, up to {broadcasts.TITLE_MAX} characters."),
    content: str = typer.Option(..., "--content", help=f"Text, up to {broadcasts.CONTENT_MAX} characters."),
    user: int = typer.Option(None, "--user", help="One user's id."),
    segment: str = typer.Option(None, "--segment", help="A segment name (see `penhas notify segments`)."),
    yes: bool = typer.Option(False, "--yes", help="Send a segment broadcast without asking for confirmation."),
):
    """Create one notification message and a copy in each target's list, in one transaction.

    Example: penhas notify send --title 'Novidade' --content 'Veja os novos pontos de apoio' --segment women
    """
    if (user is None) == (segment is None):
        fail("use exatamente um de --user ou --segment")
    with domain_errors(), connection():
        if segment is not None and not yes:
            size = broadcasts.segment_size(segment)
            if not typer.confirm(f"send to {size} users of segment '{segment}'?"):
                raise typer.Exit(1)
        with console.status("creating notifications"):
            result = broadcasts.send(title, content, current_operator(), user_id=user, segment=segment)
    if result.message is None:
        console.print(f"[yellow]{result.text}[/yellow]")
        raise typer.Exit(1)
    console.print(f"[green]{result.text}[/green] (message {result.message.id})")


@app.command("list")
def list_(
    limit: int = typer.Option(20, "--limit", min=1, max=100, help="Messages per page."),
    before_id: int = typer.Option(None, "--before-id", help="Next page: the id printed at the end of the last one."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Broadcast messages, newest first, with their number of recipients.

    Example: penhas notify list --limit 10
    """
    with domain_errors(), connection():
        rows = broadcasts.list_broadcasts(limit, before_id)
    out = [{"id": m.id, "created_at": m.created_at.strftime("%Y-%m-%d %H:%M:%S"), "title": m.title,
            "content": m.content, "recipients": count, "created_by": (m.meta or {}).get("created_by"),
            "segment": (m.meta or {}).get("segment"), "cliente_id": (m.meta or {}).get("cliente_id")}
           for m, count in rows]
    if json_output:
        print_json(out)
        return
    table = Table(whole("id"), whole("created (UTC)"), "title", "target", "recipients", "by")
    for row in out:
        target = row["segment"] or (f"user {row['cliente_id']}" if row["cliente_id"] else "-")
        table.add_row(str(row["id"]), row["created_at"], row["title"], target, str(row["recipients"]),
                      row["created_by"] or "-")
    print_table(table)
    if len(out) == limit:
        console.print(f"more: --before-id {out[-1]['id']}")


@app.command()
def show(message_id: int = typer.Argument(..., metavar="ID")):
    """One broadcast message in full.

    Example: penhas notify show 12
    """
    with domain_errors(), connection():
        message, count = broadcasts.get_broadcast(message_id)
    console.print(f"[bold]{message.title}[/bold]  ({message.created_at:%Y-%m-%d %H:%M} UTC, {count} recipients)")
    console.print(message.content, markup=False)


@app.command()
def edit(
    message_id: int = typer.Argument(..., metavar="ID"),
    title: str = typer.Option(None, "--title", help="New title."),
    content: str = typer.Option(None, "--content", help="New text."),
):
    """Change a broadcast's title and/or text; every recipient sees the new version.

    Example: penhas notify edit 12 --title 'Novo título'
    """
    with domain_errors(), connection():
        message = broadcasts.edit(message_id, title, content)
    console.print(f"[green]message {message.id} updated[/green]")


@app.command()
def delete(
    message_id: int = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
):
    """Delete a broadcast from every recipient's notifications.

    Example: penhas notify delete 12 --yes
    """
    with domain_errors(), connection():
        _message, count = broadcasts.get_broadcast(message_id)
        if not yes and not typer.confirm(f"delete message {message_id} from {count} users' notifications?"):
            raise typer.Exit(1)
        removed = broadcasts.delete(message_id)
    console.print(f"[green]message {message_id} deleted[/green] ({removed} recipients)")


@app.command("segments")
def segments_(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """The segments --segment accepts, and how many users each reaches now.

    Example: penhas notify segments --json
    """
    with connection():
        rows = [{"name": s.name, "description": s.description,
                 "users": broadcasts.segment_size(s.name) if s.condition else None}
                for s in broadcasts.segments()]
    if json_output:
        print_json(rows)
        return
    table = Table("segment", "users now", "who")
    for row in rows:
        table.add_row(row["name"], "-" if row["users"] is None else str(row["users"]), row["description"])
    console.print(table)
