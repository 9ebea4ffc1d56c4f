"""Runs of scheduled work: backup runs (create/verify/prune/restore) and claimed periodic-job periods (0006)."""
import peewee as pw

from penhas_api.core.db import BaseModel, JSONField


class BackupRun(BaseModel):
    """One create/verify/prune/restore attempt; the newest `create` and `verify` rows feed `penhas health`."""

    kind = pw.CharField(max_length=20)
    backup_id = pw.CharField(max_length=100, null=True)
    location = pw.CharField(max_length=500)
    status = pw.CharField(max_length=20)
    started_at = pw.DateTimeField()
    finished_at = pw.DateTimeField(null=True)
    error = pw.TextField(null=True)
    detail = JSONField(default=dict)

    class Meta:
        table_name = "backup_runs"


class PeriodicRun(BaseModel):
    """A periodic job's claim on one scheduled period (unique per name and period) and its outcome."""

    name = pw.CharField(max_length=100)
    period_start = pw.DateTimeField(null=True)
    source = pw.CharField(max_length=20)
    consumer = pw.CharField(max_length=200)
    status = pw.CharField(max_length=20)
    started_at = pw.DateTimeField()
    finished_at = pw.DateTimeField(null=True)
    error = pw.TextField(null=True)

    class Meta:
        table_name = "periodic_runs"
