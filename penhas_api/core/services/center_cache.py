"""Process-local caches of center data, good while ``centers_version`` is unchanged.

Triggers (``sql/0015_hot_path.sql``) move ``centers_version.version`` on every write to centers, their project
links, categories and projects, whoever writes (an API worker, ``penhas centers import``, a geocoding task, an
approved suggestion, a rating updating a center's average). A request reads the version once (one primary-key
row) and sees either the cache built for that version or builds it, so no process ever serves a list older than
the last committed change, and nothing has to remember to invalidate.
"""
import threading

from penhas_api.core.db import database

_lock = threading.Lock()
# (database object id) -> (version, {key: value})
_by_database: dict[int, tuple[int, dict]] = {}
MAX_ENTRIES = 256  # distinct (project, filters) combinations kept per version; the app sends very few


class Snapshot:
    """The cache of one version of the center data, for the duration of one request."""

    def __init__(self, version: int, entries: dict):
        self.version = version
        self._entries = entries

    def get(self, key, build):
        value = self._entries.get(key)
        if value is None:
            value = build()
            with _lock:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = value
        return value


def current_version() -> int:
    row = database.execute_sql("SELECT version FROM centers_version WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def snapshot() -> Snapshot:
    version = current_version()
    key = id(database.obj)
    with _lock:
        held = _by_database.get(key)
        if held is None or held[0] != version:
            held = _by_database[key] = (version, {})
    return Snapshot(version, held[1])
