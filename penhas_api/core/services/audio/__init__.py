"""Audio evidence: recorded segments uploaded in the background, grouped into events (one per "record" press).

Rules (backend-rules §5.2–5.4):
* Uploads are idempotent per (event, sequence). The app re-sends files and an early copy may be cut short, so the
  latest complete upload wins: an identical re-send changes nothing, a stale copy that is a byte prefix of what is
  stored changes nothing, anything else replaces the current segment (the old row is flagged
  ``duplicated_upload``) and the event's totals are recomputed.
* Durations and the waveform come from the audio itself (ffprobe/ffmpeg). Segments are stored as AAC in ADTS
  frames, so a download is the chosen segments' bytes joined in sequence order.
* Objects are encrypted before they reach storage (``core/envelope.py``) under random keys that say nothing about
  their owner; only the owner (API) or an operator (CLI) can read them back.
* Life-cycle (§5.3): free access for 3 days, then blocked; hidden after 30 days (40 when an operator granted
  access); storage purged after 5 years. Applied by the periodic job and on every list call.

Modules: ``rules``, ``display``, ``media``, ``upload``, ``lifecycle``, ``owner`` (her views), ``operator``
(`penhas audio`), ``keys`` (rewrap). What the doors use is re-exported here.
"""
from penhas_api.core.services.audio.rules import (  # noqa: F401
    BLOCKED, DOWNLOADABLE, FREE, GRANTED, HIDDEN, INTENTION, LISTED, LIST_LIMIT, LIST_NOTICE, MAX_BYTES, PURGED,
    REQUEST_ACCESS_MESSAGE, STORAGE_PREFIX, UNLINKED_MEDIA_GRACE, UPLOAD_MESSAGE, event_key, parse_event_uuid,
    years_before)
from penhas_api.core.services.audio.display import (  # noqa: F401
    format_bytes, format_duration, format_segment_duration, iso)
from penhas_api.core.services.audio.media import new_storage_key, read_media, current_audios  # noqa: F401
from penhas_api.core.services.audio.upload import upload_segment, recompute_event  # noqa: F401
from penhas_api.core.services.audio.lifecycle import (  # noqa: F401
    erase_user_audio, purge_due, purge_event, tick_statuses)
from penhas_api.core.services.audio.owner import (  # noqa: F401
    Download, EventPage, delete_event, event_detail, list_events, list_message, open_download, request_access)
from penhas_api.core.services.audio.operator import (  # noqa: F401
    clean_orphans, export_event, find_orphans, find_unlinked_media, grant_access, remove_orphans,
    remove_unlinked_media, resolve_event, segment_counts, user_events)
from penhas_api.core.services.audio.keys import media_to_rewrap, rewrap_media, rewrap_all  # noqa: F401
