"""Rate-limit counters in one SQLite file of the data dir, for the embedded default (no REDIS_URL).

flask-limiter's memory storage counts per process, so with N gunicorn workers every limit was N times looser.
Counters in a file shared by every worker on the host hold whatever the number of workers or threads; each hit is
one short write transaction (a few tens of microseconds), which the embedded default's traffic affords. Several
hosts need Redis (``REDIS_URL``), as they do for the queue.

Registered with the ``limits`` library under the scheme ``penhas-sqlite``: ``penhas-sqlite:///<path>``.
"""
import os
import sqlite3
import threading
import time

from limits.storage import Storage

_SCHEMA = "CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)"
# One transaction: a window that has run out starts again at this hit.
_INCR = """
INSERT INTO hits (key, count, expires_at) VALUES (?1, ?2, ?3 + ?4)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN expires_at <= ?3 THEN ?2 ELSE count + ?2 END,
  expires_at = CASE WHEN expires_at <= ?3 THEN ?3 + ?4 ELSE expires_at END
RETURNING count
"""
# Expired rows are swept every this many hits, so the file stays as small as the set of live windows.
_SWEEP_EVERY = 500


class SqliteLimitStorage(Storage):
    STORAGE_SCHEME = ["penhas-sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        self.path = uri.split("://", 1)[1]
        self._local = threading.local()
        self._hits = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        # One connection per thread and per process: gunicorn forks workers after the app is created.
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        conn = self._conn()
        (count,) = conn.execute(_INCR, (key, amount, now, expiry)).fetchone()
        self._hits += 1
        if self._hits % _SWEEP_EVERY == 0:
            conn.execute("DELETE FROM hits WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = self._conn().execute("SELECT count FROM hits WHERE key = ? AND expires_at > ?",
                                   (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._conn().execute("SELECT expires_at FROM hits WHERE key = ? AND expires_at > ?",
                                   (key, time.time())).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return self._conn().execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("DELETE FROM hits WHERE key = ?", (key,))
