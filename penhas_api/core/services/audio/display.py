"""How the app and the CLI show audio values: timestamps, durations, byte sizes (the contract's format)."""
import math
from datetime import datetime


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat()


def format_duration(seconds) -> str:
    """List format: ``0m55s`` (``1h02m03s`` past an hour)."""
    total = int(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s"


def format_segment_duration(seconds: float) -> str:
    return f"{math.ceil(seconds)}s"


def format_bytes(size: int) -> str:
    value, units = float(size), ["B", "KiB", "MiB", "GiB", "TiB"]
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    return f"{int(value + 0.5)}{units[unit]}"
