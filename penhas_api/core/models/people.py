import peewee as pw

from penhas_api.core.db import BaseModel
from penhas_api.core.models.users import Cliente


class TimelineBlock(BaseModel):
    """She (``cliente``) no longer sees ``blocked``'s non-anonymous posts, comments and notifications."""
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    blocked = pw.ForeignKeyField(Cliente, column_name="block_cliente_id", on_delete="CASCADE",
                              object_id_name="blocked_id")
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "timeline_clientes_bloqueados"


class ProfileReport(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    reported = pw.ForeignKeyField(Cliente, column_name="reported_cliente_id", on_delete="CASCADE",
                               object_id_name="reported_id")
    reason = pw.CharField(max_length=200)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "clientes_reports"
