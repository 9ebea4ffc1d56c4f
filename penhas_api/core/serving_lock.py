"""Which SQLite databases a running `penhas serve` or `penhas worker` uses, so a restore can refuse to replace
a database under them.

Each such process holds a shared ``flock`` on ``<database file>-clients.lock`` for as long as it lives
(gunicorn's forked workers inherit it). The kernel drops the lock when the last holder exits, crashed or not,
so there is no stale pid file to clean up: the file may stay, only a held lock counts. PostgreSQL needs none of
this: its other connections are visible in ``pg_stat_activity``.
"""
import fcntl
import os
from pathlib import Path

_held: list = []  # open lock files of this process, kept open (and locked) until it exits


def lock_path(database_url: str) -> Path | None:
    if not database_url.startswith("sqlite:///"):
        return None
    return Path(database_url[len("sqlite:///"):].split("?", 1)[0] + "-clients.lock")


def hold(database_url: str) -> None:
    """Mark this process as a client of the database until it exits (no-op for PostgreSQL)."""
    path = lock_path(database_url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held.append(fd)


def in_use(database_url: str) -> bool:
    """True when another process holds the database's lock (a running `penhas serve` or `penhas worker`)."""
    path = lock_path(database_url)
    if path is None or not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return False
