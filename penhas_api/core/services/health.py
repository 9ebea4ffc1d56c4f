"""Readiness checks shared by GET /health/ready and `penhas health`."""
import time
from dataclasses import asdict, dataclass

from penhas_api.core.db import database, init_db
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
        detail, ok = f"{exc.__class__.__name__}: {str(exc)[:200]}", False
    return Check(name, ok, round((time.perf_counter() - start) * 1000, 2), detail)


def _database():
    init_db()
    with database.connection_context():
        database.execute_sql("SELECT 1").fetchone()
    return "postgresql" if get_settings().is_postgres else "sqlite"


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


def _geocoder():
    from penhas_api.core.adapters.geocoder import health_check

    return health_check()


# Every operator-facing check besides readiness, listed here (not registered by the adapters when imported), so
# `penhas health` reports the same lines whatever the process imported.
EXTRA_CHECKS: dict = {"backup": _backup, "audio_tools": _audio_tools, "secrets": _secrets, "geocoder": _geocoder}
