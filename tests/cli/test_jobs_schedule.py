import json

from typer.testing import CliRunner

from penhas_api.core.db import database
from penhas_api.core.models import AuditLog, PeriodicRun
from penhas_cli.main import app

runner = CliRunner()


def test_schedule_lists_periodic_jobs_with_next_runs(frozen_clock):
    result = runner.invoke(app, ["jobs", "schedule", "--json"])
    assert result.exit_code == 0, result.output
    jobs = {row["name"]: row for row in json.loads(result.output)}
    assert jobs["backup.nightly"]["next_run"] == "2026-11-24T03:30"
    assert jobs["backup.nightly"]["then"] == "2026-11-25T03:30"
    assert jobs["backup.nightly"]["last_status"] is None
    result = runner.invoke(app, ["jobs", "schedule"])
    assert result.exit_code == 0 and "backup.nightly" in result.output


def test_run_executes_a_job_now_and_records_it():
    result = runner.invoke(app, ["jobs", "run", "ops.trim_job_history"])
    assert result.exit_code == 0, result.output
    assert "ops.trim_job_history done" in result.output
    with database.connection_context():
        run = PeriodicRun.get()
        assert (run.name, run.source, run.status) == ("ops.trim_job_history", "manual", "ok")
        assert AuditLog.get().action == "jobs.run"
    listed = {r["name"]: r for r in json.loads(runner.invoke(app, ["jobs", "schedule", "--json"]).output)}
    assert listed["ops.trim_job_history"]["last_status"] == "ok"


def test_run_unknown_job_fails():
    result = runner.invoke(app, ["jobs", "run", "nope"])
    assert result.exit_code == 1 and "desconhecido" in result.output
