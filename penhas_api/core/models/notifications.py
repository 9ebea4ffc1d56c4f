import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente


class NotificationMessage(BaseModel):
    is_test = pw.BooleanField(default=False)
    title = pw.TextField()
    content = pw.TextField()
    created_at = pw.DateTimeField()
    meta = JSONField(default=dict)
    # Not a foreign key: 0 means anonymous and -1 the support team.
    subject_id = pw.BigIntegerField(null=True)
    icon = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "notification_message"


class NotificationLog(BaseModel):
    created_at = pw.DateTimeField()
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    message = pw.ForeignKeyField(NotificationMessage, column_name="notification_message_id", on_delete="CASCADE",
                                 backref="logs")

    class Meta:
        table_name = "notification_log"


class ClienteAppNotification(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE", unique=True)
    read_until = pw.DateTimeField()
    read_until_id = pw.BigIntegerField(default=0)

    class Meta:
        table_name = "clientes_app_notifications"
