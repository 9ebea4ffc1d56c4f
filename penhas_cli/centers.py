"""`penhas centers …`: import, geocode, export and inspect support centers; review suggested centers."""
import sys
from collections import Counter
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from penhas_api.core.db import connection
from penhas_api.core.models import CenterProject, CenterProjectLink, CenterRating
from penhas_api.core.services import center_import, center_suggestions, centers
from penhas_cli.output import console, domain_errors, err_console, fail, print_json, print_record, print_table, whole

app = typer.Typer(help="Support centers (pontos de apoio): import datasets, fill coordinates, export, inspect, "
                       "and review what users suggested.\n\nExample: penhas centers search --lat -23.55 --lng -46.63",
                  no_args_is_help=True)
suggestions_app = typer.Typer(help="Centers suggested by users in the app: list, inspect, approve or reject.\n\n"
                                   "Example: penhas centers suggestions list",
                              no_args_is_help=True)
app.add_typer(suggestions_app, name="suggestions")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=False)


def _print_tallies(tallies: dict[str, Counter]) -> None:
    for column, counts in tallies.items():
        if not counts:
            continue
        table = Table(column, "rows", title=None)
        for value, n in counts.most_common(15):
            table.add_row(value, str(n))
        if len(counts) > 15:
            table.add_row(f"… {len(counts) - 15} more values", "")
        console.print(table)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file: the 2020 ';' or the 2022 ',' "
                                                                        "layout (detected from the header)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and show the tallies; write nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                      help="Import the valid rows even when others have problems."),
    add_project: list[str] = typer.Option(None, "--add-project", help="Also link every row to this project "
                                          "(label, repeatable), e.g. Penhas, which is the project the app lists."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
):
    """Import support centers from a dataset file.

    Every row is checked first; each problem is listed with its line and column, and nothing is imported while
    there are problems (unless --skip-invalid). Importing the same file again updates the centers it created
    instead of duplicating them. Example: penhas centers import delegacias-2020.csv --dry-run

    Which projects a center belongs to comes from the file's `projeto` column, plus --add-project. The app only
    lists project Penhas: the 2020 police-station survey belongs to the web map (Mapa Delegacia) alone, so the
    app sees its stations only when imported with --add-project Penhas (docs/centers.md).

    Example: penhas centers import centers.csv --dry-run
    """
    with connection(), domain_errors():
        known = {p.label.lower(): p.id for p in CenterProject.select()}
        unknown = [label for label in add_project or [] if label.strip().lower() not in known]
        if unknown and not known:
            fail(f"unknown project {unknown[0]!r}: this database has no projects yet; load the seed data with "
                 "`penhas fixtures load` (the Procfile's release step does it on every deploy)")
        if unknown:
            fail(f"unknown project {unknown[0]!r}; known: {', '.join(sorted(p.label for p in CenterProject.select()))}")
        extra = tuple(sorted({known[label.strip().lower()] for label in add_project or []}))
        try:
            parsed = center_import.parse_file(file)
        except center_import.ImportFileError as exc:
            fail(str(exc))
        if not json_output:
            console.print(f"layout [bold]{parsed.layout}[/bold]: {len(parsed.rows)} valid rows, "
                          f"{len(parsed.invalid_lines)} invalid, {len(parsed.skipped)} skipped")
            if parsed.errors:
                table = Table("line", "column", "value", "problem", title="problems")
                for e in parsed.errors[:200]:
                    table.add_row(str(e.line), e.column, e.value[:60], e.message)
                if len(parsed.errors) > 200:
                    table.add_row("…", "", "", f"{len(parsed.errors) - 200} more")
                console.print(table)
            for line, reason in parsed.skipped:
                console.print(f"line {line}: skipped ({reason})")
            _print_tallies(parsed.tallies())
        summary = None
        blocked = bool(parsed.errors) and not skip_invalid
        if not dry_run and not blocked:
            if json_output:
                summary = center_import.apply_import(parsed, extra_projects=extra)
            else:
                with _progress() as progress:
                    task = progress.add_task("importing", total=len(parsed.rows))
                    summary = center_import.apply_import(parsed, progress=lambda: progress.advance(task),
                                                         extra_projects=extra)
        result = {"layout": parsed.layout, "valid": len(parsed.rows), "invalid": len(parsed.invalid_lines),
                  "skipped": len(parsed.skipped), "dry_run": dry_run,
                  "errors": [vars(e) for e in parsed.errors],
                  "inserted": summary.inserted if summary else 0, "updated": summary.updated if summary else 0,
                  "unchanged": summary.unchanged if summary else 0}
        if json_output:
            print_json(result)
        elif summary:
            console.print(f"[green]done[/green]: {summary.inserted} inserted, {summary.updated} updated, "
                          f"{summary.unchanged} unchanged")
        elif blocked:
            err_console.print("[red]nothing imported[/red]: fix the problems above or use --skip-invalid")
        else:
            console.print("dry run: nothing written")
        if blocked:
            raise typer.Exit(1)


