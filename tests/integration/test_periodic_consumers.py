"""Two real consumers with schedulers on one Redis queue run each periodic job once per period."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from penhas_api.core.db import database
from penhas_api.core.models import AuditLog, PeriodicRun
from tests.helpers import needs_redis

ROOT = Path(__file__).resolve().parents[2]


def _wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@needs_redis
@pytest.mark.slow
def test_two_consumers_run_each_periodic_job_once_per_period():
    # Both schedulers must fire within the same minute: stay clear of the boundary.
    second = datetime.now(timezone.utc).second
    if second > 45:
        time.sleep(62 - second)
    env = dict(os.environ, LOG_LEVEL="INFO", PYTHONPATH=str(ROOT))
    consumers = [subprocess.Popen([sys.executable, "-m", "tests.integration.periodic_probe"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        def probe_runs():
            with database.connection_context():
                return list(PeriodicRun.select().where(PeriodicRun.name == "test.probe"))

        assert _wait_until(lambda: any(r.status == "ok" for r in probe_runs())), "the probe never ran"
        time.sleep(3)  # let the second consumer's copy reach its claim
    finally:
        for proc in consumers:
            proc.send_signal(signal.SIGINT)
        logs = [proc.communicate(timeout=30)[1] for proc in consumers]
    def skipped(name):
        return sum(line.count("period already claimed") for log in logs for line in log.splitlines()
                   if f'"task": "{name}"' in line)

    assert skipped("test.probe") == 1, "both schedulers should have enqueued the probe:\n" + "\n".join(logs)[-3000:]
    with database.connection_context():
        assert AuditLog.select().where(AuditLog.action == "test.probe").count() == 1
        runs = probe_runs()
        assert len(runs) == 1 and runs[0].source == "schedule"
        same_period = list(PeriodicRun.select().where(PeriodicRun.period_start == runs[0].period_start))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert runs[0].period_start.second == 0 and 0 <= (now - runs[0].period_start).total_seconds() < 120
    # The features' every-minute jobs were due in the same minute: each ran once, and the copy the other
    # scheduler enqueued was skipped.
    ran = {r.name: r.status for r in same_period}
    assert {"accounts.housekeeping", "audio.housekeeping"} <= set(ran), ran
    for name in ran:
        assert ran[name] == "ok" and skipped(name) == 1, (name, "\n".join(logs)[-3000:])
