import peewee as pw

from penhas_api.core.db import BaseModel, JSONField


class Cliente(BaseModel):
    status = pw.CharField(max_length=20, default="setup")
    created_on = pw.DateTimeField()
    cpf_hash = pw.CharField(max_length=200, unique=True)
    cpf_prefix = pw.CharField(max_length=200)
    dt_nasc = pw.DateField()
    email = pw.CharField(max_length=200, unique=True)
    cep = pw.CharField(max_length=8)
    cep_cidade = pw.CharField(max_length=200, null=True)
    cep_estado = pw.CharField(max_length=200, null=True)
    cep_ibge = pw.CharField(max_length=10, null=True)
    genero = pw.CharField(max_length=100)
    raca = pw.CharField(max_length=100, null=True)
    minibio = pw.CharField(max_length=2200, null=True)
    nome_completo = pw.CharField(max_length=200)
    login_status = pw.CharField(max_length=20, default="OK")
    login_status_last_blocked_at = pw.DateTimeField(null=True)
    ja_foi_vitima_de_violencia = pw.BooleanField(null=True)
    ja_foi_vitima_de_violencia_atualizado_em = pw.DateTimeField(null=True)
    senha_hash = pw.CharField(max_length=300)
    modo_camuflado_ativo = pw.BooleanField(default=False)
    modo_camuflado_atualizado_em = pw.DateTimeField(null=True)
    modo_anonimo_ativo = pw.BooleanField(default=False)
    modo_anonimo_atualizado_em = pw.DateTimeField(null=True)
    qtde_login_senha_normal = pw.BigIntegerField(default=1)
    apelido = pw.CharField(max_length=200)
    nome_social = pw.CharField(max_length=200, null=True)
    avatar_url = pw.CharField(max_length=200, null=True)
    genero_outro = pw.CharField(max_length=200, null=True)
    upload_status = pw.CharField(max_length=20, default="ok")
    qtde_ligar_para_policia = pw.BigIntegerField(default=0)
    qtde_guardioes_ativos = pw.BigIntegerField(default=0)
    qtde_login_offline = pw.BigIntegerField(default=0)
    salt_key = pw.CharField(max_length=20)
    skills_cached = JSONField(null=True)
    perform_delete_at = pw.DateTimeField(null=True)
    deleted_scheduled_meta = JSONField(null=True)
    deletion_started_at = pw.DateTimeField(null=True)
    eh_admin = pw.BooleanField(default=False)
    last_activity_at = pw.DateTimeField(null=True)
    # Quiz and Manual de Fuga outcomes (migration 0011).
    ja_completou_mf = pw.BooleanField(default=False)
    quiz_detectou_violencia = pw.BooleanField(null=True)
    quiz_detectou_violencia_atualizado_em = pw.DateTimeField(null=True)
    primeiro_quiz_detectou_violencia = pw.BooleanField(null=True)
    primeiro_quiz_detectou_violencia_atualizado_em = pw.DateTimeField(null=True)
    quiz_assistant_yes_count = pw.IntegerField(default=0)

    class Meta:
        table_name = "clientes"

    @property
    def is_female(self) -> bool:
        return self.genero in ("Feminino", "MulherTrans")


class ClienteSession(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE", backref="sessions")
    created_at = pw.DateTimeField()
    expires_at = pw.DateTimeField()
    last_seen_at = pw.DateTimeField(null=True)
    user_agent = pw.CharField(max_length=300, null=True)

    class Meta:
        table_name = "clientes_active_sessions"
