"""The SQL migrations and the peewee models describe the same schema, on whichever engine this run uses."""
from penhas_api.core.db import database
from penhas_api.core.models import all_models

# Columns that exist only in SQL on purpose (maintained by the database itself), per table.
SQL_ONLY_COLUMNS = {
    "ponto_apoio": {"geog"},
    # Kept by triggers (sql/0015_hot_path.sql); not a model field, so no save() can write back a stale count.
    "clientes": {"unread_notif_count"},
}


def test_every_model_matches_its_migrated_table(db):
    tables = set(database.get_tables())
    problems = []
    for model in all_models():
        table = model._meta.table_name
        if table not in tables:
            problems.append(f"{table}: table missing from migrations")
            continue
        columns = {c.name: c for c in database.get_columns(table)}
        fields = {f.column_name: f for f in model._meta.sorted_fields}
        extra_sql = set(columns) - set(fields) - SQL_ONLY_COLUMNS.get(table, set())
        missing_sql = set(fields) - set(columns)
        if extra_sql:
            problems.append(f"{table}: columns without a model field: {sorted(extra_sql)}")
        if missing_sql:
            problems.append(f"{table}: model fields without a column: {sorted(missing_sql)}")
        for name in set(fields) & set(columns):
            field, column = fields[name], columns[name]
            if column.primary_key:
                continue
            if bool(field.null) != bool(column.null):
                problems.append(f"{table}.{name}: model null={field.null} but column null={column.null}")
    assert not problems, "\n".join(problems)


def test_migrations_table_records_every_file(db):
    from penhas_api.core.migrate import available

    rows = {r[0] for r in database.execute_sql("SELECT version FROM schema_migrations")}
    assert rows == {m.version for m in available()}
