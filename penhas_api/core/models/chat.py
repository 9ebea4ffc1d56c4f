import peewee as pw

from penhas_api.core.db import BaseModel
from penhas_api.core.models.users import Cliente


class ChatSession(BaseModel):
    # The pair ordered by id: cliente < other_cliente (one room per pair).
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    other_cliente = pw.ForeignKeyField(Cliente, column_name="other_cliente_id", on_delete="CASCADE")
    session_started_by = pw.BigIntegerField()
    created_at = pw.DateTimeField()
    last_message_at = pw.DateTimeField()
    last_message_by = pw.BigIntegerField()
    has_message = pw.BooleanField(default=False)

    class Meta:
        table_name = "chat_session"

    @property
    def participants(self) -> tuple[int, int]:
        return self.cliente_id, self.other_cliente_id


class ChatMessage(BaseModel):
    session = pw.ForeignKeyField(ChatSession, column_name="chat_session_id", on_delete="CASCADE")
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    created_at = pw.DateTimeField()
    message = pw.BlobField()
    enc_key_id = pw.CharField(max_length=64)
    enc_wrapped_key = pw.TextField()

    class Meta:
        table_name = "chat_message"


class ChatBlock(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    blocked_cliente = pw.ForeignKeyField(Cliente, column_name="blocked_cliente_id", on_delete="CASCADE")
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "cliente_bloqueios"


class ChatSupport(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE", unique=True)
    created_at = pw.DateTimeField()
    last_msg_at = pw.DateTimeField(null=True)
    last_msg_is_support = pw.BooleanField(default=False)
    last_msg_by = pw.CharField(max_length=200, null=True)

    class Meta:
        table_name = "chat_support"


class ChatSupportMessage(BaseModel):
    support = pw.ForeignKeyField(ChatSupport, column_name="chat_support_id", on_delete="CASCADE")
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    created_at = pw.DateTimeField()
    admin_name = pw.CharField(max_length=200, null=True)
    message = pw.BlobField()
    enc_key_id = pw.CharField(max_length=64)
    enc_wrapped_key = pw.TextField()

    class Meta:
        table_name = "chat_support_message"


class ChatPendingNotification(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    # The sender; -1 is the support team. Not a foreign key for that reason.
    pending_message_cliente_id = pw.BigIntegerField()
    messaged_at = pw.DateTimeField()
    notification_created = pw.BooleanField(default=False)

    class Meta:
        table_name = "chat_clientes_notifications"
