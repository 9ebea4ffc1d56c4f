"""`penhas quiz`: the questionnaires as files the team reviews and edits, checked before they reach anyone.

Example: penhas quiz validate onboarding.json
"""
import json
from pathlib import Path

import typer
from rich.table import Table

from penhas_api.core.services import quiz_content
from penhas_api.core.services.quiz_compile import validate_questionnaire
from penhas_cli.output import console, domain_errors, fail, print_json

app = typer.Typer(help=__doc__, no_args_is_help=True)


def _read(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"não consegui ler {path}: {exc.strerror}")
    except ValueError as exc:
        fail(f"{path} não é JSON válido: {exc}")


@app.command("list")
def list_(json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Every questionnaire: id, name, whether it is published, when it is offered.

    Example: penhas quiz list
    """
    rows = quiz_content.list_questionnaires()
    if json_output:
        print_json(rows)
        return
    table = Table("id", "name", "active", "auto", "account", "questions", "condition")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], "sim" if r["active"] else "não",
                      "sim" if r["penhas_start_automatically"] else "não",
                      "sim" if r["penhas_cliente_required"] else "anônimo", str(r["questions"]), r["condition"])
    console.print(table)


@app.command()
def show(questionnaire_id: int = typer.Argument(..., help="Questionnaire id (see `penhas quiz list`)."),
         json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """One questionnaire and its questions in order, with relevance, tasks and tags.

    Example: penhas quiz show 12
    """
    with domain_errors():
        data = quiz_content.export(questionnaire_id)
        open_sessions = quiz_content.open_sessions(questionnaire_id)
    if json_output:
        print_json({**data, "open_sessions": open_sessions})
        return
    head = data["questionnaire"]
    console.print(f"[bold]{questionnaire_id} {head['name']}[/bold] active={head['active']} "
                  f"condition={head['condition']!r} end_screen={head['end_screen']!r} open sessions={open_sessions}")
    table = Table("#", "type", "code", "relevance", "question", "tarefas", "tags")
    for i, q in enumerate(data["questions"], start=1):
        table.add_row(str(i), q["type"], q["code"], q["relevance"], (q["question"] or "")[:80],
                      ",".join(q["tarefas"]), ",".join(q["tags"]))
    console.print(table)


@app.command()
def validate(path: Path = typer.Argument(..., help="A questionnaire file (JSON, as `penhas quiz export` writes)."),
             json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Compile every condition and text of a file and report each problem with its question code.

    Exit code 1 when there is any problem.
    Example: penhas quiz validate onboarding.json
    """
    problems = quiz_content.validate(_read(path))
    if json_output:
        print_json([{"code": p.code, "problem": p.message} for p in problems])
    elif problems:
        for p in problems:
            console.print(f"[red]{p.code}[/red]: {p.message}")
    else:
        console.print(f"{path}: ok")
    if problems:
        raise typer.Exit(1)


@app.command("validate-all")
def validate_all():
    """Validate every questionnaire stored in the database (what the app runs now).

    Example: penhas quiz validate-all
    """
    from penhas_api.core.models import Questionnaire

    bad = 0
    for q in Questionnaire.select().order_by(Questionnaire.id):
        problems = validate_questionnaire(q)
        bad += bool(problems)
        for p in problems:
            console.print(f"[red]{q.id} {q.name}[/red] {p.code}: {p.message}")
    if bad:
        raise typer.Exit(1)
    console.print("todos os questionários estão ok")


@app.command("import")
def import_(path: Path = typer.Argument(..., help="A questionnaire file (JSON)."),
            dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change, change nothing.")):
    """Create or update the questionnaire of a file (matched by name). Idempotent; refused when invalid. Audited.

    Example: penhas quiz import onboarding.json --dry-run
    """
    with domain_errors():
        result = quiz_content.import_file(_read(path), dry_run=dry_run)
    prefix = "[yellow]dry-run[/yellow] " if dry_run else ""
    what = "criado" if result["created"] else "atualizado"
    console.print(f"{prefix}{result['name']} (id {result['id']}) {what}: {result['inserted']} novas, "
                  f"{result['updated']} alteradas, {result['deleted']} removidas")


@app.command()
def export(questionnaire_id: int = typer.Argument(..., help="Questionnaire id."),
           output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of the screen.")):
    """Write a questionnaire as a reviewable JSON file (the format `validate` and `import` read).

    Example: penhas quiz export 1 -o onboarding.json
    """
    with domain_errors():
        data = quiz_content.export(questionnaire_id)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"escrito em {output}")
    else:
        typer.echo(text, nl=False)


@app.command()
def publish(questionnaire_id: int = typer.Argument(..., help="Questionnaire id.")):
    """Publish (activate) a questionnaire after validating it. Audited.

    Example: penhas quiz publish 1
    """
    with domain_errors():
        q = quiz_content.set_active(questionnaire_id, True)
    console.print(f"{q.id} {q.name} publicado")


@app.command()
def unpublish(questionnaire_id: int = typer.Argument(..., help="Questionnaire id.")):
    """Take a questionnaire off the app (open sessions stay answerable). Audited.

    Example: penhas quiz unpublish 1
    """
    with domain_errors():
        q = quiz_content.set_active(questionnaire_id, False)
    console.print(f"{q.id} {q.name} despublicado")


def _show_messages(msgs: list[dict]) -> None:
    for m in msgs:
        if m["type"] == "displaytext":
            style = "red" if m.get("style") == "error" else "cyan"
            console.print(f"[{style}]💬 {m.get('content') or ''}[/{style}]")
        else:
            console.print(f"[bold]❓ {m.get('content') or ''}[/bold] [dim]({m['type']} {m.get('ref')})[/dim]")
            for o in m.get("options") or []:
                console.print(f"    [{o['index']}] {o['display']}")
            if m["type"] == "button":
                console.print(f"    [botão: {m.get('label')}]")


def _value_for(msg: dict, given: str) -> str:
    """Operators may answer options by value or label as well as by index."""
    if msg["type"] in ("onlychoice", "multiplechoices"):
        parts = []
        for part in (given.split(",") if msg["type"] == "multiplechoices" else [given]):
            match = next((o["index"] for o in msg.get("options") or [] if part in (o["display"], o["index"])), part)
            parts.append(str(match))
        return ",".join(parts)
    return given


@app.command()
def preview(questionnaire_id: int = typer.Argument(..., help="Questionnaire id."),
            answers: list[str] = typer.Option([], "--answers", "-a",
                                              help="CODE=VALUE answers given in order; repeat the option."),
            interactive: bool = typer.Option(False, "--interactive", "-i",
                                             help="Ask in the terminal for answers not given with --answers.")):
    """Walk a questionnaire as a user would see it, without storing anything or touching any account.

    Side effects (tasks, tags, stealth mode) are not applied; CEP questions do run the real lookup.
    Example: penhas quiz preview 1 -a ONB_P1=N -a ONB_P2=N -a ONB_P3=N -a ONB_P4=N -a ONB_FIM=1
    """
    given = {}
    for item in answers:
        code, sep, value = item.partition("=")
        if not sep:
            fail(f"--answers precisa ser CODE=VALOR, não {item!r}")
        given[code] = value
    from penhas_api.core.models import QuizConfig

    with domain_errors():
        engine = quiz_content.preview_engine(questionnaire_id)
    qs = engine.load()
    for _ in range(500):
        if qs.get("finished"):
            console.print(f"[green]fim[/green] → end_screen {qs['end_screen']}")
            return
        _show_messages(qs["current_msgs"])
        inputs = [m for m in qs["current_msgs"] if m["type"] != "displaytext"]
        if not inputs:
            fail("o questionário parou sem pergunta")
        msg = inputs[-1]
        row_id = "".join(c for c in msg["ref"].split("_")[0] if c.isdigit())
        row = QuizConfig.get_or_none(QuizConfig.id == int(row_id)) if row_id else None
        code = row.code if row is not None else msg["ref"]
        if code in given:
            value = given[code]
        elif interactive:
            value = typer.prompt(f"{code}")
        else:
            console.print(f"[yellow]parou em {code}: sem resposta (use --answers {code}=VALOR ou -i)[/yellow]")
            return
        console.print(f"  → {value}")
        qs = engine.answer({msg["ref"]: _value_for(msg, value)})
    fail("passos demais")
