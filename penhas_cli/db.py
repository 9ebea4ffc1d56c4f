import typer
from rich.table import Table

from penhas_api.core import migrate as migrations
from penhas_api.core.fixtures import load_fixtures
from penhas_cli.output import console, print_json, print_table, whole

app = typer.Typer(help="Database schema: apply and inspect versioned migrations from sql/.\n\n"
                       "Example: penhas db migrate", no_args_is_help=True)
fixtures_app = typer.Typer(help="Seed data the app needs (categories, projects, preferences, texts...).\n\n"
                                "Example: penhas fixtures load",
                           no_args_is_help=True)


@app.command()
def migrate():
    """Apply pending migrations in order. Running it again changes nothing.

    Example: penhas db migrate
    """
    ran = migrations.migrate(progress=lambda m: console.print(f"applied [green]{m.version}[/green] {m.name}"))
    if not ran:
        console.print("schema up to date")


@app.command()
def status(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """List migrations and whether each is applied.

    Example: penhas db status
    Example: penhas db status --json
    """
    found = migrations.status()
    if json_output:
        print_json([{"version": mig.version, "name": mig.name, "applied": done} for mig, done in found])
        return
    table = Table(whole("version"), "name", "state")
    pending = 0
    for mig, done in found:
        table.add_row(mig.version, mig.name, "[green]applied[/green]" if done else "[yellow]pending[/yellow]")
        pending += not done
    print_table(table)
    console.print(f"{pending} pending")


@fixtures_app.command("load")
def fixtures_load():
    """Insert or update the seed rows from fixtures/ (idempotent).

    Example: penhas fixtures load
    """
    table = Table("table", "inserted", "updated")
    for name, inserted, updated in load_fixtures():
        table.add_row(name, str(inserted), str(updated))
    console.print(table)
