"""GET /metrics: off without a token, guarded by it, real figures in Prometheus text format."""
import os
import re
import time

import pytest

from penhas_api.core import clock
from penhas_api.core.db import database
from penhas_api.core.models import SentSms
from penhas_api.core.services import metrics
from penhas_api.core.settings import load_settings, reset_settings
from tests.helpers import assert_error, needs_redis

TOKEN = "metrics-token-" + "z" * 30


@pytest.fixture
def metrics_on():
    reset_settings(load_settings(dict(os.environ, METRICS_TOKEN=TOKEN)))
    metrics.counters().reset()
    yield {"Authorization": f"Bearer {TOKEN}"}
    reset_settings(None)


_LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


def _series(sample: str) -> tuple:
    """A series' name and label set: label order carries no meaning in the exposition format."""
    name, _, labels = sample.partition("{")
    return name, frozenset(_LABEL.findall(labels))


def _value(text: str, line_start: str) -> float:
    wanted = _series(line_start)
    for line in text.splitlines():
        if not line.startswith("#") and " " in line and _series(line.rsplit(" ", 1)[0]) == wanted:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{line_start} not in:\n{text}")


def test_metrics_are_off_without_a_token(client):
    assert_error(client.get("/metrics"), 404, "Page not found")


def test_metrics_require_the_token(client, metrics_on):
    assert_error(client.get("/metrics"), 403, "permission_denied")
    assert_error(client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 403, "permission_denied")
    assert_error(client.get("/metrics", headers={"Authorization": TOKEN}), 403, "permission_denied")


def test_requests_latency_queue_and_sms_figures(client, metrics_on):
    for _ in range(3):
        assert client.get("/health").status_code == 200
    assert client.get("/no-such-page/u-4821").status_code == 404
    with database.connection_context():
        now = clock.now()
        for kind, status in (("alert", "sent"), ("alert", "sent"), ("alert", "failed"), ("invite", "retrying")):
            SentSms.create(phonenumber="+5511999990000", message="x", created_at=now, kind=kind, priority=10,
                           status=status, updated_at=now)

    response = client.get("/metrics", headers=metrics_on)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.get_data(as_text=True)
    assert _value(text, 'penhas_http_requests_total{route="/health",method="GET",status="200"}') == 3
    assert _value(text, 'penhas_http_requests_total{route="unmatched",method="GET",status="404"}') == 1
    assert _value(text, 'penhas_http_request_duration_seconds_count{route="/health",method="GET"}') == 3
    assert _value(text, 'penhas_http_request_duration_seconds_bucket{route="/health",method="GET",le="+Inf"}') == 3
    assert _value(text, 'penhas_http_request_duration_seconds_sum{route="/health",method="GET"}') > 0
    assert _value(text, "penhas_queue_pending") == 0
    assert _value(text, "penhas_jobs_failed") == 0
    assert _value(text, 'penhas_sms_messages{kind="alert",status="sent"}') == 2
    assert _value(text, 'penhas_sms_messages{kind="alert",status="failed"}') == 1
    assert _value(text, 'penhas_sms_messages{kind="invite",status="retrying"}') == 1
    # The scrape itself is not counted, and paths with ids never become labels.
    # (A marker no float can contain: a bare number could turn up inside a latency sum.)
    assert "/metrics" not in text and "u-4821" not in text and "no-such-page" not in text
    # Every sample line is well formed.
    sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$')
    assert all(sample.match(line) for line in text.splitlines() if not line.startswith("#"))


def test_histogram_buckets_are_cumulative_and_errors_counted(metrics_on):
    metrics.record_request("/x/<int:id>", "POST", 500, 0.03)
    metrics.record_request("/x/<int:id>", "POST", 200, 0.2)
    metrics.record_request("/x/<int:id>", "POST", 200, 30)
    text = metrics.render()
    base = 'penhas_http_request_duration_seconds_bucket{route="/x/<int:id>",method="POST",le="%s"}'
    assert [_value(text, base % le) for le in ("0.025", "0.05", "0.25", "10.0", "+Inf")] == [0, 1, 2, 2, 3]
    assert _value(text, 'penhas_http_errors_total{route="/x/<int:id>",method="POST"}') == 1


@needs_redis
def test_counters_are_shared_through_redis(client, metrics_on):
    assert isinstance(metrics.counters(), metrics.RedisCounters)
    client.get("/health")
    metrics.flush()  # a worker sends its counts at most every FLUSH_SECONDS, and before answering a scrape
    # Another gunicorn worker has its own connection and sees the same numbers.
    other = metrics.RedisCounters(os.environ["REDIS_URL"])
    assert other.read("requests")[metrics._SEP.join(("/health", "GET", "200"))] == 1


def test_requests_still_succeed_when_the_metrics_store_is_down(client, metrics_on):
    reset_settings(load_settings(dict(os.environ, METRICS_TOKEN=TOKEN, REDIS_URL="redis://127.0.0.1:1/0")))
    try:
        assert client.get("/health").status_code == 200
        metrics.flush()  # what the next request would do once FLUSH_SECONDS have passed
        # Recording is paused after the failure, so later requests do not wait for Redis again.
        assert metrics._muted_until > time.monotonic() + metrics.MUTE_SECONDS - 5
        assert client.get("/health").status_code == 200
    finally:
        metrics._muted_until = 0.0


@pytest.fixture
def real_queue():
    """The configured queue (Redis or the SQLite file) instead of immediate mode, emptied afterwards."""
    from penhas_api.core.queue import huey

    huey.immediate = False
    huey.flush()
    yield huey
    huey.flush()
    huey.immediate = True


def test_queue_depth_and_failed_jobs_are_real_figures(client, metrics_on, real_queue):
    from penhas_api.core.models import FailedJob
    from penhas_api.core.services import stats
    from tasks.accounts import delete_user

    for cliente_id in (101, 102, 103):
        delete_user(cliente_id)  # queued, nobody consumes it here
    with database.connection_context():
        FailedJob.create(name="sms.send", args=[1], kwargs={}, priority=100, error="boom", failed_at=clock.now(),
                         status="failed")
        queue = stats.collect()["queue"]
    text = client.get("/metrics", headers=metrics_on).get_data(as_text=True)
    assert _value(text, "penhas_queue_pending") == 3 and _value(text, "penhas_jobs_failed") == 1
    assert queue["pending"] == 3 and queue["failed_jobs"] == 1
