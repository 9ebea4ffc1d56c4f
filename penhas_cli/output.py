"""Shared console helpers: one rich console, tables that keep identifiers and dates whole, domain errors
printed in red (in English) with a non-zero exit."""
import json
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Column, Table

from penhas_api.core.errors import PenhasError
from penhas_cli.errors import operator_message

console = Console()
err_console = Console(stderr=True)


_UNBOUNDED = 100_000


def whole(header: str, **kwargs) -> Column:
    """A table column whose values (identifiers, dates, phone numbers) are shown whole: `print_table` never
    wraps or cuts them; the other columns wrap instead."""
    return Column(header, no_wrap=True, **kwargs)


def print_table(table: Table) -> None:
    """Print a listing. On a terminal the table fits its width: its whole columns keep their full width and
    the other columns share what is left, wrapping (or, for a long word, folding); when the whole columns
    alone do not fit, the table runs wider rather than cut a date or phone number. In a pipe nothing wraps:
    one row per line, for grep and awk."""
    unbounded = console.options.update_width(_UNBOUNDED)
    columns = table.columns
    natural = [max(Measurement.get(console, unbounded, cell).maximum for cell in [column.header, *column._cells])
               for column in columns]
    left, right = table.padding[3], table.padding[1]
    overhead = len(columns) * (left + right) - (0 if table.pad_edge else left + right)
    if table.box:
        overhead += len(columns) - 1 + (2 if table.show_edge else 0)
    for column, width in zip(columns, natural):
        if column.no_wrap:
            column.min_width = width
    if console.is_terminal:
        kept = sum(w for c, w in zip(columns, natural) if c.no_wrap)
        others = [(c, w) for c, w in zip(columns, natural) if not c.no_wrap]
        for (column, _), share in zip(others, _share(console.width - overhead - kept, [w for _, w in others])):
            column.width, column.overflow = share, "fold"
        width = overhead + kept + sum(c.width for c, _ in others)
    else:
        width = overhead + sum(natural)
    if width == console.width:
        console.print(table)
    else:
        Console(file=console.file, width=width, force_terminal=console.is_terminal,
                color_system=console.color_system, no_color=console.no_color).print(table)


def _share(space: int, wanted: list[int], least: int = 3) -> list[int]:
    """Split ``space`` between columns wanting ``wanted`` widths: narrow ones get all they want, the rest an
    equal share of what remains (at least ``least`` each, or their whole width when narrower)."""
    out = [0] * len(wanted)
    remaining = space
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    for n, i in enumerate(order):
        fair = remaining // (len(order) - n) if remaining > 0 else 0
        out[i] = min(wanted[i], max(fair, least))
        remaining -= out[i]
    return out


def print_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_record(data: dict, title: str | None = None) -> None:
    """One record as a two-column field/value table (the column names shown only under a title)."""
    table = Table("field", "value", title=title, show_header=title is not None)
    for key, value in data.items():
        table.add_row(str(key), "" if value is None else str(value))
    console.print(table)


@contextmanager
def domain_errors():
    """Turn a PenhasError from a service into a red message and exit code 1."""
    try:
        yield
    except PenhasError as err:
        err_console.print(f"[red]error:[/red] {operator_message(err)}")
        raise typer.Exit(1) from None


def fail(message: str, code: int = 1):
    # One line whatever the terminal's width: an error an operator greps for is never split.
    err_console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)
