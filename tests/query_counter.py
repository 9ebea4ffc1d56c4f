"""Count the SQL statements a block of code sends, to prove a page costs a constant number of queries."""
import contextlib

from penhas_api.core.db import database


@contextlib.contextmanager
def count_queries():
    real = database.obj
    original = real.execute_sql
    counter = {"n": 0, "sql": []}

    def counting(sql, params=None, *args, **kwargs):
        # A PREPARE is sent once per PostgreSQL connection (db.execute_prepared); the EXECUTE after it is the query.
        if not sql.startswith("PREPARE "):
            counter["n"] += 1
            counter["sql"].append(sql)
        return original(sql, params, *args, **kwargs)

    real.execute_sql = counting
    try:
        yield counter
    finally:
        del real.execute_sql
