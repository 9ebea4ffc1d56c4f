"""Shared console helpers: one rich console, domain errors printed in red (in English) with a non-zero exit."""
import json
from contextlib import contextmanager

import typer
from rich.console import Console

from penhas_api.core.errors import PenhasError
from penhas_cli.errors import operator_message

console = Console()
err_console = Console(stderr=True)


def print_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def domain_errors():
    """Turn a PenhasError from a service into a red message and exit code 1."""
    try:
        yield
    except PenhasError as err:
        err_console.print(f"[red]error:[/red] {operator_message(err)}")
        raise typer.Exit(1) from None


def fail(message: str, code: int = 1):
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)
