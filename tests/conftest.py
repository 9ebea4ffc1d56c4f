"""Test harness.

One database per xdist worker (a fresh SQLite file, or a fresh PostgreSQL database derived from
DATABASE_URL), migrated and seeded once; every test starts from empty non-seed tables. Real services are used
when the environment names them (DATABASE_URL, REDIS_URL, S3_*, SNS_ENDPOINT_URL); tests that need one skip
with a reason otherwise. Tasks run in Huey immediate mode unless a test starts a real consumer.
"""
import os
import shutil
import tempfile
from urllib.parse import urlparse, urlunparse

import pytest

from tests.helpers import key_for

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
WORKER_INDEX = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0
_DATA_DIR = tempfile.mkdtemp(prefix=f"penhas-test-{WORKER}-")
os.environ["PENHAS_DATA_DIR"] = _DATA_DIR
os.environ.setdefault("RATELIMIT_ENABLED", "0")
# Set like production (well-formed keys, see core/settings.py), so `penhas health` passes on the real-services
# run too.
for _secret in ("SECRET_KEY", "ENCRYPTION_KEY", "HMAC_KEY", "BACKUP_KEY"):
    os.environ.setdefault(_secret, key_for(_secret))
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Sign-up looks every CEP up, and no test may call the real ViaCEP: it is "down" unless a test starts the fake
# (tests/fakes/geo.py).
os.environ.setdefault("VIACEP_URL", "http://127.0.0.1:9/ws")
# xdist workers inherit the controller's environment: remember the originals once, derive from them.
for _name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET"):
    os.environ.setdefault(f"PENHAS_TEST_ORIGINAL_{_name}", os.environ.get(_name, ""))
ADMIN_DATABASE_URL = os.environ["PENHAS_TEST_ORIGINAL_DATABASE_URL"]


def _derive_postgres_url(url: str) -> str:
    parsed = urlparse(url)
    # Unique per run, so two runs on one machine never share (or drop) each other's databases.
    run = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid()))[:8]
    name = f"{parsed.path.lstrip('/') or 'penhas'}_test_{WORKER}_{run}"
    return urlunparse(parsed._replace(path="/" + name))


def _create_postgres_database(admin_url: str, test_url: str) -> None:
    import psycopg2

    name = urlparse(test_url).path.lstrip("/")
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _drop_postgres_database(admin_url: str, test_url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{urlparse(test_url).path.lstrip("/")}" WITH (FORCE)')
    conn.close()


if ADMIN_DATABASE_URL.startswith("postgres"):
    os.environ["DATABASE_URL"] = _derive_postgres_url(ADMIN_DATABASE_URL)
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_DATA_DIR}/penhas.db"

if os.environ["PENHAS_TEST_ORIGINAL_REDIS_URL"]:
    parsed = urlparse(os.environ["PENHAS_TEST_ORIGINAL_REDIS_URL"])
    # PENHAS_TEST_REDIS_DB_BASE lets two runs on one machine (two worktrees) use disjoint Redis databases.
    _base = int(os.environ.get("PENHAS_TEST_REDIS_DB_BASE") or 1)
    os.environ["REDIS_URL"] = urlunparse(parsed._replace(path=f"/{(_base + WORKER_INDEX - 1) % 15 + 1}"))

if os.environ["PENHAS_TEST_ORIGINAL_S3_BUCKET"]:
    os.environ["S3_BUCKET"] = f"{os.environ['PENHAS_TEST_ORIGINAL_S3_BUCKET']}-{WORKER}".lower()


from penhas_api.core import clock  # noqa: E402
from penhas_api.core.db import database, init_db  # noqa: E402
from penhas_api.core.fixtures import load_fixtures, seed_tables  # noqa: E402
from penhas_api.core.migrate import migrate  # noqa: E402
from penhas_api.core.models import all_models  # noqa: E402
from penhas_api.core.settings import get_settings  # noqa: E402
import tasks  # noqa: E402,F401  (registers every task, as each door does, so services can enqueue by name)
from tests import conformance  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a couple of seconds")


