import peewee as pw

from penhas_api.core.db import BaseModel
from penhas_api.core.models.users import Cliente


class LoginLog(BaseModel):
    remote_ip = pw.CharField(max_length=200)
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    app_version = pw.CharField(max_length=800, null=True)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "login_logs"


class LoginErro(BaseModel):
    created_at = pw.DateTimeField()
    remote_ip = pw.CharField(max_length=200)
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")

    class Meta:
        table_name = "login_erros"


class CpfErro(BaseModel):
    cpf_hash = pw.CharField(max_length=200)
    cpf_start = pw.CharField(max_length=200)
    count = pw.BigIntegerField(default=1)
    reset_at = pw.DateTimeField()
    remote_ip = pw.CharField(max_length=200)

    class Meta:
        table_name = "cpf_erros"


class CpfCache(BaseModel):
    cpf_hashed = pw.CharField(max_length=200)
    dt_nasc = pw.DateField()
    nome_hashed = pw.CharField(max_length=200)
    situacao = pw.CharField(max_length=200, null=True)
    genero = pw.CharField(max_length=200, null=True)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "cpf_cache"


class ResetPassword(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    token = pw.CharField(max_length=200)
    valid_until = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    requested_by_remote_ip = pw.CharField(max_length=200)
    used_by_remote_ip = pw.CharField(max_length=200, null=True)
    created_at = pw.DateTimeField()
    attempts = pw.IntegerField(default=0)

    class Meta:
        table_name = "clientes_reset_password"


class Preference(BaseModel):
    name = pw.CharField(max_length=200, unique=True)
    label = pw.CharField(max_length=200)
    active = pw.BooleanField()
    initial_value = pw.CharField(max_length=200)
    sort = pw.BigIntegerField(default=1)
    admin_only = pw.BooleanField(default=False)

    class Meta:
        table_name = "preferences"


class ClientePreference(BaseModel):
    value = pw.CharField(max_length=200)
    created_at = pw.DateTimeField()
    updated_at = pw.DateTimeField()
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    preference = pw.ForeignKeyField(Preference, column_name="preference_id")

    class Meta:
        table_name = "clientes_preferences"
        indexes = ((("cliente", "preference"), True),)


class Skill(BaseModel):
    status = pw.CharField(max_length=20, default="draft")
    created_on = pw.DateTimeField(null=True)
    modified_on = pw.DateTimeField(null=True)
    skill = pw.CharField(max_length=100)
    sort = pw.IntegerField(null=True)

    class Meta:
        table_name = "skills"


class ClienteSkill(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    skill = pw.ForeignKeyField(Skill, column_name="skill_id", on_delete="CASCADE")

    class Meta:
        table_name = "cliente_skills"


class Badge(BaseModel):
    code = pw.CharField(max_length=200)
    name = pw.CharField(max_length=200)
    description = pw.TextField()
    image_url = pw.CharField(max_length=1000)
    image_url_black = pw.CharField(max_length=1000)
    linked_cep_cidade = pw.CharField(max_length=200, null=True)
    created_on = pw.DateTimeField()
    modified_on = pw.DateTimeField(null=True)

    class Meta:
        table_name = "badges"


class ClienteTag(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    badge = pw.ForeignKeyField(Badge, column_name="badge_id", on_delete="CASCADE")
    valid_until = pw.DateTimeField()
    created_on = pw.DateTimeField()

    class Meta:
        table_name = "cliente_tag"


class Configuracao(BaseModel):
    termos_de_uso = pw.TextField()
    privacidade = pw.TextField()
    texto_faq_index = pw.TextField(null=True)
    texto_faq_contato = pw.TextField(null=True)
    texto_conta_exclusao = pw.TextField(null=True)
    texto_delete_me = pw.TextField(null=True)

    class Meta:
        table_name = "configuracoes"