@app.command()
def geocode(
    missing: bool = typer.Option(True, "--missing/--all", help="Only centers without coordinates (default), "
                                                                "or every center."),
    limit: int = typer.Option(None, "--limit", min=1, help="At most this many centers."),
):
    """Fill latitude/longitude through the geocoder (cached answers first; see GEOCODER in the settings).

    Example: penhas centers geocode --missing --limit 100
    """
    with connection(), domain_errors():
        todo = center_import.centers_to_geocode(missing, limit)
        with _progress() as progress:
            task = progress.add_task("geocoding", total=len(todo))
            summary = center_import.geocode_centers(todo, progress=lambda: progress.advance(task))
        console.print(f"{summary.geocoded} geocoded, {len(summary.not_found)} not found, "
                      f"{len(summary.failed)} failed (provider unavailable)")
        if summary.not_found or summary.failed:
            table = Table("id", "nome", "problem")
            for cid, nome, address in summary.not_found:
                table.add_row(str(cid), nome, f"not found: {address}")
            for cid, nome, reason in summary.failed:
                table.add_row(str(cid), nome, reason)
            console.print(table)
        if summary.failed and not summary.geocoded and not summary.not_found:
            err_console.print(f"every lookup failed ({summary.failed[0][2]}): check GEOCODER and the provider's "
                              "keys with `penhas health`, then run again")
            raise typer.Exit(1)


@app.command()
def export(
    fmt: str = typer.Option("csv", "--format", help="csv or geojson."),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
    all_centers: bool = typer.Option(False, "--all", help="Include disabled and test centers."),
):
    """Export centers as CSV (the public download's columns) or GeoJSON.

    Example: penhas centers export --format geojson --output centers.geojson
    """
    if fmt not in ("csv", "geojson"):
        fail("--format must be csv or geojson")
    writer = center_import.export_csv if fmt == "csv" else center_import.export_geojson
    with connection():
        query = center_import.export_query(only_active=not all_centers)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                n = writer(fh, query)
            err_console.print(f"{n} centers written to {output}")
        else:
            writer(sys.stdout, query)


