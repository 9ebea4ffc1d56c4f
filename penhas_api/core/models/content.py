import peewee as pw

from penhas_api.core.db import BaseModel


class FaqCategory(BaseModel):
    status = pw.CharField(max_length=20, default="draft")
    sort = pw.BigIntegerField(default=0)
    title = pw.CharField(max_length=200)
    is_test = pw.BooleanField(default=False)

    class Meta:
        table_name = "faq_tela_sobre_categoria"


class FaqItem(BaseModel):
    status = pw.CharField(max_length=20, default="draft")
    sort = pw.BigIntegerField(default=0)
    title = pw.CharField(max_length=300)
    content_html = pw.TextField()
    category = pw.ForeignKeyField(FaqCategory, column_name="fts_categoria_id", on_delete="RESTRICT")
    exibir_titulo_inline = pw.BooleanField(default=False)

    class Meta:
        table_name = "faq_tela_sobre"
