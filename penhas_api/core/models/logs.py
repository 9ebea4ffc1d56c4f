"""Logs kept about people and operators: the audit trail, deletion tombstones and the e-mail outbox (0001)."""
import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente


class AuditLog(BaseModel):
    created_at = pw.DateTimeField()
    actor = pw.CharField(max_length=200)
    action = pw.CharField(max_length=100)
    target_type = pw.CharField(max_length=50, null=True)
    target_id = pw.CharField(max_length=100, null=True)
    detail = JSONField(default=dict)

    class Meta:
        table_name = "audit_log"


class DeleteLog(BaseModel):
    created_at = pw.DateTimeField()
    cliente_id = pw.BigIntegerField()
    reason = pw.CharField(max_length=50)
    data = JSONField(default=dict)

    class Meta:
        table_name = "delete_log"


class EmailOutbox(BaseModel):
    created_at = pw.DateTimeField()
    to_address = pw.CharField(max_length=200)
    subject = pw.CharField(max_length=300)
    body = pw.TextField()
    backend = pw.CharField(max_length=20)
    sent_at = pw.DateTimeField(null=True)
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", null=True, on_delete="CASCADE")

    class Meta:
        table_name = "email_outbox"
