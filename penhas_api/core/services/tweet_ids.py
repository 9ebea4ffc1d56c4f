"""Tweet ids: 'YYMMDD' 'T' 'HHMMSS' (UTC) + a 4-digit per-second sequence (backend-rules §1.4, §7.1).

The sequence comes from one atomic increment shared by every process: Redis INCR when Redis is configured,
else an upsert on ``tweet_id_seq`` (the embedded default). Ids sort by creation time as text, which the timeline's
cursors rely on. A second that runs out of its 9 999 numbers waits for the next one.
"""
import logging
import time

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.settings import get_settings

log = logging.getLogger(__name__)
MAX_SEQ = 9999
_redis = {}


def _redis_client(url: str):
    if url not in _redis:
        import redis

        _redis[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return _redis[url]


def _redis_seq(url: str, base: str) -> int:
    key = f"penhas:tweet_id:{base}"
    pipe = _redis_client(url).pipeline()
    pipe.incr(key)
    pipe.expire(key, 60)
    return int(pipe.execute()[0])


def _db_seq(base: str) -> int:
    p = database.param
    row = database.execute_sql(
        f"INSERT INTO tweet_id_seq (base, seq) VALUES ({p}, 1) "
        f"ON CONFLICT (base) DO UPDATE SET seq = tweet_id_seq.seq + 1 RETURNING seq", (base,)).fetchone()
    seq = int(row[0])
    if seq == 1:
        # The first id of a second clears the rows of past seconds: the table stays a handful of rows.
        database.execute_sql(f"DELETE FROM tweet_id_seq WHERE base < {p}", (base,))
    return seq


def _next_seq(base: str) -> int:
    url = get_settings().redis_url
    if url:
        try:
            return _redis_seq(url, base)
        except Exception as exc:  # noqa: BLE001 - Redis down must not stop her from posting
            log.warning("tweet id sequence: Redis unavailable (%s), using the database", type(exc).__name__)
    return _db_seq(base)


def next_tweet_id() -> str:
    for _ in range(3):
        base = clock.now().strftime("%y%m%dT%H%M%S")
        seq = _next_seq(base)
        if seq <= MAX_SEQ:
            return f"{base}{seq:04d}"
        time.sleep(1)
    raise PenhasError("too_many_requests",
                      "Você fez muitos acessos recentemente. Aguarde um minuto e tente novamente.", 429)
