"""The one error every backup step raises (``backup_error``, HTTP 400 shape for the CLI)."""
from penhas_api.core.errors import PenhasError


def backup_error(message: str) -> PenhasError:
    return PenhasError("backup_error", message, 400)
