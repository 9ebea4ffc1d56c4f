import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente


class MediaUpload(BaseModel):
    id = pw.CharField(max_length=200, primary_key=True)
    file_info = JSONField(default=dict)
    file_sha1 = pw.CharField(max_length=200)
    file_size = pw.BigIntegerField()
    s3_path = pw.TextField(unique=True)
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    intention = pw.CharField(max_length=200)
    created_at = pw.DateTimeField()
    enc_key_id = pw.CharField(max_length=64)
    enc_wrapped_key = pw.TextField()

    class Meta:
        table_name = "media_upload"


class ClienteAudioEvento(BaseModel):
    event_id = pw.CharField(max_length=200, primary_key=True)
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    created_at = pw.DateTimeField()
    audio_duration = pw.DecimalField(max_digits=10, decimal_places=5)
    updated_at = pw.DateTimeField()
    status = pw.CharField(max_length=20, default="free_access")
    requested_by_user = pw.BooleanField(default=False)
    total_bytes = pw.BigIntegerField(default=0)
    last_cliente_created_at = pw.DateTimeField()
    requested_by_user_at = pw.DateTimeField(null=True)
    deleted_at = pw.DateTimeField(null=True)
    estava_em_situacao_risco = pw.BooleanField()

    class Meta:
        table_name = "clientes_audios_eventos"

    @property
    def uuid(self) -> str:
        return self.event_id.split(":", 1)[1]


class ClienteAudio(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    played_count = pw.BigIntegerField(default=0)
    created_at = pw.DateTimeField()
    cliente_created_at = pw.DateTimeField()
    media_upload = pw.ForeignKeyField(MediaUpload, column_name="media_upload_id", on_delete="CASCADE")
    event = pw.ForeignKeyField(ClienteAudioEvento, column_name="event_id", on_delete="CASCADE", backref="audios")
    event_sequence = pw.IntegerField()
    waveform_base64 = pw.TextField(null=True)
    audio_duration = pw.DoubleField()
    duplicated_upload = pw.BooleanField(default=False)
    first_downloaded_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "clientes_audios"
