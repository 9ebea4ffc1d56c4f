"""DATABASE_URL is parsed in one place (core/db.py, on playhouse.db_url); its query parameters reach libpq."""
import peewee
import pytest
from playhouse.pool import PooledPostgresqlDatabase

from penhas_api.core.db import libpq_params, make_database

URL = "postgresql://us%40er:p%2Fss%3Aword@db.example:6543/pen%20has?sslmode=verify-full&connect_timeout=3"


def test_postgres_url_gives_a_pool_with_every_query_parameter():
    db = make_database(URL)
    assert isinstance(db, PooledPostgresqlDatabase) and db.database == "pen has"
    params = db.connect_params
    assert (params["user"], params["password"], params["host"], params["port"]) == (
        "us@er", "p/ss:word", "db.example", 6543)
    # The URL's own settings win over the defaults; the rest of the defaults stay.
    assert params["sslmode"] == "verify-full" and params["connect_timeout"] == 3
    assert params["options"] == "-c timezone=UTC"


def test_libpq_params_for_the_backup_tools():
    assert libpq_params(URL) == {"dbname": "pen has", "user": "us@er", "password": "p/ss:word",
                                 "host": "db.example", "port": "6543", "sslmode": "verify-full",
                                 "connect_timeout": "3"}
    assert libpq_params("postgres:///penhas") == {"dbname": "penhas", "host": "localhost", "port": "5432"}
    with pytest.raises(ValueError):
        libpq_params("sqlite:////tmp/x.db")


def test_sqlite_and_unknown_schemes(tmp_path):
    db = make_database(f"sqlite:///{tmp_path}/penhas.db")
    assert isinstance(db, peewee.SqliteDatabase) and db.database == f"{tmp_path}/penhas.db"
    for url in ("mysql://x/y", "sqlite://relative.db", "penhas.db"):
        with pytest.raises(ValueError, match="DATABASE_URL"):
            make_database(url)
