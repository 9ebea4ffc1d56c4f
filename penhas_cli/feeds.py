"""`penhas feeds`: the RSS/Atom sources of the news shown in the timeline. Actions are audited.

Example: penhas feeds add https://www.example.com/rss --tag 3
"""
import typer
from rich.progress import Progress
from rich.table import Table

from penhas_api.core.services import rss
from penhas_cli.output import console, domain_errors, fail, print_json, print_record

app = typer.Typer(help=__doc__, no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")


@app.command()
def add(url: str = typer.Argument(..., help="The feed URL (http or https)."),
        tag: list[int] = typer.Option([], "--tag", help="Tag id given to every news of this feed (repeatable)."),
        fonte: str = typer.Option(None, "--fonte", help="Source name shown under each news (default: the host)."),
        autocapitalize: bool = typer.Option(False, "--autocapitalize", help="Capitalize words of titles.")):
    """Add an active feed; it is fetched on the next tick (or now with `penhas feeds fetch ID`).

    Example: penhas feeds add https://www.example.com/rss --tag 3 --fonte "Agência"
    """
    with domain_errors():
        feed = rss.add_feed(url, tag, fonte, autocapitalize)
    console.print(f"feed {feed.id} adicionado")


@app.command("list")
def list_feeds(json_output: bool = JSON):
    """Every feed with its state, last run and last error.

    Example: penhas feeds list --json
    """
    rows = rss.list_feeds()
    if json_output:
        print_json(rows)
        return
    table = Table("id", "status", "url", "news", "last run", "failures", "last error")
    for f in rows:
        table.add_row(str(f["id"]), f["status"], f["url"], str(f["news"]), (f["last_run"] or "")[:16],
                      str(f["failures"]), f["last_error"] or "")
    console.print(table if rows else "nenhum feed")


@app.command()
def show(feed_id: int = typer.Argument(..., help="Feed id."), json_output: bool = JSON):
    """One feed in full.

    Example: penhas feeds show 1
    """
    with domain_errors():
        data = rss.feed_dict(rss.get_feed(feed_id))
    if json_output:
        print_json(data)
        return
    print_record(data)


@app.command()
def disable(feed_id: int = typer.Argument(..., help="Feed id.")):
    """Stop fetching a feed (its news stay).

    Example: penhas feeds disable 1
    """
    with domain_errors():
        rss.disable_feed(feed_id)
    console.print(f"feed {feed_id} desativado")


@app.command()
def fetch(feed_id: int = typer.Argument(None, help="Feed id; all active feeds when left out."),
          json_output: bool = JSON):
    """Fetch now (ignoring the schedule), then rebuild the showcase; prints one result line per feed.

    Example: penhas feeds fetch 1
    """
    with domain_errors():
        feeds = [rss.get_feed(feed_id)] if feed_id else [f for f in rss.due_feeds_all()]
    results = []
    with Progress(console=console, transient=True, disable=json_output) as progress:
        task = progress.add_task("buscando feeds", total=len(feeds))
        for feed in feeds:
            results.append(rss.fetch_feed(feed))
            progress.advance(task)
    if any(r["new"] or r["updated"] for r in results):
        rss.rebuild_showcase()
    if json_output:
        print_json(results)
    else:
        table = Table("id", "url", "result", "new", "updated", "error")
        for r in results:
            table.add_row(str(r["id"]), r["url"], r["status"], str(r["new"]), str(r["updated"]), r["error"] or "")
        console.print(table if results else "nenhum feed ativo")
    if any(r["status"] == "error" for r in results):
        fail("alguns feeds falharam")
