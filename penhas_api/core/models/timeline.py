import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.users import Cliente


class Tweet(BaseModel):
    id = pw.CharField(max_length=20, primary_key=True)
    status = pw.CharField(max_length=20, default="published")
    content = pw.TextField()
    parent = pw.ForeignKeyField("self", column_name="parent_id", null=True, on_delete="CASCADE",
                                object_id_name="parent_id")
    original_parent_id = pw.CharField(max_length=20, null=True)
    anonimo = pw.BooleanField(default=False)
    qtde_reportado = pw.BigIntegerField(default=0)
    qtde_likes = pw.BigIntegerField(default=0)
    qtde_comentarios = pw.BigIntegerField(default=0)
    escondido = pw.BooleanField(default=False)
    created_at = pw.DateTimeField()
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    ultimo_comentario_id = pw.CharField(max_length=20, null=True)
    media_ids = JSONField(default=list)
    disable_escape = pw.BooleanField(default=False)
    tags_index = pw.CharField(max_length=5000, default=",,")
    tweet_depth = pw.SmallIntegerField(default=1)
    use_penhas_avatar = pw.BooleanField(default=False)

    class Meta:
        table_name = "tweets"


class TweetLike(BaseModel):
    created_on = pw.DateTimeField()
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    tweet = pw.ForeignKeyField(Tweet, column_name="tweet_id", on_delete="CASCADE")

    class Meta:
        table_name = "tweets_likes"


class TweetReport(BaseModel):
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    tweet = pw.ForeignKeyField(Tweet, column_name="reported_id", on_delete="CASCADE", object_id_name="tweet_id")
    reason = pw.CharField(max_length=200)
    created_at = pw.DateTimeField()
    resolved_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "tweets_reports"


class TweetIdSeq(BaseModel):
    base = pw.CharField(max_length=13, primary_key=True)
    seq = pw.BigIntegerField()

    class Meta:
        table_name = "tweet_id_seq"
