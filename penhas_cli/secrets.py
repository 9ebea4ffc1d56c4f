"""`penhas secrets`: a fresh set of the four keys, in the format the service accepts (docs/operations.md)."""
import typer

from penhas_api.core.settings import KEY_FORMAT, Settings, new_key

app = typer.Typer(
    help=f"The service's keys ({', '.join(Settings.SECRET_VARIABLES)}): each is {KEY_FORMAT}.\n\n"
         "Example: penhas secrets generate --env > /etc/penhas/secrets.env",
    no_args_is_help=True,
)


@app.command()
def generate(env: bool = typer.Option(False, "--env", help="Print NAME=value lines for an env file (systemd "
                                                           "EnvironmentFile, docker --env-file) instead of "
                                                           "shell `export` lines.")):
    """Print a fresh, correctly formed set of keys on stdout (nothing is logged or stored). Use it once, for a
    new installation: a new ENCRYPTION_KEY or BACKUP_KEY replaces a key only through the rotation in
    docs/operations.md, and HMAC_KEY is never replaced.

    Example: penhas secrets generate --env > /etc/penhas/secrets.env
    Example: eval "$(penhas secrets generate)"
    """
    prefix = "" if env else "export "
    for name in Settings.SECRET_VARIABLES:
        typer.echo(f"{prefix}{name}={new_key()}")
