"""What an infrastructure failure means for an operator: which component failed, how, and what to do.

The CLI's root error handler and `penhas health` both explain an exception through ``describe``, so the same
outage reads the same everywhere ("database "penhas" does not exist — create it with `createdb penhas`").
Messages name hosts, ports and database names, never passwords.
"""
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    component: str  # database, redis, settings, file, storage
    what: str
    remedy: str

    def __str__(self) -> str:
        return f"{self.what}: {self.remedy}"


class FailureError(Exception):
    """Raised by a check that already knows the operator's reading of what is wrong."""

    def __init__(self, failure: Failure):
        super().__init__(str(failure))
        self.failure = failure


NOT_MIGRATED = Failure("database", "database not migrated", "run `penhas db migrate`")
# The URL itself is never repeated: it holds the password.
UNSUPPORTED_DATABASE_URL = Failure("settings", "DATABASE_URL is not a supported database URL",
                                   "use postgresql://user:password@host:5432/name or sqlite:////path/to/penhas.db")


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _database(text: str) -> Failure | None:
    if m := re.search(r'database "([^"]+)" does not exist', text):
        return Failure("database", f'database "{m.group(1)}" does not exist',
                       f"create it with `createdb {m.group(1)}`, or fix the name in DATABASE_URL")
    if m := re.search(r'could not translate host name "([^"]+)"', text):
        return Failure("database", f"database host {m.group(1)} not found", "fix the host in DATABASE_URL")
    if m := re.search(r'(?:password authentication failed for user|role) "([^"]+)"', text):
        return Failure("database", f'database refused the login of user "{m.group(1)}"',
                       "fix the user and password in DATABASE_URL")
    if m := re.search(r'connection to server at "([^"]+)"(?: \([^)]*\))?, port (\d+) failed', text):
        return Failure("database", f"database unreachable at {m.group(1)}:{m.group(2)}",
                       "start PostgreSQL there, or fix the host and port in DATABASE_URL")
    if "connection to server on socket" in text or "timeout expired" in text:
        return Failure("database", "database unreachable", "start PostgreSQL, or fix DATABASE_URL")
    if "unable to open database file" in text:
        return Failure("database", "cannot open the SQLite database file",
                       "check that its directory exists and is writable (DATABASE_URL, PENHAS_DATA_DIR)")
    if "no such table" in text or re.search(r'relation "[^"]+" does not exist', text):
        return NOT_MIGRATED
    return None


def describe(exc: BaseException) -> Failure | None:
    """The operator's reading of ``exc`` (or of an exception it wraps), or None when it is not an outage or a
    misconfiguration we know (a bug: the caller reports its class)."""
    import peewee
    import redis

    for err in _chain(exc):
        if isinstance(err, FailureError):
            return err.failure
        if isinstance(err, ValueError) and "DATABASE_URL" in str(err):
            return UNSUPPORTED_DATABASE_URL
        if isinstance(err, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
            where = re.search(r"connecting to ([^\s]+?)\.? ", f"{err} ")
            return Failure("redis", f"Redis unreachable{' at ' + where.group(1) if where else ''}",
                           "start Redis there, or fix REDIS_URL")
        if isinstance(err, peewee.DatabaseError) or type(err).__module__.startswith(("psycopg2", "sqlite3")):
            found = _database(str(err))
            if found:
                return found
        if isinstance(err, OSError) and getattr(err, "filename", None):
            return Failure("file", f"{err.filename}: {(err.strerror or type(err).__name__).lower()}",
                           "check that the path exists and is writable, or choose another one")
    return None
