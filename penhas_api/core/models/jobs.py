import peewee as pw

from penhas_api.core.db import BaseModel, JSONField


class FailedJob(BaseModel):
    """A job that exhausted its retries; `penhas jobs failed` lists these and `penhas jobs retry` re-enqueues them."""

    name = pw.CharField(max_length=200)
    args = JSONField(default=list)
    kwargs = JSONField(default=dict)
    priority = pw.IntegerField(null=True)
    error = pw.CharField(max_length=2000)
    failed_at = pw.DateTimeField()
    status = pw.CharField(max_length=20, default="failed")  # failed | retried | resolved
    retried_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "failed_jobs"
