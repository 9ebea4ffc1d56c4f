import typer
from rich.table import Table

from penhas_api.core.services.health import extra_checks, ready_checks
from penhas_cli.output import console, print_json


def health(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Check database, queue, storage, SMS and geocoder; exit 1 when anything is down.

    Example: penhas health
    Example: penhas health --json
    """
    checks = ready_checks() + extra_checks()
    if json_output:
        print_json({"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]})
    else:
        table = Table("check", "status", "latency (ms)", "detail")
        for c in checks:
            table.add_row(c.name, "[green]ok[/green]" if c.ok else "[red]down[/red]", f"{c.latency_ms:.1f}", c.detail)
        console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
