"""`penhas timeline`: reported posts and moderation (hide, unhide, delete). Every action is audited.

Example: penhas timeline reports --open
"""
import typer
from rich.table import Table

from penhas_api.core.services import moderation
from penhas_cli.output import console, domain_errors, print_json

app = typer.Typer(help=__doc__, no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")


def _snippet(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size] + "…"


@app.command()
def reports(open_only: bool = typer.Option(False, "--open", help="Only posts with reports nobody acted on yet."),
            json_output: bool = JSON):
    """Reported posts with their report counts, the most recently reported first.

    Example: penhas timeline reports --open --json
    """
    rows = moderation.tweet_reports(open_only)
    if json_output:
        print_json(rows)
        return
    table = Table("id", "reports", "open", "last report", "status", "hidden", "author", "content")
    for r in rows:
        table.add_row(r["id"], str(r["reports"]), str(r["open_reports"]), r["last_report_at"][:16], r["status"],
                      "yes" if r["escondido"] else "", str(r["cliente_id"]), _snippet(r["content"]))
    console.print(table if rows else "nenhuma publicação denunciada")


@app.command()
def show(tweet_id: str = typer.Argument(..., help="Post id, e.g. 261123T1200000001."), json_output: bool = JSON):
    """A post with its replies and its reports.

    Example: penhas timeline show 261123T1200000001
    """
    with domain_errors():
        data = moderation.thread(tweet_id)
    if json_output:
        print_json(data)
        return
    post = data["post"]
    console.print(f"[bold]{post['id']}[/bold] by {post['cliente_id']} — {post['status']}"
                  f"{' (hidden)' if post['escondido'] else ''}, {post['qtde_reportado']} reports")
    console.print(post["content"], markup=False)
    for reply in data["replies"]:
        console.print(f"  ↳ {reply['id']} by {reply['cliente_id']} ({reply['status']}): "
                      f"{_snippet(reply['content'])}", markup=False)
    for report in data["reports"]:
        console.print(f"  ! {report['created_at'][:16]} {'open' if report['open'] else 'resolved'}: "
                      f"{report['reason']}", markup=False)


@app.command()
def hide(tweet_id: str = typer.Argument(..., help="Post id.")):
    """Hide a post from everyone but its author and admins; resolves its open reports.

    Example: penhas timeline hide 261123T1200000001
    """
    with domain_errors():
        moderation.set_hidden(tweet_id, True)
    console.print(f"publicação {tweet_id} escondida")


@app.command()
def unhide(tweet_id: str = typer.Argument(..., help="Post id.")):
    """Show a hidden post again; resolves its open reports.

    Example: penhas timeline unhide 261123T1200000001
    """
    with domain_errors():
        moderation.set_hidden(tweet_id, False)
    console.print(f"publicação {tweet_id} visível novamente")


@app.command()
def delete(tweet_id: str = typer.Argument(..., help="Post id."),
           yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")):
    """Delete a post (as if its author had); resolves its open reports.

    Example: penhas timeline delete 261123T1200000001 --yes
    """
    if not yes:
        typer.confirm(f"Apagar a publicação {tweet_id}?", abort=True)
    with domain_errors():
        moderation.delete(tweet_id)
    console.print(f"publicação {tweet_id} apagada")