@pytest.fixture(scope="session", autouse=True)
def _database():
    settings = get_settings()
    if settings.is_postgres:
        _create_postgres_database(ADMIN_DATABASE_URL, settings.database_url)
    init_db()
    migrate()
    load_fixtures()
    if settings.s3_bucket:
        from penhas_api.core.adapters.storage import get_storage

        get_storage().ensure_bucket()
    from penhas_api.core.queue import huey

    huey.immediate = True
    yield
    database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    if settings.is_postgres:
        _drop_postgres_database(ADMIN_DATABASE_URL, settings.database_url)
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


def _wipe():
    keep = set(seed_tables()) | {"schema_migrations"}
    tables = [m._meta.table_name for m in all_models() if m._meta.table_name not in keep]
    with database.connection_context():
        if get_settings().is_postgres:
            database.execute_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            database.execute_sql("PRAGMA foreign_keys = OFF")
            for table in tables:
                database.execute_sql(f"DELETE FROM {table}")
            database.execute_sql("PRAGMA foreign_keys = ON")


@pytest.fixture(autouse=True)
def _isolation():
    yield
    clock.set_now(None)
    if not database.is_closed():
        database.close()
    _wipe()
    settings = get_settings()
    if settings.redis_url:
        import redis

        redis.Redis.from_url(settings.redis_url).flushdb()
    if not settings.s3_bucket:
        shutil.rmtree(settings.storage_dir, ignore_errors=True)
    from penhas_api.core.queue import huey

    # Immediate mode parks a failed task's retries in Huey's schedule: they must not run in the next test.
    huey.flush()
    from penhas_api.limits import limiter

    limiter.enabled = False


@pytest.fixture(scope="session")
def app():
    from penhas_api import create_app

    app = create_app(config={"TESTING": True})
    conformance.install(app)
    return app


@pytest.fixture(autouse=True)
def _conforms_to_openapi(request):
    """Fails a test whose requests to the shared app got an answer its OpenAPI operation does not declare."""
    yield
    if "app" in request.fixturenames:
        violations = conformance.take_violations(request.getfixturevalue("app"))
        assert not violations, "answers outside the OpenAPI document:\n" + "\n".join(violations)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db():
    """An open connection for service-level tests that touch the database directly."""
    # Not connection_context(): a request made in the same test closes the connection at its teardown.
    database.connect(reuse_if_open=True)
    yield database
    if not database.is_closed():
        database.close()


@pytest.fixture
def rate_limits(app):
    """Turn the rate limits on (they are off in tests by default) with empty counters."""
    from penhas_api.limits import limiter

    limiter.enabled = True
    limiter.reset()
    yield limiter
    limiter.enabled = False


@pytest.fixture
def keys():
    """Switch the configured master keys: keys(current, *old)."""
    from penhas_api.core.settings import load_settings, reset_settings

    def configure(current, *old):
        reset_settings(load_settings(dict(os.environ, ENCRYPTION_KEY=current, ENCRYPTION_KEYS_OLD=",".join(old))))

    yield configure
    reset_settings(None)


@pytest.fixture
def frozen_clock():
    """Freeze the domain clock; call it with a datetime to move time."""
    from datetime import datetime

    clock.set_now(datetime(2026, 11, 23, 12, 0, 0))

    class Clock:
        def __call__(self, value):
            clock.set_now(value)

        def advance(self, **delta):
            from datetime import timedelta

            clock.set_now(clock.now() + timedelta(**delta))

        @property
        def now(self):
            return clock.now()

    return Clock()


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback (aiosmtpd); the mail adapter is pointed at it. Yields the received list."""
    import socket
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    from penhas_api.core.settings import load_settings, reset_settings

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    reset_settings(load_settings(dict(os.environ, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))))
    try:
        yield sink.messages
    finally:
        reset_settings(None)
        controller.stop()
