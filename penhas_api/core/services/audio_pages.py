"""Paging of her recordings list (GET /me/audios): the row bounds and the ``next_page`` cursor.

Kept apart from the audio service so the list's cursor rules sit with every other list's, in ``core/cursors.py``.
"""
from datetime import datetime

from penhas_api.core import cursors
from penhas_api.core.errors import form_error
from penhas_api.core.services import audio as audio_service

PURPOSE = "audio:list"


def list_page(cliente_id: int, rows: int | None, next_page: str | None) -> tuple[audio_service.EventPage, str | None]:
    """One page of her events and the cursor of the next one (None on the last page)."""
    limit = min(max(rows or audio_service.LIST_LIMIT, 1), audio_service.LIST_LIMIT)
    after = None
    if next_page:
        cursor = cursors.read(PURPOSE, next_page, owner=cliente_id)
        try:
            after = (datetime.fromisoformat(cursor["t"]), str(cursor["e"]))
        except (KeyError, TypeError, ValueError):
            raise form_error("next_page", "invalid") from None
    page = audio_service.list_events(cliente_id, limit, after)
    token = None
    if page.has_more:
        last = page.events[-1]
        token = cursors.issue(PURPOSE, {"t": last.last_cliente_created_at.isoformat(), "e": last.event_id},
                              owner=cliente_id)
    return page, token
