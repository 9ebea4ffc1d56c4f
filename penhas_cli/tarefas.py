"""`penhas tarefas`: the Manual de Fuga task catalogue (the tasks answers add to a woman's list).

Example: penhas tarefas show T9
"""
import typer
from rich.table import Table

from penhas_api.core.services import mf_tasks
from penhas_cli.output import console, domain_errors, print_json

app = typer.Typer(help=__doc__, no_args_is_help=True)


def _row(t) -> dict:
    return {"codigo": t.codigo, "tipo": t.tipo, "agrupador": t.agrupador, "titulo": t.titulo, "descricao": t.descricao}


@app.command("list")
def list_(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Every catalogue task: code, type, group and the start of its text.

    Example: penhas tarefas list
    """
    rows = [_row(t) for t in mf_tasks.catalogue()]
    if json_output:
        print_json(rows)
        return
    table = Table("codigo", "tipo", "agrupador", "descricao")
    for r in rows:
        table.add_row(r["codigo"] or "", r["tipo"], r["agrupador"], r["descricao"][:90])
    console.print(table)


@app.command()
def show(code: str = typer.Argument(..., help="Task code, e.g. T9."),
         json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """One catalogue task in full.

    Example: penhas tarefas show T9
    """
    with domain_errors():
        row = _row(mf_tasks.catalogue_item(code))
    if json_output:
        print_json(row)
        return
    for key, value in row.items():
        console.print(f"[bold]{key}[/bold]: {value}")