@app.command()
def show(center_id: int = typer.Argument(..., help="Center id."),
         json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """Everything about one center: fields, projects and ratings.

    Example: penhas centers show 42
    """
    from penhas_api.core.models import Center

    with connection(), domain_errors():
        center = Center.get_or_none(Center.id == center_id)
        if center is None:
            fail(f"center {center_id} not found")
        data = {k: getattr(center, k if k != "categoria" else "categoria_id", None)
                for k in center.__data__ if k not in ("search_text",)}
        data["projetos"] = [link.project.label for link in
                            CenterProjectLink.select().where(CenterProjectLink.center == center.id)]
        data["ratings"] = CenterRating.select().where(CenterRating.center == center.id).count()
        if json_output:
            print_json(data)
            return
        print_record(data, title=f"center {center.id}")


@app.command()
def search(
    lat: float = typer.Option(..., "--lat", help="Latitude of the point, e.g. -23.55."),
    lng: float = typer.Option(..., "--lng", help="Longitude of the point, e.g. -46.63."),
    radius: int = typer.Option(50, "--radius", min=1, max=5000, help="Kilometres (5000 = no limit)."),
    keywords: str = typer.Option(None, "--keywords", help="Words to look for."),
    categoria: list[int] = typer.Option(None, "--categoria", help="Category id (repeatable)."),
    projeto: str = typer.Option(None, "--projeto", help="Project label, e.g. Penhas (the app always sends it)."),
    ibge: int = typer.Option(None, "--ibge", help="Searcher's IBGE municipality code (for Regional centers)."),
    rows: int = typer.Option(20, "--rows", min=1, max=5000, help="How many to show."),
    json_output: bool = typer.Option(False, "--json", help="Print the rows as the app receives them."),
):
    """What a user at this point would see, nearest first.

    Example: penhas centers search --lat -23.55 --lng -46.63 --radius 10
    """
    with connection(), domain_errors():
        q = centers.Search(latitude=lat, longitude=lng, max_distance=radius, rows=rows, keywords=keywords,
                           categorias=categoria or [], municipality=ibge, nearest_first=True)
        if projeto:
            q.projeto_id = centers.find_project(projeto).id
        result = centers.search_centers(q)
        rows_out = centers.list_rows(result, q)
        if json_output:
            print_json(rows_out)
            return
        table = Table(whole("id"), "nome", "categoria", "uf", "distance (km)", "rating")
        for r in rows_out:
            table.add_row(str(r["id"]), r["nome"], r["categoria"]["nome"], r["uf"] or "", r["distancia"] or "",
                          r["avaliacao"])
        print_table(table)
        console.print(f"{len(rows_out)} shown" + (" (more available)" if result.has_more else ""))


# -- suggestions -------------------------------------------------------------------------------------------------
@suggestions_app.command("list")
def suggestions_list(
    status: str = typer.Option("awaiting-moderation", "--status",
                               help="awaiting-moderation, approved, reproved or all."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Suggestions waiting for review (or with another status), oldest first.

    Example: penhas centers suggestions list
    """
    if status not in center_suggestions.STATUSES + ("all",):
        fail("--status must be awaiting-moderation, approved, reproved or all")
    with connection():
        items = center_suggestions.list_suggestions(None if status == "all" else status)
        cats = centers.categories()
        rows = [{"id": s.id, "created_at": s.created_at.isoformat(sep=" ", timespec="seconds"), "nome": s.nome,
                 "categoria": cats[s.categoria].label if s.categoria in cats else str(s.categoria),
                 "municipio": f"{s.municipio}/{s.uf}", "status": s.status} for s in items]
    if json_output:
        print_json(rows)
        return
    table = Table(whole("id"), whole("created_at"), "nome", "categoria", "municipio", "status")
    for r in rows:
        table.add_row(*(str(r[k]) for k in ("id", "created_at", "nome", "categoria", "municipio", "status")))
    print_table(table)


@suggestions_app.command("show")
def suggestions_show(suggestion_id: int = typer.Argument(..., help="Suggestion id."),
                     json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")):
    """One suggestion as the user sent it, next to the draft center an approval would publish.

    Example: penhas centers suggestions show 7
    """
    with connection(), domain_errors():
        s = center_suggestions.get_suggestion(suggestion_id)
        sent = {k: v for k, v in s.__data__.items() if k not in ("metainfo", "saved_form", "cliente")}
        draft = s.saved_form or (center_suggestions.draft_from(s) if s.status == "awaiting-moderation" else {})
    if json_output:
        print_json({"suggestion": sent, "draft": draft})
        return
    table = Table("field", "sent", title=f"suggestion {s.id} ({s.status})")
    for k, v in sent.items():
        table.add_row(k, "" if v is None else str(v))
    console.print(table)
    if draft:
        table = Table("field", "draft center", title="approve publishes this (fix with --set field=value)")
        for k, v in draft.items():
            table.add_row(k, v or "[red](empty)[/red]" if k in center_suggestions.PUBLISH_REQUIRED else v or "")
        console.print(table)


@suggestions_app.command("approve")
def suggestions_approve(
    suggestion_id: int = typer.Argument(..., help="Suggestion id."),
    set_: list[str] = typer.Option(None, "--set", help="Fix or fill a draft field, e.g. --set natureza=publico "
                                                        "--set tipo_logradouro=Rua (repeatable)."),
    no_geocode: bool = typer.Option(False, "--no-geocode", help="Do not look up missing coordinates."),
):
    """Publish a center from the suggestion after validating it (the draft is kept between attempts).

    Example: penhas centers suggestions approve 7 --set natureza=publico
    """
    overrides = {}
    for item in set_ or []:
        if "=" not in item:
            fail(f"--set expects field=value, got {item!r}")
        k, v = item.split("=", 1)
        overrides[k.strip()] = v.strip()
    with connection(), domain_errors():
        center = center_suggestions.approve(suggestion_id, overrides, geocode=not no_geocode)
    console.print(f"[green]published[/green] center {center.id}: {center.nome}")


@suggestions_app.command("reject")
def suggestions_reject(suggestion_id: int = typer.Argument(..., help="Suggestion id.")):
    """Mark a suggestion as reproved (nothing is published).

    Example: penhas centers suggestions reject 7
    """
    with connection(), domain_errors():
        center_suggestions.reject(suggestion_id)
    console.print(f"suggestion {suggestion_id} rejected")

