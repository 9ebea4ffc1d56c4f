"""Current time in naive UTC. Tests move the clock with ``set_now`` instead of sleeping."""
from datetime import datetime, timezone

_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None)


def set_now(value: datetime | None) -> None:
    global _frozen
    _frozen = value.replace(tzinfo=None) if value is not None else None
