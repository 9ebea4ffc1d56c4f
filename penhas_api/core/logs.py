"""JSON-lines logging for every logger in the process (ours, Huey's, gunicorn's, libraries').

Callers never pass secrets, passwords, CPF, tokens or message contents. An exception is logged by its class
only: its text often carries what the user sent (a ViaCEP URL holds her CEP), so it is never written. With
LOG_LEVEL=DEBUG a traceback is added as file:line frames, still without any exception text or variable.
"""
import json
import logging
import traceback
from datetime import datetime, timezone
from pathlib import Path

EXTRA_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "task", "task_id", "attempt",
                "error", "media_id")
# Libraries whose DEBUG output holds request bodies (SNS phone numbers, S3 keys) or query parameters (peewee logs
# every statement with its SMS texts, coordinates, digests): never below INFO, LOG_LEVEL=DEBUG included.
_CHATTY = ("botocore", "boto3", "s3transfer", "urllib3", "requests", "huey", "gunicorn", "werkzeug", "peewee")


def _frames(tb) -> list[str]:
    out = []
    for frame in traceback.extract_tb(tb):
        parts = Path(frame.filename).parts
        short = "/".join(parts[-3:]) if len(parts) > 3 else frame.filename
        out.append(f"{short}:{frame.lineno} in {frame.name}")
    return out


class JsonFormatter(logging.Formatter):
    def __init__(self, with_trace: bool = False):
        super().__init__()
        self.with_trace = with_trace

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in EXTRA_FIELDS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry.setdefault("error", exc_type.__name__)
            if self.with_trace:
                entry["trace"] = _frames(tb)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _root_level(level: str) -> str:
    # DEBUG is for our own code: libraries stay at INFO (their debug lines carry request contents).
    return "INFO" if level == "DEBUG" else level


def logconfig(level: str = "INFO") -> dict:
    """A logging.config.dictConfig for the whole process: one JSON handler on the root logger."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "penhas_api.core.logs.JsonFormatter", "with_trace": level == "DEBUG"}},
        "filters": {"huey_failures": {"()": "penhas_api.core.logs.HueyFailureFilter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": _root_level(level), "handlers": ["stderr"]},
        "loggers": {
            "penhas": {"level": level, "handlers": [], "propagate": True},
            "tasks": {"level": level, "handlers": [], "propagate": True},
            **{name: {"level": _root_level(level), "handlers": [], "propagate": True} for name in _CHATTY},
            "huey": {"level": _root_level(level), "handlers": [], "propagate": True, "filters": ["huey_failures"]},
        },
    }


def gunicorn_logconfig(level: str = "INFO") -> dict:
    """gunicorn's `logconfig_dict`: its error log through the JSON handler, and no access log (its lines would hold
    whole query strings, and the app already logs one JSON line per request)."""
    config = logconfig(level)
    config["loggers"]["gunicorn.error"] = {"level": _root_level(level), "handlers": [], "propagate": True}
    config["loggers"]["gunicorn.access"] = {"level": "CRITICAL", "handlers": [], "propagate": False}
    return config


def setup_logging(level: str = "INFO") -> None:
    """Route every logger of the process through one JSON handler (replacing any handler already on the root, so
    calling it again, or after gunicorn configured its loggers, never doubles a line)."""
    import logging.config

    logging.config.dictConfig(logconfig(level))
    for name in ("gunicorn.error",):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("gunicorn.access").propagate = False


class HueyFailureFilter(logging.Filter):
    """Drops Huey's own 'Unhandled exception in task' record: the task-failure signal handler (tasks/jobs.py)
    writes the failure as one line with the task's name and attempt instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unhandled exception in task")
