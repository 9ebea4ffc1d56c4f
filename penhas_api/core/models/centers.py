import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente


class CenterCategory(BaseModel):
    status = pw.CharField(max_length=20, default="prod")
    created_on = pw.DateTimeField()
    label = pw.CharField(max_length=200)
    color = pw.CharField(max_length=7, default="#000000")

    class Meta:
        table_name = "ponto_apoio_categoria"


class CenterProject(BaseModel):
    status = pw.CharField(max_length=20, default="prod")
    created_on = pw.DateTimeField()
    label = pw.CharField(max_length=200)

    class Meta:
        table_name = "ponto_apoio_projeto"


class Center(BaseModel):
    """A support center. On PostgreSQL the table also has `geog`, kept in sync with latitude/longitude by a trigger."""

    status = pw.CharField(max_length=20, default="disabled")
    created_on = pw.DateTimeField()
    updated_at = pw.DateTimeField()
    nome = pw.CharField(max_length=255)
    sigla = pw.CharField(max_length=10, null=True)
    natureza = pw.CharField(max_length=20)
    categoria = pw.ForeignKeyField(CenterCategory, column_name="categoria", on_delete="RESTRICT")
    abrangencia = pw.CharField(max_length=20, default="Local")
    descricao = pw.TextField(null=True)
    tipo_logradouro = pw.CharField(max_length=20)
    nome_logradouro = pw.CharField(max_length=255)
    numero = pw.BigIntegerField(null=True)
    numero_sem_numero = pw.BooleanField(default=False)
    complemento = pw.CharField(max_length=255, null=True)
    bairro = pw.CharField(max_length=255)
    municipio = pw.CharField(max_length=255)
    uf = pw.CharField(max_length=2)
    cep = pw.CharField(max_length=8)
    cod_ibge = pw.BigIntegerField(null=True)
    ddd = pw.BigIntegerField(null=True)
    telefone1 = pw.BigIntegerField(null=True)
    ramal1 = pw.BigIntegerField(null=True)
    telefone2 = pw.BigIntegerField(null=True)
    ramal2 = pw.BigIntegerField(null=True)
    eh_whatsapp = pw.BooleanField(default=False)
    email = pw.CharField(max_length=255, null=True)
    eh_24h = pw.BooleanField(null=True)
    horario_inicio = pw.CharField(max_length=5, null=True)
    horario_fim = pw.CharField(max_length=5, null=True)
    dias_funcionamento = pw.CharField(max_length=25, null=True)
    eh_presencial = pw.BooleanField(null=True)
    eh_online = pw.BooleanField(null=True)
    funcionamento_pandemia = pw.BooleanField(null=True)
    observacao_pandemia = pw.TextField(null=True)
    observacao = pw.TextField(null=True)
    latitude = pw.DoubleField(null=True)
    longitude = pw.DoubleField(null=True)
    ja_passou_por_moderacao = pw.BooleanField(default=False)
    avaliacao = pw.DoubleField(default=0)
    qtde_avaliacao = pw.BigIntegerField(default=0)
    test_status = pw.CharField(max_length=20, default="prod")
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", null=True, on_delete="SET NULL")
    horario_correto = pw.BooleanField(null=True)
    delegacia_mulher = pw.BooleanField(null=True)
    endereco_correto = pw.BooleanField(null=True)
    telefone_correto = pw.BooleanField(null=True)
    existe_delegacia = pw.BooleanField(null=True)
    eh_importacao = pw.BooleanField(default=False)
    fonte = pw.CharField(max_length=100, null=True)
    search_text = pw.TextField(null=True)
    import_key = pw.CharField(max_length=64, null=True, unique=True)

    class Meta:
        table_name = "ponto_apoio"


class CenterProjectLink(BaseModel):
    center = pw.ForeignKeyField(Center, column_name="ponto_apoio_id", on_delete="CASCADE")
    project = pw.ForeignKeyField(CenterProject, column_name="ponto_apoio_projeto_id", on_delete="CASCADE")

    class Meta:
        table_name = "ponto_apoio2projetos"
        primary_key = pw.CompositeKey("center", "project")


class CenterRating(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    center = pw.ForeignKeyField(Center, column_name="ponto_apoio_id", on_delete="CASCADE")
    created_at = pw.DateTimeField()
    avaliacao = pw.BigIntegerField()

    class Meta:
        table_name = "cliente_ponto_apoio_avaliacao"


class CenterSuggestion(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    status = pw.CharField(max_length=30, default="awaiting-moderation")
    created_at = pw.DateTimeField()
    updated_by_admin_at = pw.DateTimeField(null=True)
    created_ponto_apoio = pw.ForeignKeyField(Center, column_name="created_ponto_apoio_id", null=True,
                                             on_delete="SET NULL")
    nome = pw.CharField(max_length=255)
    categoria = pw.BigIntegerField()
    nome_logradouro = pw.CharField(max_length=255)
    cep = pw.CharField(max_length=8, null=True)
    abrangencia = pw.CharField(max_length=55)
    complemento = pw.CharField(max_length=255, null=True)
    numero = pw.CharField(max_length=255, null=True)
    bairro = pw.CharField(max_length=255, null=True)
    municipio = pw.CharField(max_length=255)
    uf = pw.CharField(max_length=2)
    email = pw.CharField(max_length=255, null=True)
    horario = pw.CharField(max_length=255, null=True)
    ddd1 = pw.BigIntegerField(null=True)
    telefone1 = pw.BigIntegerField(null=True)
    ddd2 = pw.BigIntegerField(null=True)
    telefone2 = pw.BigIntegerField(null=True)
    eh_24h = pw.BooleanField(null=True)
    has_whatsapp = pw.BooleanField(null=True)
    observacao = pw.TextField(null=True)
    metainfo = JSONField(default=dict)
    saved_form = JSONField(null=True)

    class Meta:
        table_name = "ponto_apoio_sugestoes_v2"


class KeywordLog(BaseModel):
    created_on = pw.DateTimeField()
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", null=True, on_delete="CASCADE")
    keywords = pw.CharField(max_length=200)

    class Meta:
        table_name = "ponto_apoio_keywords_log"


class GeoCache(BaseModel):
    key = pw.CharField(max_length=200, unique=True)
    value = pw.TextField()
    created_at = pw.DateTimeField()
    valid_until = pw.DateTimeField()

    class Meta:
        table_name = "geo_cache"
