"""Every peewee model, importable from one place (migrations drift test, deletion, backups)."""
from penhas_api.core.models.users import Cliente, ClienteSession  # noqa: F401
from penhas_api.core.models.ops import AuditLog, DeleteLog, EmailOutbox  # noqa: F401


def all_models():
    from penhas_api.core.db import BaseModel

    seen, out, stack = set(), [], list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop(0)
        if model not in seen:
            seen.add(model)
            out.append(model)
            stack.extend(model.__subclasses__())
    return out
