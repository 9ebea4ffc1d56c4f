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


def test_schedule_lists_every_periodic_task_of_every_feature(frozen_clock):
    from penhas_api.core.queue import huey

    rows = json.loads(runner.invoke(app, ["jobs", "schedule", "--json"]).output)
    listed = {row["name"] for row in rows}
    # Whatever the consumer's scheduler would enqueue is listed (a job registered around periodic_job would not be).
    assert listed == {task.__name__ for task in huey._registry._periodic_tasks}
    assert {"accounts.housekeeping", "audio.housekeeping", "audio.orphans_check", "sms.requeue_stale",
            "guardians.expire_invites", "backup.nightly", "ops.trim_job_history", "geo.trim_cache"} <= listed
    for row in rows:
        assert row["next_run"] and row["then"] > row["next_run"] > "2026-11-23T12:00", row
        assert row["description"] and not row["description"].endswith(","), row
    every15 = next(r for r in rows if r["name"] == "guardians.expire_invites")
    assert (every15["next_run"], every15["then"]) == ("2026-11-23T12:15", "2026-11-23T12:30")


def test_the_invite_expiry_job_expires_overdue_invites_of_every_account(frozen_clock):
    from datetime import timedelta

    from penhas_api.core.models import Guardian
    from penhas_api.core.services.guardians import new_token
    from tests.factories import make_user

    now = frozen_clock.now
    with database.connection_context():
        invites = (("pending", now - timedelta(minutes=1)), ("pending", now + timedelta(days=1)),
                   ("accepted", now - timedelta(days=1)))
        for n, (status, expires) in enumerate(invites):
            Guardian.create(cliente=make_user(), celular_e164=f"+55119123412{n:02d}", nome="G", token=new_token(),
                            created_at=now - timedelta(days=30), celular_formatted_as_national="(11) 91234-1234",
                            expires_at=expires, status=status)
    result = runner.invoke(app, ["jobs", "run", "guardians.expire_invites"])
    assert result.exit_code == 0 and "'expired': 1" in result.output, result.output
    with database.connection_context():
        assert sorted(g.status for g in Guardian.select()) == ["accepted", "expired_for_not_use", "pending"]
