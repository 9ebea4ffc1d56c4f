"""Operator statistics (`penhas stats`): users, daily sign-ups and alerts, SMS, support centers, audio, queue.

Every figure is an aggregate; nothing here identifies a person. Sections read the tables other features own;
a section whose table is not in this database (older schema) is left out instead of failing the report.
"""
from datetime import date, datetime, timedelta

from penhas_api.core import clock, queue
from penhas_api.core.db import database

DAYS = 30


def _exists(*tables: str) -> bool:
    return all(database.table_exists(t) for t in tables)


def _rows(sql: str, params=()) -> list[tuple]:
    return list(database.execute_sql(sql, params).fetchall())


def _day(value) -> date:
    # DATE() gives a date on PostgreSQL and 'YYYY-MM-DD' text on SQLite.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _daily(table: str, column: str, since: datetime, today: date) -> list[dict]:
    p = database.param
    counts = {_day(d): n for d, n in _rows(
        f"SELECT DATE({column}), COUNT(*) FROM {table} WHERE {column} >= {p} GROUP BY DATE({column})", (since,))}
    first = since.date()
    return [{"day": (first + timedelta(days=i)).isoformat(), "count": counts.get(first + timedelta(days=i), 0)}
            for i in range((today - first).days + 1)]


def _users(since, today) -> dict:
    by_status = dict(_rows("SELECT status, COUNT(*) FROM clientes GROUP BY status ORDER BY status"))
    camouflage, anonymous = _rows(
        "SELECT COALESCE(SUM(CASE WHEN modo_camuflado_ativo THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN modo_anonimo_ativo THEN 1 ELSE 0 END), 0) FROM clientes WHERE status = 'active'")[0]
    return {"total": sum(by_status.values()), "by_status": by_status,
            "active_by_mode": {"camouflage": int(camouflage), "anonymous": int(anonymous)},
            "signups_per_day": _daily("clientes", "created_on", since, today)}


def _alerts(since, today) -> dict:
    p = database.param
    by_status = dict(_rows(f"SELECT status, COUNT(*) FROM cliente_ativacoes_panico WHERE created_at >= {p} "
                           "GROUP BY status ORDER BY status", (since,)))
    return {"last_days_by_status": by_status,
            "per_day": _daily("cliente_ativacoes_panico", "created_at", since, today)}


def _sms(since, _today) -> dict:
    p = database.param
    by_status = dict(_rows("SELECT status, COUNT(*) FROM sent_sms_log GROUP BY status ORDER BY status"))
    recent = dict(_rows(f"SELECT status, COUNT(*) FROM sent_sms_log WHERE created_at >= {p} GROUP BY status "
                        "ORDER BY status", (since,)))
    by_kind = {}
    for kind, status, n in _rows("SELECT kind, status, COUNT(*) FROM sent_sms_log GROUP BY kind, status "
                                 "ORDER BY kind, status"):
        by_kind.setdefault(kind, {})[status] = n
    return {"sent": by_status.get("sent", 0), "failed": by_status.get("failed", 0), "by_status": by_status,
            "by_kind": by_kind, "last_days": {"sent": recent.get("sent", 0), "failed": recent.get("failed", 0)}}


def _centers(_since, _today) -> dict:
    by_status = dict(_rows("SELECT status, COUNT(*) FROM ponto_apoio GROUP BY status ORDER BY status"))
    by_uf = dict(_rows("SELECT uf, COUNT(*) FROM ponto_apoio WHERE status = 'active' GROUP BY uf ORDER BY uf"))
    by_category = dict(_rows(
        "SELECT c.label, COUNT(*) FROM ponto_apoio p JOIN ponto_apoio_categoria c ON c.id = p.categoria "
        "WHERE p.status = 'active' GROUP BY c.label ORDER BY COUNT(*) DESC, c.label"))
    return {"total": sum(by_status.values()), "by_status": by_status, "active_by_uf": by_uf,
            "active_by_category": by_category}


def _audio(_since, _today) -> dict:
    by_status = {s: {"events": n, "bytes": int(b or 0)} for s, n, b in _rows(
        "SELECT status, COUNT(*), SUM(total_bytes) FROM clientes_audios_eventos GROUP BY status ORDER BY status")}
    out = {"events": sum(v["events"] for v in by_status.values()),
           "event_bytes": sum(v["bytes"] for v in by_status.values()), "by_status": by_status}
    if _exists("media_upload"):
        count, size = _rows("SELECT COUNT(*), COALESCE(SUM(file_size), 0) FROM media_upload")[0]
        out["stored_objects"], out["storage_bytes"] = count, int(size)
    return out


def _queue(_since, _today) -> dict:
    out = {"pending": queue.pending_count(), "scheduled": queue.scheduled_count()}
    if _exists("failed_jobs"):
        out["failed_jobs"] = _rows("SELECT COUNT(*) FROM failed_jobs WHERE status = 'failed'")[0][0]
    return out


# section name -> (tables it needs, function)
SECTIONS = {
    "users": (("clientes",), _users),
    "alerts": (("cliente_ativacoes_panico",), _alerts),
    "sms": (("sent_sms_log",), _sms),
    "centers": (("ponto_apoio", "ponto_apoio_categoria"), _centers),
    "audio": (("clientes_audios_eventos",), _audio),
    "queue": ((), _queue),
}


def collect(days: int = DAYS) -> dict:
    """Every section whose tables exist, for the last ``days`` days (today included)."""
    today = clock.now().date()
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time())
    out = {"generated_at": clock.now().isoformat(timespec="seconds"), "days": days, "skipped": []}
    for name, (tables, fn) in SECTIONS.items():
        if _exists(*tables):
            out[name] = fn(since, today)
        else:
            out["skipped"].append(name)
    return out
