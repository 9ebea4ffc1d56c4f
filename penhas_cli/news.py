"""`penhas news`: the news shown in the timeline, their tags and the showcase. Actions are audited.

Example: penhas news list --json
"""
import typer
from rich.table import Table

from penhas_api.core.services import news
from penhas_cli.output import console, domain_errors, print_json

app = typer.Typer(help=__doc__, no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")


@app.command("list")
def list_news(limit: int = typer.Option(50, "--limit", min=1, max=1000, help="How many, newest first."),
              hidden: bool = typer.Option(False, "--all", help="Include hidden news."), json_output: bool = JSON):
    """The newest news.

    Example: penhas news list --limit 20
    """
    rows = news.list_news(limit, hidden)
    if json_output:
        print_json(rows)
        return
    table = Table("id", "date", "source", "state", "tags", "title")
    for n in rows:
        table.add_row(str(n["id"]), n["date"][:16], n["fonte"] or "", n["published"], n["tags_index"].strip(","),
                      n["title"])
    console.print(table if rows else "nenhuma notícia")


@app.command()
def hide(news_id: int = typer.Argument(..., help="News id.")):
    """Stop showing a news anywhere (timeline, showcase, highlights).

    Example: penhas news hide 120
    """
    with domain_errors():
        news.hide_news(news_id)
    console.print(f"notícia {news_id} escondida")


@app.command()
def showcase(topic: int = typer.Option(None, "--topic", help="Tag id to make a showcase topic."),
             order: int = typer.Option(None, "--order", help="Position of --topic (lower comes first)."),
             remove: int = typer.Option(None, "--remove", help="Tag id to take out of the showcase."),
             json_output: bool = JSON):
    """Show the showcase (groups of news between posts) or change which topics feed it and in which order.

    Example: penhas news showcase --topic 3 --order 1
    """
    with domain_errors():
        if topic is not None:
            news.set_topic(topic, order, True)
        if remove is not None:
            news.set_topic(remove, None, False)
    rows = news.showcase()
    if json_output:
        print_json(rows)
        return
    table = Table("order", "topic", "news ids")
    for row in rows:
        table.add_row(str(row["order"]), row["title"] or "", ", ".join(map(str, row["news"])))
    console.print(table if rows else "vitrine vazia")


@app.command()
def tags(json_output: bool = JSON):
    """Every tag, with its role (showcase topic, timeline filter).

    Example: penhas news tags
    """
    rows = news.list_tags()
    if json_output:
        print_json(rows)
        return
    table = Table("id", "title", "status", "topic", "order", "filter")
    for t in rows:
        table.add_row(str(t["id"]), t["title"], t["status"], "yes" if t["is_topic"] else "", str(t["topic_order"]),
                      "yes" if t["show_on_filters"] else "")
    console.print(table if rows else "nenhuma tag")


@app.command("tag-add")
def tag_add(title: str = typer.Argument(..., help="Tag title."),
            filters: bool = typer.Option(False, "--filters", help="Offer it in the app's timeline filters."),
            topic: bool = typer.Option(False, "--topic", help="Make it a showcase topic."),
            order: int = typer.Option(0, "--order", help="Showcase position when --topic.")):
    """Create a tag (give it to feeds with `penhas feeds add --tag ID`).

    Example: penhas news tag-add "Direitos Humanos" --filters --topic
    """
    with domain_errors():
        tag = news.add_tag(title, filters, topic, order)
    console.print(f"tag {tag.id} criada")
