"""Operator audit trail: who did what to which record, when. Never personal data in ``detail``."""
import getpass
import os

from penhas_api.core import clock
from penhas_api.core.models import AuditLog


def current_operator() -> str:
    return os.environ.get("PENHAS_OPERATOR") or getpass.getuser()


def audit(action: str, target_type: str | None = None, target_id=None, actor: str | None = None, **detail):
    return AuditLog.create(created_at=clock.now(), actor=actor or current_operator(), action=action,
                           target_type=target_type, target_id=None if target_id is None else str(target_id),
                           detail=detail)
