"""Root of the `penhas` command. Each noun is its own module; add it here."""
import typer

from penhas_api.core.db import database, init_db
from penhas_api.core.logs import setup_logging
from penhas_api.core.settings import ConfigError, diagnostic_settings, get_settings, provision
from penhas_cli import backup, db, health, jobs, notify, secrets, serve, stats
from penhas_cli.output import console
from penhas_cli import audio as audio_cli
from penhas_cli import guardians, sms
from penhas_cli import centers as centers_cli
from penhas_cli import users as users_cli
import tasks  # noqa: F401  (registers every task on the queue port, so services can enqueue by name)

app = typer.Typer(
    help="PenhaS operator command: database, support centers, users, guardians and SMS, audio evidence, jobs,\n"
         "backups, notifications, statistics and health. Run `penhas COMMAND --help` for each.\n\n"
         "Example: penhas health",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(db.app, name="db")
app.add_typer(db.fixtures_app, name="fixtures")
app.add_typer(backup.app, name="backup")
app.add_typer(jobs.app, name="jobs")
app.add_typer(notify.app, name="notify")
app.add_typer(sms.app, name="sms")
app.add_typer(guardians.app, name="guardians")
app.add_typer(audio_cli.app, name="audio")
app.add_typer(centers_cli.app, name="centers")
app.add_typer(users_cli.app, name="users")
app.add_typer(secrets.app, name="secrets")
app.command("health")(health.health)
app.command("stats")(stats.stats)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)


# The commands that may start a fresh embedded setup: they generate its missing secrets (an explicit step,
# never a side effect of reading the configuration).
PROVISIONING_COMMANDS = {"serve", "worker", "db"}
# `penhas secrets` runs before any key exists (it makes them): it reads no configuration and opens no database.
UNCONFIGURED_COMMANDS = {"secrets"}


@app.callback()
def _setup(ctx: typer.Context):
    if ctx.invoked_subcommand in UNCONFIGURED_COMMANDS:
        return
    try:
        if ctx.invoked_subcommand in PROVISIONING_COMMANDS:
            settings = provision()
        elif ctx.invoked_subcommand == "health":  # reports malformed keys as down instead of refusing to start
            settings = diagnostic_settings()
        else:
            settings = get_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None
    setup_logging(settings.log_level)
    # One connection per command, always closed when it ends.
    init_db()
    ctx.call_on_close(lambda: database.is_closed() or database.close())


def main():
    app()


if __name__ == "__main__":
    main()
