"""Prometheus metrics: HTTP requests and latency by route and status, errors, queue depth, SMS outcomes.

Request counters live in Redis when REDIS_URL is set, so every gunicorn worker adds to the same numbers and
any worker answers the scrape; without Redis (the embedded setup) they are kept per process. A worker sums its
requests in memory and sends them to Redis in one pipeline at most every ``FLUSH_SECONDS`` (and before it answers
a scrape), not one round trip per request: a scrape sees other workers' last second late, never lost. Queue depth,
failed jobs and SMS outcomes are read at scrape time from the queue and the database.
"""
import logging
import threading
import time
from collections import defaultdict

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from penhas_api.core import queue
from penhas_api.core.db import database
from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.metrics")

# Upper bounds (seconds) of the latency histogram buckets.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_KEY = "penhas:metrics"
_SEP = "\x1f"  # joins label values in one hash field; never appears in a route template, method or status


class LocalCounters:
    """Process-local counters (embedded setup: each worker process counts its own requests)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def add(self, increments: list[tuple[str, str, float]]) -> None:
        with self._lock:
            for table, field, amount in increments:
                self._data[table][field] += amount

    def read(self, table: str) -> dict[str, float]:
        with self._lock:
            return dict(self._data.get(table, {}))

    def reset(self) -> None:
        _drop_pending()
        with self._lock:
            self._data.clear()


class RedisCounters:
    """Counters shared by every process: one Redis hash per metric, one pipelined round trip per flush."""

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    def add(self, increments: list[tuple[str, str, float]]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for table, field, amount in increments:
            pipe.hincrbyfloat(f"{_KEY}:{table}", field, amount)
        pipe.execute()

    def read(self, table: str) -> dict[str, float]:
        return {k.decode(): float(v) for k, v in self._redis.hgetall(f"{_KEY}:{table}").items()}

    def reset(self) -> None:
        _drop_pending()
        for key in self._redis.scan_iter(f"{_KEY}:*"):
            self._redis.delete(key)


_counters = None
_counters_url = None
_muted_until = 0.0
MUTE_SECONDS = 30
FLUSH_SECONDS = 1.0
_pending: dict[tuple[str, str], float] = defaultdict(float)
_pending_lock = threading.Lock()
_flushed_at = 0.0


def counters():
    global _counters, _counters_url
    url = get_settings().redis_url
    if _counters is None or url != _counters_url:
        _counters = RedisCounters(url) if url else LocalCounters()
        _counters_url = url
    return _counters


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request. Never raises: metrics must not break the request they measure."""
    labels = _SEP.join((route, method, str(status)))
    bucket = next((str(b) for b in BUCKETS if seconds <= b), "+Inf")
    timing = _SEP.join((route, method))
    with _pending_lock:
        _pending[("requests", labels)] += 1
        _pending[("duration_sum", timing)] += seconds
        _pending[("duration_bucket", _SEP.join((route, method, bucket)))] += 1
        if status >= 500:
            _pending[("errors", timing)] += 1
    if time.monotonic() - _flushed_at >= FLUSH_SECONDS or not isinstance(counters(), RedisCounters):
        flush()


def _drop_pending() -> None:
    with _pending_lock:
        _pending.clear()


def flush() -> None:
    """Send this process's pending counts to the store (one pipeline). Never raises."""
    global _muted_until, _flushed_at
    now = time.monotonic()
    with _pending_lock:
        _flushed_at = now
        if now < _muted_until or not _pending:
            return
        increments = [(table, field, amount) for (table, field), amount in _pending.items()]
        _pending.clear()
    try:
        counters().add(increments)
    except Exception as exc:  # Redis down: the request still succeeds; /health/ready reports Redis
        # Stop trying for a while, so an outage does not add a connect timeout to every request.
        _muted_until = time.monotonic() + MUTE_SECONDS
        log.warning("metrics not recorded for %ss: %s", MUTE_SECONDS, exc.__class__.__name__)


class PenhasCollector:
    """A prometheus_client collector reading the shared counters, the queue and the database at scrape time."""

    def collect(self):
        yield from _http_families(counters())
        for part in (_queue_families, _sms_families):
            try:
                families = list(part())
            except Exception as exc:  # one broken source must not hide the others
                log.warning("metrics source failed: %s", exc.__class__.__name__)
                continue
            yield from families


def _http_families(store):
    requests = CounterMetricFamily("penhas_http_requests", "HTTP requests answered, by route template, method and "
                                   "status.", labels=("route", "method", "status"))
    for field, value in sorted(store.read("requests").items()):
        requests.add_metric(field.split(_SEP), value)
    errors = CounterMetricFamily("penhas_http_errors", "HTTP requests answered with a 5xx status.",
                                 labels=("route", "method"))
    for field, value in sorted(store.read("errors").items()):
        errors.add_metric(field.split(_SEP), value)
    duration = HistogramMetricFamily("penhas_http_request_duration_seconds", "Time to answer HTTP requests.",
                                     labels=("route", "method"))
    buckets: dict[tuple, dict[str, float]] = defaultdict(dict)
    for field, value in store.read("duration_bucket").items():
        route, method, le = field.split(_SEP)
        buckets[(route, method)][le] = value
    sums = store.read("duration_sum")
    for route, method in sorted(buckets):
        seen = buckets[(route, method)]
        running, cumulative = 0.0, []
        # Stored per bucket; Prometheus buckets are cumulative.
        for le in [str(b) for b in BUCKETS] + ["+Inf"]:
            running += seen.get(le, 0)
            cumulative.append((le, running))
        duration.add_metric([route, method], cumulative, sums.get(_SEP.join((route, method)), 0.0))
    return [requests, errors, duration]


def _queue_families():
    families = [GaugeMetricFamily("penhas_queue_pending", "Jobs waiting in the queue.", value=queue.pending_count()),
                GaugeMetricFamily("penhas_queue_scheduled", "Jobs delayed or waiting to retry.",
                                  value=queue.scheduled_count())]
    if database.table_exists("failed_jobs"):
        count = database.execute_sql("SELECT COUNT(*) FROM failed_jobs WHERE status = 'failed'").fetchone()[0]
        families.append(GaugeMetricFamily("penhas_jobs_failed", "Jobs that exhausted their retries and wait for "
                                          "`penhas jobs retry`.", value=count))
    return families


def _sms_families():
    if not database.table_exists("sent_sms_log"):
        return []
    sms = GaugeMetricFamily("penhas_sms_messages", "SMS messages by kind and current status (sent, failed, "
                            "retrying, ...).", labels=("kind", "status"))
    rows = database.execute_sql("SELECT kind, status, COUNT(*) FROM sent_sms_log GROUP BY kind, status "
                                "ORDER BY kind, status").fetchall()
    for kind, status, count in rows:
        sms.add_metric([kind, status], count)
    return [sms]


CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


def render() -> str:
    """The whole exposition in Prometheus text format 0.0.4 (``CONTENT_TYPE``)."""
    flush()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PenhasCollector())
    return generate_latest(registry).decode()
