"""Root of the `penhas` command. Each noun is its own module; add it here."""
import os
import sys

import typer

from penhas_api.core import data_dir
from penhas_api.core.db import database, init_db
from penhas_api.core.logs import setup_logging
from penhas_api.core.settings import ConfigError, diagnostic_settings, get_settings, provision
from penhas_cli import backup, db, health, jobs, notify, secrets, serve, stats
from penhas_cli.output import err_console
from penhas_cli import audio as audio_cli
from penhas_cli import chat as chat_cli
from penhas_cli import guardians, sms, support
from penhas_cli import centers as centers_cli
from penhas_cli import users as users_cli
from penhas_cli import quiz as quiz_cli
from penhas_cli import tarefas as tarefas_cli
from penhas_cli import badges, feeds, news, people, timeline
from penhas_cli.errors import debug_requested, report
from penhas_cli import openapi as openapi_cli

app = typer.Typer(
    help="PenhaS operator command: database, support centers, users, guardians and SMS, audio evidence, support\n"
         "chat, the community timeline, news feeds and badges, questionnaires and tasks, jobs, backups,\n"
         "notifications, statistics and health. Run `penhas COMMAND --help` for each.\n\n"
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
app.add_typer(quiz_cli.app, name="quiz")
app.add_typer(tarefas_cli.app, name="tarefas")
app.add_typer(support.app, name="support")
app.add_typer(chat_cli.app, name="chat")
app.add_typer(feeds.app, name="feeds")
app.add_typer(news.app, name="news")
app.add_typer(timeline.app, name="timeline")
app.add_typer(badges.app, name="badges")
users_cli.app.command("reports")(people.reports)
users_cli.app.command("set-admin")(people.set_admin)
users_cli.app.command("unset-admin")(people.unset_admin)
app.add_typer(secrets.app, name="secrets")
app.command("health")(health.health)
app.command("stats")(stats.stats)
app.command("serve")(serve.serve)
app.command("openapi")(openapi_cli.openapi)
app.command("worker")(serve.worker)


# The commands that may start a fresh embedded setup: they generate its missing secrets (an explicit step,
# never a side effect of reading the configuration).
PROVISIONING_COMMANDS = {"serve", "worker", "db"}
# `penhas secrets` runs before any key exists (it makes them), and `penhas openapi` describes routes, not an
# instance: they read no configuration and open no database.
UNCONFIGURED_COMMANDS = {"secrets", "openapi"}


@app.callback()
def _setup(ctx: typer.Context,
           debug: bool = typer.Option(False, "--debug", help="Show the traceback when a command fails "
                                                              "(also PENHAS_DEBUG=1).")):
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
        if ctx.invoked_subcommand != "health":
            err_console.print(f"[red]configuration error:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(2) from None
        # `penhas health` reports the configuration as a check that is down, and runs what it still can.
        settings = health.settings_without_secrets()
        ctx.obj = {"config_error": str(exc), "settings_read": settings is not None}
        if settings is None:
            return
    if ctx.invoked_subcommand == "health" and not settings.data_dir.exists():
        os.umask(data_dir.UMASK)  # health creates nothing, not even the data dir
    else:
        data_dir.secure(settings.data_dir)
    setup_logging(settings.log_level)
    if ctx.invoked_subcommand != "health":  # health checks the queue itself, and must create nothing
        # Registers every task on the queue port, so services can enqueue by name; after the settings were
        # checked, because building the queue reads them (and opens the embedded queue's file).
        import tasks  # noqa: F401
    # One connection per command, always closed when it ends.
    init_db()
    ctx.call_on_close(lambda: database.is_closed() or database.close())


def main():
    """Every failure ends here: one or two lines on stderr and a non-zero exit (penhas_cli/errors.py)."""
    try:
        code = app(standalone_mode=False)
    except Exception as exc:
        if debug_requested(sys.argv[1:]):
            raise
        sys.exit(report(exc))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
