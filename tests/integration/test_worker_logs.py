"""A real `penhas worker` whose CEP lookups fail (ViaCEP down): every stderr line is JSON, the failure is one line
(task, id, attempt, error class), and neither the traceback nor her CEP reaches the log — at DEBUG only file:line
frames are added."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from penhas_api.core.queue import huey
from tests.factories import make_user
from tests.sms_helpers import closed_port_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_failing_task_is_one_json_line_without_personal_data(level):
    from tasks.accounts import cliente_update_cep

    user = make_user(cep="04571010")
    huey.immediate = False
    huey.flush()
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL=level, VIACEP_URL=closed_port_url() + "/ws")
    proc = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "worker", "--no-scheduler", "--threads", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        cliente_update_cep(user.id)
        # The first attempt failed when its retry is in the schedule.
        assert _wait_for(lambda: huey.scheduled_count() == 1), "the lookup never failed"
    finally:
        proc.send_signal(signal.SIGINT)
        err = proc.communicate(timeout=30)[1]
        huey.flush()
        huey.immediate = True
    lines = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    failures = [line for line in lines if line.get("error")]
    assert len(failures) == 1, err
    failure = failures[0]
    assert (failure["task"], failure["attempt"], failure["error"]) == ("cliente_update_cep", 1, "CepUnavailable")
    assert failure["task_id"]
    assert "Traceback" not in err and "04571" not in err and "4571010" not in err
    assert ("trace" in failure) == (level == "DEBUG")
