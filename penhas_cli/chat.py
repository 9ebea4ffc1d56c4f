"""`penhas chat`: operator maintenance of private and support chat messages (encrypted at rest)."""
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from penhas_api.core.audit import current_operator
from penhas_api.core.db import connection
from penhas_api.core.services import chat_keys
from penhas_cli.output import console, domain_errors

app = typer.Typer(
    help="Chat messages are encrypted at rest with keys outside the database (ENCRYPTION_KEY).\n\n"
         "Example: penhas chat rewrap",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@app.command()
def rewrap():
    """Re-wrap every chat message's data key with the current ENCRYPTION_KEY after a master-key rotation.

    Rotation: put the old key in ENCRYPTION_KEYS_OLD (comma list), set a new ENCRYPTION_KEY, run this (and
    `penhas audio rewrap`), then drop the old key. Messages are not re-encrypted: only their wrapped keys change.

    Example: penhas chat rewrap   (with ENCRYPTION_KEY=<new key> ENCRYPTION_KEYS_OLD=<old key> set)"""
    with domain_errors(), connection():
        total = chat_keys.pending_count()
        with Progress(TextColumn("re-wrapping"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True) as progress:
            task = progress.add_task("rewrap", total=total)
            done = chat_keys.rewrap_all(progress=lambda n: progress.advance(task, n), actor=current_operator())
    console.print(f"{done} chat message key(s) re-wrapped with the current master key")
