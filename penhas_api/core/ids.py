"""Record ids that arrive as text (URL paths, form fields)."""
import re

# 1–18 ASCII digits always fit a BIGINT column. str.isdigit() also takes "²" or "١", and int() takes " 1" or
# "1_0": neither may reach a query.
_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value) -> int | None:
    """The id as an int, or None when ``value`` is not one."""
    text = str(value)
    return int(text) if _ID.fullmatch(text) else None
