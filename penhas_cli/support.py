"""`penhas support`: the NGO's staff side of the support chat (backend-rules §11 items 1 and 6).

Every command is audited by the service with the operator's name (PENHAS_OPERATOR, else the login user); the
audit never holds message text.
"""
import os
import subprocess
import sys
import tempfile

import typer
from rich.table import Table
from rich.text import Text

from penhas_api.core.audit import current_operator
from penhas_api.core.db import connection
from penhas_api.core.services import chat_support
from penhas_cli.output import console, domain_errors, fail, print_json

app = typer.Typer(
    help="Support chat: the conversations women start from the app's chat tab, answered by the PenhaS team.\n\n"
         "Example: penhas support inbox",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@app.command()
def inbox(
    all_rooms: bool = typer.Option(False, "--all", help="Answered conversations too, not only those waiting."),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="How many conversations."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """Conversations whose last message is hers (every one with --all), newest first, with a preview.

    Times are America/Sao_Paulo ('hoje' for today).

    Example: penhas support inbox --all --json"""
    with domain_errors(), connection():
        rows = chat_support.inbox(include_answered=all_rooms, limit=limit, actor=current_operator())
    if json_output:
        print_json([r.as_dict() for r in rows])
        return
    table = Table("user id", "apelido", "last message", "by", "preview")
    for r in rows:
        # Text(), not markup: what she wrote (or named herself) is never interpreted by rich.
        table.add_row(str(r.cliente_id), Text(r.apelido), chat_support.human_time(r.last_msg_at),
                      Text(r.last_msg_by), Text(r.preview))
    console.print(table)
    console.print(f"{len(rows)} conversation(s)" + ("" if all_rooms else " waiting for an answer"))


@app.command()
def show(
    user_id: int = typer.Argument(..., help="The user's id (clientes.id), as `penhas support inbox` shows it."),
    rows: int = typer.Option(50, "--rows", min=1, max=1000, help="How many of the latest messages."),
    json_output: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """One woman's support conversation as staff see it: her name, last activity, badges, the latest messages.

    Example: penhas support show 1234 --rows 20"""
    with domain_errors(), connection():
        conv = chat_support.show(user_id, rows=rows, actor=current_operator())
    if json_output:
        print_json({"cliente_id": conv.user.id, "apelido": conv.user.apelido, "activity": conv.activity,
                    "badges": [b["code"] for b in conv.badges], "has_more": conv.has_more,
                    "messages": conv.messages})
        return
    badges = ", ".join(b["name"] for b in conv.badges) or "none"
    console.print(Text(conv.user.apelido, style="bold").append(
        f" (user {conv.user.id}) · activity: {conv.activity} · badges: {badges}", style=""))
    if conv.has_more:
        console.print("[dim]… older messages not shown (use --rows)[/dim]")
    for m in conv.messages:
        who = Text(f"{m['by']} (staff)" if m["is_me"] else m["by"], style="magenta" if m["is_me"] else "cyan")
        # Her words are printed as text, never interpreted as rich markup.
        console.print(Text(f"#{m['id']} {m['when']} ").append(who))
        console.print(Text(m["message"]))
    if not conv.messages:
        console.print("no messages")


def _compose() -> str:
    """The message from stdin when it is piped, else from $EDITOR."""
    if not sys.stdin.isatty():
        return sys.stdin.read()
    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        fail("sem mensagem: passe o texto, envie por stdin ou defina $EDITOR")
    # Owner-only temporary file, removed at once: it holds what staff write to her.
    fd, path = tempfile.mkstemp(prefix="penhas-support-", suffix=".txt")
    os.close(fd)
    try:
        subprocess.run([*editor.split(), path], check=True)
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    finally:
        os.unlink(path)


@app.command()
def reply(
    user_id: int = typer.Argument(..., help="The user's id (clientes.id)."),
    message: str = typer.Argument(None, help="The answer. Left out: read from stdin, or written in $EDITOR."),
):
    """Answer her in the app's support room, signed with your operator name (PENHAS_OPERATOR or login user).

    She gets a chat notification when she enabled them.

    Example: penhas support reply 1234 "Olá! Estamos aqui para ajudar."
    Example: echo "Olá!" | penhas support reply 1234"""
    text = message if message is not None else _compose()
    with domain_errors(), connection():
        sent = chat_support.reply(user_id, text, actor=current_operator())
    console.print(f"[green]sent[/green] message {sent.id} to user {user_id}")


@app.command("delete-message")
def delete_message(message_id: int = typer.Argument(..., help="The message id (#N in `penhas support show`).")):
    """Delete one message of a support conversation (hers or staff's).

    Example: penhas support delete-message 5678"""
    with domain_errors(), connection():
        removed = chat_support.delete_message(message_id, actor=current_operator())
    console.print(f"[green]deleted[/green] message {removed.id} of user {removed.cliente_id}")
