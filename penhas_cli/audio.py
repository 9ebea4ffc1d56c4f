"""`penhas audio`: operator access to audio evidence (listing, access grants, court exports, storage hygiene).

Every command writes an audit row; none prints audio content or a storage key's owner-identifying data.
"""
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from penhas_api.core.db import connection
from penhas_api.core.services import audio as audio_service
from penhas_cli.output import console, domain_errors, print_json, print_table, whole

app = typer.Typer(
    help="Audio recordings made in the app's help center. Events are named [bold]<user id>:<uuid>[/bold] "
         "(the uuid alone works when only one user has it). Recordings are encrypted in storage; "
         "these commands are the only way besides the owner's app to read them.\n\n"
         "Example: penhas audio list 123",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

EVENT_HELP = "Event id as shown by `penhas audio list` (<user id>:<uuid>), or its uuid."


def _event_dict(event, segments: int) -> dict:
    return {
        "event_id": event.event_id,
        "status": event.status,
        "created_at": audio_service.iso(event.created_at),
        "last_cliente_created_at": audio_service.iso(event.last_cliente_created_at),
        "audio_duration_secs": float(event.audio_duration),
        "total_bytes": event.total_bytes,
        "segments": segments,
        "requested_by_user": event.requested_by_user,
        "deleted_by_user_at": audio_service.iso(event.deleted_at),
        "estava_em_situacao_risco": event.estava_em_situacao_risco,
    }


@app.command("list")
def list_(
    user_id: int = typer.Argument(..., help="The user's id (clientes.id)."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """List every audio event of a user, including hidden, user-deleted and purged ones, newest first.

    Example: penhas audio list 123
    """
    with domain_errors(), connection():
        events = audio_service.user_events(user_id)
        counts = audio_service.segment_counts([e.event_id for e in events])
    rows = [_event_dict(e, counts.get(e.event_id, 0)) for e in events]
    if json_output:
        print_json(rows)
        return
    # The id is what `grant` and `export` take: never wrapped or cut.
    table = Table(whole("event"), "status", whole("recorded (UTC)"), "duration", "size", "segments", "requested",
                  whole("deleted by her"))
    for r, e in zip(rows, events):
        table.add_row(r["event_id"], r["status"], r["last_cliente_created_at"] or "",
                      audio_service.format_duration(e.audio_duration), audio_service.format_bytes(e.total_bytes),
                      str(r["segments"]), "yes" if e.requested_by_user else "",
                      r["deleted_by_user_at"] or "")
    print_table(table)
    console.print(f"{len(rows)} event(s)")


@app.command()
def grant(event_id: str = typer.Argument(..., help=EVENT_HELP)):
    """Release an event for download in the app (status free_access_by_admin) until 40 days after recording.

    Example: penhas audio grant 123:6f1c2e4a-8b9d-4c3e-a2f1-0d9e8c7b6a54
    """
    with domain_errors(), connection():
        event = audio_service.grant_access(audio_service.resolve_event(event_id))
    if event.status == audio_service.GRANTED and event.deleted_at is not None:
        console.print(f"[yellow]granted[/yellow] {event.event_id}, but she deleted it from her list, so the app "
                      f"does not show it; use `penhas audio export` to hand the recording over")
    elif event.status == audio_service.GRANTED:
        console.print(f"[green]granted[/green] {event.event_id}: she can download it in the app")
    else:
        console.print(f"[yellow]{event.event_id} is {event.status}[/yellow]: older than 40 days, so it stays hidden "
                      f"in the app; use `penhas audio export` to hand the recording over")


@app.command()
def export(
    event_id: str = typer.Argument(..., help=EVENT_HELP),
    to: Path = typer.Option(..., "--to", help="File to create (must not exist); written with owner-only permissions.",
                            dir_okay=False, writable=True),
):
    """Decrypt an event's recording (all segments, in order, AAC) into a file, e.g. for a court request.

    The SHA-256 of the file is printed and kept in the audit trail, so the copy handed over can be checked later.

    Example: penhas audio export 123:6f1c2e4a-8b9d-4c3e-a2f1-0d9e8c7b6a54 --to evidence.aac
    """
    with domain_errors(), connection():
        event = audio_service.resolve_event(event_id)
        written, sha256, segments = audio_service.export_event(event, to)
    console.print(f"exported {event.event_id}: {segments} segment(s), {written} bytes → {to}")
    console.print(f"sha256 {sha256}")


@app.command()
def orphans(
    fix: bool = typer.Option(False, "--fix", help="Delete what is found (after listing it): orphan objects, and "
                                                  "unlinked uploads with their objects."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Find audio storage that nothing reaches, left by interrupted uploads or deletions.

    Two kinds: [bold]orphan objects[/bold] under audio/ that no media_upload row names, and [bold]unlinked
    uploads[/bold]: media_upload rows (and their objects) that no segment references, older than 24 hours so an
    upload in progress is never touched. Neither belongs to an event, so the 5-year purge never removes them.

    Example: penhas audio orphans
    Example: penhas audio orphans --fix
    """
    with console.status("listing storage…"), domain_errors(), connection():
        found = audio_service.find_orphans()
        unlinked = audio_service.find_unlinked_media()
    if fix and (found or unlinked):
        with connection(), Progress(TextColumn("removing"), BarColumn(), MofNCompleteColumn(),
                                    console=console, transient=True) as progress:
            task = progress.add_task("remove", total=len(found) + len(unlinked))
            removed = audio_service.clean_orphans(found, unlinked, True, on_each=lambda: progress.advance(task))
    else:
        with connection():
            removed = audio_service.clean_orphans(found, unlinked, False)
    if json_output:
        print_json({"orphans": [{"key": k, "size": s} for k, s in found],
                    "unlinked_media": [{"id": m.id, "key": m.s3_path, "size": m.file_size,
                                        "created_at": audio_service.iso(m.created_at)} for m in unlinked],
                    "removed": removed})
        return
    if found:
        table = Table(whole("orphan object"), "size")
        for key, size in found:
            table.add_row(key, audio_service.format_bytes(size))
        print_table(table)
    if unlinked:
        # The row id in full (its object key is in --json): it is what to look up before a --fix.
        table = Table(whole("unlinked upload"), "size", whole("uploaded (UTC)"))
        for m in unlinked:
            table.add_row(m.id, audio_service.format_bytes(m.file_size), audio_service.iso(m.created_at))
        print_table(table)
    console.print(f"{len(found)} orphan object(s), {len(unlinked)} unlinked upload(s)"
                  + (f", {removed} removed" if fix else ""))


@app.command()
def rewrap():
    """Re-wrap every data key with the current ENCRYPTION_KEY after a master-key rotation.

    Rotation: put the old key in ENCRYPTION_KEYS_OLD (comma list), set a new ENCRYPTION_KEY, run this, then drop
    the old key. Objects in storage are not touched: only the small wrapped keys in the database change.

    Example: penhas audio rewrap
    """
    with domain_errors(), connection():
        pending = list(audio_service.media_to_rewrap())
        with Progress(TextColumn("re-wrapping"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True) as progress:
            task = progress.add_task("rewrap", total=len(pending))
            done = audio_service.rewrap_all(pending, on_each=lambda: progress.advance(task))
    console.print(f"{done} data key(s) re-wrapped with the current master key")
