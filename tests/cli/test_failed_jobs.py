"""failed_jobs is for work an operator must act on: SMS first, filterable by task; a CEP lookup that keeps
failing is retried with backoff a bounded number of times and then dropped with one log line."""
import json
import logging

from typer.testing import CliRunner

from penhas_api.core.db import connection
from penhas_api.core.models import FailedJob
from penhas_api.core.queue import huey
from penhas_api.core.services import jobs
from penhas_cli.main import app
from tasks.accounts import cliente_update_cep
from tests.factories import make_user

runner = CliRunner()


def _failed(*args):
    r = runner.invoke(app, ["jobs", "failed", "--json", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_sms_first_and_by_task():
    with connection():
        ceps = [jobs.record_failure("cliente_update_cep", [i], "CepUnavailable") for i in range(3)]
        alert = jobs.record_failure("send_sms", [7], "ClientError", priority=100)
        newer_cep = jobs.record_failure("cliente_update_cep", [9], "CepUnavailable")
    rows = _failed()
    assert [r["id"] for r in rows] == [alert.id, newer_cep.id] + [c.id for c in reversed(ceps)]
    page = _failed("--limit", "2")
    assert [r["id"] for r in page] == [alert.id, newer_cep.id]
    assert [r["id"] for r in _failed("--limit", "2", "--before-id", str(page[-1]["id"]))] == [ceps[2].id, ceps[1].id]
    assert [r["id"] for r in _failed("--task", "send_sms")] == [alert.id]
    assert {r["name"] for r in _failed("--task", "cliente_update_cep")} == {"cliente_update_cep"}


def test_a_cep_lookup_that_keeps_failing_is_dropped_with_one_log_line(caplog):
    user = make_user(cep="01310100")
    task = cliente_update_cep.s(user.id)
    task.retries = 0  # its last attempt (ViaCEP is down in tests)
    with caplog.at_level(logging.WARNING, logger="penhas.tasks"):
        huey.enqueue(task)
    with connection():
        assert FailedJob.select().count() == 0
    lines = [r for r in caplog.records if getattr(r, "task", None) == "cliente_update_cep"]
    assert len(lines) == 1 and "dropped" in lines[0].getMessage() and lines[0].attempt == 5
