"""`penhas backup`: encrypted database backups, their verification by restore, restores and retention."""
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from penhas_api.core.errors import PenhasError
from penhas_api.core.services import backups
from penhas_cli.output import console, domain_errors, err_console, fail, print_json, print_table, whole

app = typer.Typer(
    help="Encrypted backups of the database. A backup is stored with a manifest (size, checksum, schema version, "
         "row counts); `verify` restores it into a scratch database and compares the counts. The nightly job "
         "creates, verifies and prunes on its own; these commands are for drills and emergencies.\n\n"
         "Example: penhas backup create && penhas backup list",
    no_args_is_help=True,
)

WHERE_HELP = "'storage' (the configured S3 bucket or data-dir storage, under backups/) or a directory path."
STEPS = {"dump": "dumping the database", "encrypt": "compressing and encrypting", "upload": "storing",
         "download": "downloading and decrypting", "safety": "backing up the target first", "restore": "restoring"}


def _progress(title: str):
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                        transient=True)
    task = progress.add_task(title)
    return progress, lambda step: progress.update(task, description=f"{title}: {STEPS.get(step, step)}")


def _orphan_ids(orphans) -> str:
    return ", ".join(o.id for o in orphans[:5]) + (" …" if len(orphans) > 5 else "")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


@app.command()
def create(
    to: str = typer.Option("storage", "--to", help=f"Where to store it: {WHERE_HELP}"),
    json_output: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
):
    """Back up the configured database now (pg_dump or SQLite online backup), compressed and encrypted.

    Example: penhas backup create --to /srv/backups
    """
    progress, step = _progress("backup")
    with domain_errors(), progress:
        manifest = backups.create_backup(to, progress=step)
    if json_output:
        print_json(manifest.as_dict())
        return
    console.print(f"backup [green]{manifest.id}[/green] stored in {to}: {_size(manifest.size)}, "
                  f"{len(manifest.tables)} tables, {manifest.total_rows} rows, schema {manifest.schema_version}")


