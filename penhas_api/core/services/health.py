"""Readiness checks shared by GET /health/ready and `penhas health`."""
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from penhas_api.core.db import database, init_db, sqlite_path
from penhas_api.core.failures import NOT_MIGRATED, FailureError, describe
from penhas_api.core.settings import ConfigError, get_settings, key_errors


@dataclass
class Check:
    name: str
    ok: bool
    latency_ms: float
    detail: str = ""

    def as_dict(self):
        return asdict(self)


def _timed(name: str, fn) -> Check:
    start = time.perf_counter()
    try:
        detail = fn() or ""
        ok = True
    except Exception as exc:  # a check reports, it never raises
        failure = describe(exc)
        detail = str(failure) if failure else f"{exc.__class__.__name__}: {str(exc)[:200]}"
        ok = False
    return Check(name, ok, round((time.perf_counter() - start) * 1000, 2), detail)


def _database():
    settings = get_settings()
    if not settings.is_postgres and not Path(sqlite_path(settings.database_url)).exists():
        raise FailureError(NOT_MIGRATED)  # connecting would create the file (and not the tables)
    init_db()
    with database.connection_context():
        # The migrations' own table: a reachable but never-migrated database is not ready either.
        database.execute_sql("SELECT 1 FROM schema_migrations LIMIT 1").fetchone()
    return "postgresql" if settings.is_postgres else "sqlite"


def _queue():
    s = get_settings()
    if s.redis_url:
        import redis

        client = redis.Redis.from_url(s.redis_url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
        return "redis"
    from penhas_api.core import queue

    if not s.data_dir.exists():
        # Opening the embedded queue would create the data dir: health looks, it creates nothing.
        raise RuntimeError("data dir not created yet: run `penhas db migrate`")
    queue.pending_count()
    return "sqlite"


def _storage():
    from penhas_api.core.adapters.storage import get_storage

    storage = get_storage()
    storage.ping()
    return storage.name


READY_CHECKS = {"database": _database, "queue": _queue, "storage": _storage}


def ready_checks() -> list[Check]:
    checks = [_timed(name, fn) for name, fn in READY_CHECKS.items()]
    if get_settings().redis_url:
        checks[1].name = "redis"
    return checks


def extra_checks() -> list[Check]:
    """Configuration of the outside services the CLI reports on besides readiness."""
    from penhas_api.core.adapters.sms import get_sms

    out = [_timed("sms", lambda: (get_sms().ping(), get_sms().name)[1])]
    for name, fn in EXTRA_CHECKS.items():
        out.append(_timed(name, fn))
    return out


def _backup():
    from penhas_api.core.services.backups import health_detail

    return health_detail()


def _audio_tools():
    from penhas_api.core.adapters.ffmpeg import require_tools

    require_tools()
    return "ffmpeg and ffprobe found"


def _secrets():
    s = get_settings()
    malformed = key_errors(s)
    if malformed:
        raise ConfigError("; ".join(malformed))
    generated = s.generated_secrets
    shared_deployment = s.is_postgres or s.s3_bucket or s.redis_url
    if generated and shared_deployment:
        # Keys kept in one machine's data dir are lost with that disk and differ between hosts: recordings,
        # backups and CPF digests would become unreadable. Production must set them.
        raise RuntimeError("generated in the data dir, set in the environment: " + ", ".join(generated))
    return "from the environment" if not generated else "generated in the data dir (embedded setup)"


def _data_dir():
    from penhas_api.core import data_dir

    path = get_settings().data_dir
    found = data_dir.problems(path)
    if found:
        raise RuntimeError("readable by other local users (chmod 700 the dir, 600 its files): " + ", ".join(found))
    return f"{path} private (0700, files 0600)"


def _geocoder():
    from penhas_api.core.adapters.geocoder import health_check

    return health_check()


# Every operator-facing check besides readiness, listed here (not registered by the adapters when imported), so
# `penhas health` reports the same lines whatever the process imported.
EXTRA_CHECKS: dict = {"backup": _backup, "audio_tools": _audio_tools, "secrets": _secrets, "geocoder": _geocoder,
                      "data_dir": _data_dir}
