"""Health under outages, through the real server and command: liveness depends on nothing, readiness answers
503 naming what is down, and `penhas health` on a never-migrated data dir says what to do without creating
anything."""
import json

import pytest
import requests

from tests.commands import penhas
from tests.servers import start_web, stop
from tests.sms_helpers import closed_port_url

pytestmark = pytest.mark.slow


def test_liveness_depends_on_nothing_and_readiness_names_the_database():
    down = closed_port_url().replace("http://", "postgresql://postgres:x@") + "/penhas"
    proc, port = start_web("procfile", DATABASE_URL=down)
    try:
        r = requests.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert (r.status_code, r.json()) == (200, {"status": "ok"})
        r = requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=30)
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["error"] == "not_ready" and "database" in body["down"]
        assert body["checks"]["database"]["status"] == "down" and "database" in body["message"]
    finally:
        stop(proc)


def test_health_on_a_never_migrated_data_dir(tmp_path):
    data_dir = tmp_path / "never-used"
    secrets = {name: None for name in ("SECRET_KEY", "ENCRYPTION_KEY", "HMAC_KEY", "BACKUP_KEY")}
    r = penhas("health", "--json", PENHAS_DATA_DIR=str(data_dir), DATABASE_URL=None, REDIS_URL=None,
               S3_BUCKET=None, **secrets)
    assert r.returncode == 1, r.stderr
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert not checks["database"]["ok"]
    assert checks["database"]["detail"] == "database not migrated: run `penhas db migrate`"
    assert "no such table" not in r.stdout
    assert not data_dir.exists(), "health created the data dir (or secrets in it)"
