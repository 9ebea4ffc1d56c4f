"""The `penhas` command's one root error handler: a failure is one or two lines on stderr — what failed, and what
to do — and a non-zero exit; the traceback only with `--debug` or PENHAS_DEBUG=1."""
import os
import sys

import typer
from penhas_api.core.errors import PenhasError
from penhas_api.core.failures import describe

EXIT_FAILURE = 1


def debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("PENHAS_DEBUG", "").strip() == "1"


def explain(exc: BaseException) -> str:
    """The one or two lines an operator reads for ``exc``."""
    if isinstance(exc, typer.TyperException):  # a usage error (bad option, unknown command...) carries its ctx
        if not exc.format_message():  # no arguments: the help was printed, nothing more to say
            return ""
        ctx = getattr(exc, "ctx", None)
        hint = f"\n  see `{ctx.command_path} --help`" if ctx is not None else ""
        return f"error: {exc.format_message()}{hint}"
    if isinstance(exc, typer.Abort):
        return "aborted"
    if isinstance(exc, PenhasError):
        return f"error: {operator_message(exc)}"
    failure = describe(exc)
    if failure is not None:
        return f"error: {failure.what}\n  {failure.remedy}"
    return (f"error: unexpected {exc.__class__.__name__}\n"
            "  run the command again with --debug (or PENHAS_DEBUG=1) for the traceback, and report it")


def operator_message(err: PenhasError) -> str:
    """The service's text for the operator, else the error's message."""
    return err.operator_message or err.message


def report(exc: BaseException) -> int:
    if text := explain(exc):
        sys.stderr.write(text + "\n")
    return exc.exit_code if isinstance(exc, typer.TyperException) else EXIT_FAILURE