@app.command("list")
def list_(
    source: str = typer.Option("storage", "--from", help=WHERE_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """List backups, newest first, with the outcome of their latest verification. Files without a readable
    manifest (orphans, e.g. left by a crashed create) are reported in a warning; `prune` removes them.

    Example: penhas backup list --json
    """
    with domain_errors():
        inventory = backups.scan_backups(source)
    found = inventory.backups
    if inventory.orphans:
        # On stderr, so --json output stays parseable.
        err_console.print(f"[yellow]warning:[/yellow] {len(inventory.orphans)} orphaned backup(s) without a "
                          f"readable manifest ({_orphan_ids(inventory.orphans)}): `penhas backup prune` removes "
                          f"them once older than {backups.ORPHAN_MIN_AGE.days} day(s)")
    checks = backups.last_verifications([m.id for m in found])
    if json_output:
        print_json([dict(m.as_dict(), verified=(checks[m.id].status if m.id in checks else None)) for m in found])
        return
    table = Table(*(whole(column) for column in ("id", "created (UTC)", "engine", "schema", "size", "rows",
                                                 "verified")))
    for m in found:
        check = checks.get(m.id)
        verified = "-" if check is None else (f"[green]ok[/green] {check.finished_at:%Y-%m-%d %H:%M}"
                                              if check.status == "ok" else "[red]failed[/red]")
        table.add_row(m.id, f"{m.created_at:%Y-%m-%d %H:%M:%S}", m.engine, m.schema_version or "-",
                      _size(m.size), str(m.total_rows), verified)
    print_table(table)
    console.print(f"{len(found)} backup(s) in {source}")


@app.command()
def verify(
    backup_id: str = typer.Argument(..., metavar="ID", help="Backup id from `penhas backup list`."),
    source: str = typer.Option("storage", "--from", help=WHERE_HELP),
):
    """Restore a backup into a scratch database (temporary PostgreSQL database or SQLite file) and compare the
    row count of every table with its manifest. Exit 1 when anything differs.

    Example: penhas backup verify 20260101T033000Z-9f2c
    """
    progress, step = _progress(f"verify {backup_id}")
    with domain_errors(), progress:
        try:
            result = backups.verify_backup(backup_id, source, progress=step)
        except PenhasError as err:
            if err.error != "backup_not_found":
                raise
            raise typer.BadParameter(err.message, param_hint="ID") from None  # a usage error (exit 2), not a result
    console.print(f"[green]ok[/green]: {len(result.found)} tables, {sum(result.found.values())} rows match the "
                  "manifest")


@app.command()
def restore(
    backup_id: str = typer.Argument(..., metavar="ID", help="Backup id from `penhas backup list`."),
    target: str = typer.Option(..., "--target", help="DATABASE_URL to overwrite (postgresql://… or sqlite:///…)."),
    yes: bool = typer.Option(False, "--yes", help="Confirm that everything in the target is replaced."),
    source: str = typer.Option("storage", "--from", help=WHERE_HELP),
    force: bool = typer.Option(False, "--force", help="Restore even though other clients use the target (other "
                                                      "PostgreSQL connections, a running serve/worker on SQLite)."),
    safety_backup: bool = typer.Option(True, "--safety-backup/--no-safety-backup",
                                       help="Back up what the target holds first, next to the backup restored."),
):
    """Replace the target database's contents with a backup. Stop `penhas serve` and every `penhas worker` that
    use the target first (a target with other clients is refused without --force), then run `penhas db migrate`
    if the code is newer than the backup's schema. What the target held is backed up first, so a restore onto
    the wrong database can be undone.

    Example: penhas backup restore 20260101T033000Z-9f2c --target sqlite:///var/restored.db --yes
    """
    if not yes:
        fail("restore apaga tudo no banco de destino; confirme com --yes")

    def forced(busy: str) -> None:
        err_console.print(f"[yellow]warning:[/yellow] {busy}; restoring anyway (--force): what they write meanwhile "
                          "is lost and they may fail until restarted", soft_wrap=True)

    if not safety_backup:
        err_console.print("[yellow]warning:[/yellow] no safety backup (--no-safety-backup): what the target holds "
                          "now cannot be recovered", soft_wrap=True)
    progress, step = _progress(f"restore {backup_id}")
    with domain_errors(), progress:
        restored = backups.restore_backup(backup_id, target, source, progress=step, force=force,
                                          safety_backup=safety_backup, on_forced=forced)
    if restored.safety_backup:
        console.print(f"safety backup [green]{restored.safety_backup.id}[/green] of what the target held, in "
                      f"{source} (undo: penhas backup restore {restored.safety_backup.id} --target … --from {source})",
                      soft_wrap=True)
    manifest = restored.manifest
    console.print(f"[green]restored[/green] {manifest.id}: {manifest.total_rows} rows, schema "
                  f"{manifest.schema_version}. Run `penhas db migrate` if the code expects a newer schema.")


@app.command()
def prune(
    keep_daily: int = typer.Option(7, help="Keep the newest backup of each of the last N days."),
    keep_weekly: int = typer.Option(4, help="…of each of the last N ISO weeks."),
    keep_monthly: int = typer.Option(6, help="…of each of the last N months."),
    source: str = typer.Option("storage", "--from", help=WHERE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be deleted; delete nothing."),
):
    """Delete backups outside the daily/weekly/monthly retention, and orphaned files (a dump without a readable
    manifest, e.g. left by a crashed create) once their id is more than a day old — younger ones may belong to
    a create still running and are only reported.

    Example: penhas backup prune --dry-run
    """
    with domain_errors():
        plan = backups.prune_backups(keep_daily, keep_weekly, keep_monthly, source, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    for m in plan.delete:
        console.print(f"{verb} {m.id}")
    for o in plan.orphans:
        console.print(f"{verb} orphan {o.id} ({len(o.keys)} file(s), {_size(o.size)})")
    if plan.recent_orphans:
        console.print(f"[yellow]kept {len(plan.recent_orphans)} recent orphan(s)[/yellow] "
                      f"({_orphan_ids(plan.recent_orphans)}): younger than {backups.ORPHAN_MIN_AGE.days} day(s), "
                      "a create may still be writing them")
    console.print(f"kept {len(plan.keep)}, {verb} {len(plan.delete)}"
                  + (f" + {len(plan.orphans)} orphan(s)" if plan.orphans else ""))
