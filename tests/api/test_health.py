import os

from penhas_api.core.settings import load_settings, reset_settings


def test_liveness(client):
    assert client.get("/health").get_json() == {"status": "ok"}


def test_ready_reports_each_dependency(client):
    r = client.get("/health/ready")
    assert r.status_code == 200, r.get_json()
    checks = r.get_json()["checks"]
    assert set(checks) == {"database", "redis" if os.environ.get("REDIS_URL") else "queue", "storage"}
    assert all(c["status"] == "ok" and isinstance(c["latency_ms"], (int, float)) for c in checks.values())


def test_ready_names_redis_when_it_is_down(client):
    env = dict(os.environ, REDIS_URL="redis://127.0.0.1:1/0")
    reset_settings(load_settings(env))
    try:
        r = client.get("/health/ready")
    finally:
        reset_settings(None)
    assert r.status_code == 503
    body = r.get_json()
    assert body["down"] == ["redis"] and body["checks"]["redis"]["status"] == "down"
    assert "redis" in body["message"]
