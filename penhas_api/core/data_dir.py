"""The data dir holds her data on the embedded default (database, queue, rate-limit counters, generated keys,
audio objects): nobody but the service's own user may read it.

``secure`` runs at start-up of every door (API, worker, CLI): umask 077, so whatever the service creates next
(SQLite's -wal/-shm, Huey's database, stored objects) is 0600 / 0700; the data dir 0700 and the files already at
its top 0600, for data dirs created before this rule. The dir's own mode already keeps other local users out of
everything below it, so the storage tree is not walked.
"""
import os
import stat
from pathlib import Path

UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def secure(path: Path) -> None:
    os.umask(UMASK)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    for entry in path.iterdir():
        _tighten(entry, DIR_MODE if entry.is_dir() else FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        st = path.lstat()
        if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
            path.chmod(mode)
    except (FileNotFoundError, PermissionError):  # a -shm going away meanwhile; a file we do not own
        pass


def problems(path: Path) -> list[str]:
    """What in the data dir other local users could read (the dir itself and what sits at its top)."""
    if not path.exists():
        return []
    found = []
    for entry in (path, *path.iterdir()):
        try:
            mode = entry.lstat().st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISLNK(mode) and mode & 0o077:
            found.append(f"{entry.name if entry != path else str(path)} {stat.filemode(mode)}")
    return found
