import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente

GUARDIAN_STATUSES = ("pending", "accepted", "refused", "expired_for_not_use", "removed_by_user")


class Guardian(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE", backref="guardians")
    status = pw.CharField(max_length=20, default="pending")
    celular_e164 = pw.CharField(max_length=25)
    nome = pw.CharField(max_length=200)
    token = pw.CharField(max_length=200, unique=True)
    created_at = pw.DateTimeField()
    accepted_at = pw.DateTimeField(null=True)
    accepted_meta = JSONField(default=dict)
    celular_formatted_as_national = pw.CharField(max_length=25)
    refused_at = pw.DateTimeField(null=True)
    deleted_at = pw.DateTimeField(null=True)
    expires_at = pw.DateTimeField()
    estava_em_situacao_risco = pw.BooleanField(default=False)

    class Meta:
        table_name = "clientes_guardioes"


class PanicAlert(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE", backref="panic_alerts")
    created_at = pw.DateTimeField()
    # accepted | too_many_alerts (refused by the per-user limits; kept as evidence of the press) | failed (its SMS
    # could not be recorded; the press is not counted by the limits)
    status = pw.CharField(max_length=20, default="accepted")
    alert_sent_to = JSONField(default=dict)
    gps_lat = pw.CharField(max_length=25, null=True)
    gps_long = pw.CharField(max_length=25, null=True)
    meta = JSONField(default=dict)
    sms_enviados = pw.BigIntegerField(default=0)
    estava_em_situacao_risco = pw.BooleanField(default=False)

    class Meta:
        table_name = "cliente_ativacoes_panico"


class PoliceCall(BaseModel):
    created_at = pw.DateTimeField()
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE", backref="police_calls")
    estava_em_situacao_risco = pw.BooleanField(default=False)

    class Meta:
        table_name = "cliente_ativacoes_policia"


class SentSms(BaseModel):
    phonenumber = pw.CharField(max_length=200)
    message = pw.CharField(max_length=2000)
    notes = JSONField(default=dict)
    created_at = pw.DateTimeField()
    sns_message_id = pw.CharField(max_length=200, null=True)
    kind = pw.CharField(max_length=20)  # invite | alert | test
    priority = pw.IntegerField()
    status = pw.CharField(max_length=20, default="queued")  # queued | sending | retrying | sent | failed
    attempts = pw.IntegerField(default=0)
    last_error = pw.CharField(max_length=500, null=True)
    updated_at = pw.DateTimeField()
    sent_at = pw.DateTimeField(null=True)
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", null=True, on_delete="CASCADE")
    guardiao = pw.ForeignKeyField(Guardian, column_name="guardiao_id", null=True, on_delete="SET NULL")
    alert = pw.ForeignKeyField(PanicAlert, column_name="alert_id", null=True, on_delete="CASCADE")

    class Meta:
        table_name = "sent_sms_log"


class FaqGuardian(BaseModel):
    status = pw.CharField(max_length=20, default="published")
    sort = pw.IntegerField(default=0)
    title = pw.CharField(max_length=500)
    content_html = pw.TextField()

    class Meta:
        table_name = "faq_tela_guardiao"
