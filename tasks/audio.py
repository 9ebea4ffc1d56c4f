"""Audio evidence housekeeping: the status life-cycle with the 5-year purge, and the storage orphan check."""
import logging

from huey import crontab

from penhas_api.core.services import audio
from tasks.base import periodic_job

log = logging.getLogger("penhas.tasks")

# The audit trail's actor for evidence the 5-year purge removes.
HOUSEKEEPING_ACTOR = "task:audio.housekeeping"


@periodic_job("audio.housekeeping", crontab(minute="*"))
def audio_housekeeping():
    """Move audio events along free → blocked → hidden, and purge the objects of events older than 5 years."""
    moved = audio.tick_statuses()
    purged = audio.purge_due(actor=HOUSEKEEPING_ACTOR)
    return {"blocked": moved[audio.BLOCKED], "hidden": moved[audio.HIDDEN], "marked_purge": moved[audio.PURGED],
            "purged_events": purged}


@periodic_job("audio.orphans_check", crontab(minute="40", hour="4"))
def audio_orphans_check():
    """Report audio storage nothing reaches: objects without a row, and upload rows without a segment (older than
    a day). Removal is an operator's call: `penhas audio orphans --fix`."""
    orphans = audio.find_orphans()
    unlinked = audio.find_unlinked_media()
    if orphans:
        log.warning("audio objects without a row: %d (run `penhas audio orphans` to review)", len(orphans))
    if unlinked:
        log.warning("audio uploads without a segment: %d (run `penhas audio orphans` to review)", len(unlinked))
    return {"orphans": len(orphans), "bytes": sum(size for _, size in orphans), "unlinked_media": len(unlinked)}
