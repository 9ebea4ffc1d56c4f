import peewee as pw

from penhas_api.core.db import BaseModel, JSONField
from penhas_api.core.models.accounts import Badge
from penhas_api.core.models.users import Cliente


class Tag(BaseModel):
    status = pw.CharField(max_length=20, default="prod")
    title = pw.CharField(max_length=200)
    is_topic = pw.BooleanField(default=False)
    created_at = pw.DateTimeField()
    show_on_filters = pw.BooleanField(default=False)
    topic_order = pw.BigIntegerField(default=0)

    class Meta:
        table_name = "tags"


class TagHighlight(BaseModel):
    status = pw.CharField(max_length=20, default="prod")
    tag = pw.ForeignKeyField(Tag, column_name="tag_id", on_delete="CASCADE")
    match = pw.CharField(max_length=200)
    is_regexp = pw.BooleanField(default=False)
    error_msg = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "tags_highlight"


class TagIndexingConfig(BaseModel):
    status = pw.CharField(max_length=20, default="prod")
    tag = pw.ForeignKeyField(Tag, column_name="tag_id", on_delete="CASCADE")
    description = pw.TextField(null=True)
    page_title_match = pw.TextField(null=True)
    page_title_not_match = pw.TextField(null=True)
    url_match = pw.TextField(null=True)
    url_not_match = pw.TextField(null=True)
    rss_feed_tags_match = pw.TextField(null=True)
    rss_feed_tags_not_match = pw.TextField(null=True)
    rss_feed_content_match = pw.TextField(null=True)
    rss_feed_content_not_match = pw.TextField(null=True)
    regexp = pw.BooleanField(default=True)
    error_msg = pw.TextField(default="")
    modified_on = pw.DateTimeField(null=True)

    class Meta:
        table_name = "tag_indexing_config"


class RssFeed(BaseModel):
    status = pw.CharField(max_length=20, default="active")
    url = pw.CharField(max_length=2000, unique=True)
    fonte = pw.CharField(max_length=200, null=True)
    autocapitalize = pw.BooleanField(default=False)
    next_tick = pw.DateTimeField(null=True)
    last_run = pw.DateTimeField(null=True)
    last_error_message = pw.TextField(null=True)
    etag = pw.CharField(max_length=500, null=True)
    last_modified = pw.CharField(max_length=200, null=True)
    failures = pw.BigIntegerField(default=0)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "rss_feeds"


class RssFeedTag(BaseModel):
    tag = pw.ForeignKeyField(Tag, column_name="tags_id", on_delete="CASCADE", object_id_name="tag_id")
    feed = pw.ForeignKeyField(RssFeed, column_name="rss_feeds_id", on_delete="CASCADE", object_id_name="feed_id")

    class Meta:
        table_name = "rss_feeds_tags"


class Noticia(BaseModel):
    title = pw.CharField(max_length=2000)
    description = pw.TextField(null=True)
    created_at = pw.DateTimeField()
    display_created_time = pw.DateTimeField()
    hyperlink = pw.CharField(max_length=2000, unique=True)
    feed = pw.ForeignKeyField(RssFeed, column_name="rss_feed_id", null=True, on_delete="SET NULL",
                           object_id_name="feed_id")
    author = pw.CharField(max_length=200, null=True)
    fonte = pw.CharField(max_length=200, null=True)
    published = pw.CharField(max_length=20, default="hidden")
    image_hyperlink = pw.CharField(max_length=2000, null=True)
    tags_index = pw.CharField(max_length=2000, default=",,")
    has_topic_tags = pw.BooleanField(default=False)

    class Meta:
        table_name = "noticias"


class Vitrine(BaseModel):
    status = pw.CharField(max_length=20, default="prod")
    noticias = JSONField(default=list)
    order = pw.BigIntegerField(default=0)
    meta = JSONField(default=dict)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "noticias_vitrine"


class NoticiaAbertura(BaseModel):
    noticia = pw.ForeignKeyField(Noticia, column_name="noticias_id", null=True, on_delete="CASCADE",
                                object_id_name="noticia_id")
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", null=True, on_delete="CASCADE")
    track_id = pw.CharField(max_length=200)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "noticias_aberturas"


class BadgeInvite(BaseModel):
    badge = pw.ForeignKeyField(Badge, column_name="badge_id", on_delete="CASCADE")
    cliente = pw.ForeignKeyField(Cliente, column_name="cliente_id", on_delete="CASCADE")
    created_on = pw.DateTimeField()
    modified_on = pw.DateTimeField(null=True)
    accepted = pw.BooleanField(default=False)
    accepted_on = pw.DateTimeField(null=True)
    deleted = pw.BooleanField(default=False)
    deleted_on = pw.DateTimeField(null=True)

    class Meta:
        table_name = "badge_invite"
