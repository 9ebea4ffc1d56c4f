"""Root of the `penhas` command. Each noun is its own module; add it here."""
import typer

from penhas_api.core.db import database, init_db
from penhas_api.core.logs import setup_logging
from penhas_api.core.settings import get_settings
from penhas_cli import db, health, serve

app = typer.Typer(
    help="PenhaS operator command: database, support centers, users, alerts and jobs, backups, health.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(db.app, name="db")
app.add_typer(db.fixtures_app, name="fixtures")
app.command("health")(health.health)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)


@app.callback()
def _setup(ctx: typer.Context):
    setup_logging(get_settings().log_level)
    # One connection per command, always closed when it ends.
    init_db()
    ctx.call_on_close(lambda: database.is_closed() or database.close())


def main():
    app()


if __name__ == "__main__":
    main()
