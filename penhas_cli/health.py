import typer
from rich.table import Table

from penhas_api.core.services.health import Check, extra_checks, ready_checks
from penhas_api.core.settings import ConfigError, load_settings, reset_settings
from penhas_cli.output import console, print_json


def settings_without_secrets():
    """When only secrets are missing the other checks can still run: the settings as read (nothing generated);
    None when the configuration itself is invalid."""
    try:
        settings = load_settings()
    except ConfigError:
        return None
    reset_settings(settings)
    return settings


def health(ctx: typer.Context, json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Check settings, database, queue, storage, SMS and geocoder; exit 1 when anything is down.

    Example: penhas health
    Example: penhas health --json
    """
    state = ctx.obj or {}
    config_error = state.get("config_error")
    checks = [Check("settings", False, 0.0, config_error)] if config_error else [Check("settings", True, 0.0, "valid")]
    if not config_error or state.get("settings_read"):
        checks += ready_checks() + extra_checks()
    if json_output:
        print_json({"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]})
    else:
        table = Table("check", "status", "latency (ms)", "detail")
        for c in checks:
            table.add_row(c.name, "[green]ok[/green]" if c.ok else "[red]down[/red]", f"{c.latency_ms:.1f}", c.detail)
        console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)

