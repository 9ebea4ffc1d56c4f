"""The one error every backup step raises (``backup_error``, HTTP 400 shape for the CLI)."""
from penhas_api.core.errors import PenhasError


def backup_error(message: str) -> PenhasError:
    return PenhasError("backup_error", message, 400)


def backup_not_found(backup_id: str, where: str) -> PenhasError:
    """An id that names no backup: the operator's typo, not a failed backup (nothing is recorded for it)."""
    return PenhasError("backup_not_found", f"backup {backup_id!r} not found in {where}: `penhas backup list` "
                       "shows the ids", 404)
