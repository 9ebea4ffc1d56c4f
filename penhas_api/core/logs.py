"""JSON-lines logging. Callers never pass secrets, passwords, CPF, tokens or message contents."""
import json
import logging
import sys
from datetime import datetime, timezone

_configured = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("request_id", "method", "path", "status", "duration_ms", "user_id", "task"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO") -> None:
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("penhas")
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    # peewee logs every query with its parameters at DEBUG: SMS texts, coordinates, digests. Never below INFO,
    # whoever configures the root logger (LOG_LEVEL=DEBUG included).
    logging.getLogger("peewee").setLevel(logging.INFO)
    _configured = True
