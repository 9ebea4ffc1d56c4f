"""Questionnaires, quiz sessions, the Manual de Fuga control rows, tasks and MF tags (backend-rules §1.7)."""
import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente


class Questionnaire(BaseModel):
    created_on = pw.DateTimeField()
    modified_on = pw.DateTimeField()
    content_version = pw.BigIntegerField(default=1)
    active = pw.BooleanField(default=False)
    name = pw.CharField(max_length=200, unique=True)
    condition = pw.CharField(max_length=2000, default="0")
    end_screen = pw.CharField(max_length=200, default="/mainboard?page=feed")
    penhas_start_automatically = pw.BooleanField(default=True)
    penhas_cliente_required = pw.BooleanField(default=True)

    class Meta:
        table_name = "questionnaires"


class QuizConfig(BaseModel):
    status = pw.CharField(max_length=20, default="draft")
    sort = pw.BigIntegerField(default=0)
    modified_on = pw.DateTimeField()
    type = pw.CharField(max_length=100)
    code = pw.CharField(max_length=200)
    question = pw.CharField(max_length=800)
    questionnaire = pw.ForeignKeyField(Questionnaire, column_name="questionnaire_id", on_delete="CASCADE")
    yesnogroup = JSONField(default=list)
    intro = JSONField(default=list)
    relevance = pw.CharField(max_length=2000, default="1")
    button_label = pw.CharField(max_length=200, null=True)
    options = JSONField(null=True)
    change_to_questionnaire = pw.ForeignKeyField(Questionnaire, column_name="change_to_questionnaire_id", null=True,
                                                 on_delete="SET NULL", backref="+")
    tarefas = JSONField(default=list)
    tag = JSONField(default=list)

    class Meta:
        table_name = "quiz_config"


class QuizSession(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    questionnaire = pw.ForeignKeyField(Questionnaire, column_name="questionnaire_id", null=True, on_delete="SET NULL")
    finished_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField()
    stash = JSONField(default=dict)
    responses = JSONField(default=dict)
    deleted_at = pw.DateTimeField(null=True)
    deleted = pw.BooleanField(default=False)

    class Meta:
        table_name = "clientes_quiz_session"


class AnonymousQuizSession(BaseModel):
    token = pw.CharField(max_length=64, unique=True)
    remote_id = pw.CharField(max_length=100)
    questionnaire = pw.ForeignKeyField(Questionnaire, column_name="questionnaire_id", null=True, on_delete="SET NULL")
    finished_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField()
    stash = JSONField(default=dict)
    responses = JSONField(default=dict)

    class Meta:
        table_name = "anonymous_quiz_session"


class TwitterBotConfig(BaseModel):
    config = JSONField(default=dict)

    class Meta:
        table_name = "twitter_bot_config"


class MfControl(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", primary_key=True, on_delete="CASCADE")
    status = pw.CharField(max_length=20, default="onboarding")
    current_session = pw.ForeignKeyField(QuizSession, column_name="current_clientes_quiz_session", null=True,
                                         on_delete="SET NULL", object_id_name="current_session_id")
    completed_questionnaires_id = JSONField(default=list)
    started_at = pw.DateTimeField()
    completed_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "cliente_mf_session_control"


class MfQuestionnaireOrder(BaseModel):
    sort = pw.IntegerField(default=0)
    outstanding_order = pw.BooleanField(default=False)
    is_last = pw.BooleanField(default=False)
    published = pw.CharField(max_length=20, default="testing")
    questionnaire = pw.ForeignKeyField(Questionnaire, column_name="questionnaire_id", on_delete="CASCADE")

    class Meta:
        table_name = "mf_questionnaire_order"


class MfQuestionnaireRemoveTarefa(BaseModel):
    questionnaire = pw.ForeignKeyField(Questionnaire, column_name="questionnaire_id", on_delete="CASCADE")
    codigo_tarefa = pw.CharField(max_length=200)

    class Meta:
        table_name = "mf_questionnaire_remove_tarefa"


class MfTarefa(BaseModel):
    titulo = pw.CharField(max_length=512, default="")
    descricao = pw.CharField(max_length=4000)
    tipo = pw.CharField(max_length=40, default="checkbox")
    codigo = pw.CharField(max_length=200, null=True)
    agrupador = pw.CharField(max_length=120, default="Outros")
    criado_em = pw.DateTimeField()
    eh_customizada = pw.BooleanField(default=False)

    class Meta:
        table_name = "mf_tarefa"


class MfClienteTarefa(BaseModel):
    tarefa = pw.ForeignKeyField(MfTarefa, column_name="mf_tarefa_id", on_delete="CASCADE", object_id_name="tarefa_id")
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    checkbox_feito = pw.BooleanField(default=False)
    checkbox_feito_checked_first_updated_at = pw.DateTimeField(null=True)
    checkbox_feito_checked_last_updated_at = pw.DateTimeField(null=True)
    checkbox_feito_unchecked_first_updated_at = pw.DateTimeField(null=True)
    checkbox_feito_unchecked_last_updated_at = pw.DateTimeField(null=True)
    criado_em = pw.DateTimeField()
    removido_em = pw.DateTimeField(null=True)
    atualizado_em = pw.DateTimeField()
    campo_livre = JSONField(null=True)

    class Meta:
        table_name = "mf_cliente_tarefa"


class MfTag(BaseModel):
    code = pw.CharField(max_length=200, unique=True)
    description = pw.CharField(max_length=2000, null=True)
    created_on = pw.DateTimeField()

    class Meta:
        table_name = "mf_tag"


class ClienteMfTag(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    tag = pw.ForeignKeyField(MfTag, column_name="mf_tag_id", on_delete="CASCADE", object_id_name="tag_id")
    created_on = pw.DateTimeField()

    class Meta:
        table_name = "cliente_mf_tag"
