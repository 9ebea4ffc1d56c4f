"""Retention: which backups a daily/weekly/monthly policy keeps, and pruning the rest (and orphans)."""
from dataclasses import dataclass, field

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import connection
from penhas_api.core.services.backups.errors import backup_error
from penhas_api.core.services.backups.locations import location
from penhas_api.core.services.backups.manifests import Manifest, scan_backups
from penhas_api.core.services.backups.runs import recorded_run


@dataclass
class PrunePlan:
    keep: list
    delete: list
    # Orphaned files old enough to remove, and those too recent to touch (a create may still be running).
    orphans: list = field(default_factory=list)
    recent_orphans: list = field(default_factory=list)


def plan_prune(manifests: list[Manifest], keep_daily: int, keep_weekly: int, keep_monthly: int) -> PrunePlan:
    """Keep the newest backup of each of the last N days, ISO weeks and months that have one; drop the rest."""
    ordered = sorted(manifests, key=lambda m: (m.created_at, m.id), reverse=True)
    keep_ids = set()
    for count, bucket in ((keep_daily, lambda d: d.date()),
                          (keep_weekly, lambda d: tuple(d.isocalendar())[:2]),
                          (keep_monthly, lambda d: (d.year, d.month))):
        seen = []
        for m in ordered:
            b = bucket(m.created_at)
            if b not in seen:
                if len(seen) == count:
                    break
                seen.append(b)
                keep_ids.add(m.id)
    return PrunePlan([m for m in ordered if m.id in keep_ids], [m for m in ordered if m.id not in keep_ids])


def prune_backups(keep_daily: int = 7, keep_weekly: int = 4, keep_monthly: int = 6, where: str | None = None,
                  dry_run: bool = False, actor: str | None = None) -> PrunePlan:
    """Delete what the retention plan drops and removable orphans (audited; ``dry_run`` only plans)."""
    if min(keep_daily, keep_weekly, keep_monthly) < 0 or keep_daily + keep_weekly + keep_monthly == 0:
        raise backup_error("retention must keep at least one backup")
    loc = location(where)
    found = scan_backups(where)
    plan = plan_prune(found.backups, keep_daily, keep_weekly, keep_monthly)
    now = clock.now()
    plan.orphans = [o for o in found.orphans if o.removable(now)]
    plan.recent_orphans = [o for o in found.orphans if not o.removable(now)]
    if dry_run:
        return plan
    with recorded_run("prune", loc) as run:
        for m in plan.delete:
            loc.storage.delete(loc.key(m.id, "manifest.json"))
            loc.storage.delete(loc.key(m.id, "dump.enc"))
        for orphan in plan.orphans:
            for key in orphan.keys:
                loc.storage.delete(key)
        run.detail = {"kept": len(plan.keep), "deleted": [m.id for m in plan.delete],
                      "orphans_deleted": [o.id for o in plan.orphans]}
    with connection():
        audit("backup.prune", "backup", None, actor=actor, location=where or "storage",
              deleted=[m.id for m in plan.delete], orphans_deleted=[o.id for o in plan.orphans])
    return plan
