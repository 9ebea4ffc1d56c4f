import json
import os

from typer.testing import CliRunner

from penhas_api.core.settings import load_settings, reset_settings
from penhas_cli.main import app

runner = CliRunner()


def test_migrate_twice_is_a_no_op():
    r = runner.invoke(app, ["db", "migrate"])
    assert r.exit_code == 0 and "schema up to date" in r.output
    r = runner.invoke(app, ["db", "status"])
    assert r.exit_code == 0 and "0 pending" in r.output


def test_fixtures_load_is_idempotent():
    r = runner.invoke(app, ["fixtures", "load"])
    assert r.exit_code == 0, r.output


def test_health_json_ok():
    r = runner.invoke(app, ["health", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["ok"] is True
    assert {"database", "storage", "sms"} <= {c["name"] for c in data["checks"]}


def test_health_exits_non_zero_when_redis_is_down():
    reset_settings(load_settings(dict(os.environ, REDIS_URL="redis://127.0.0.1:1/0")))
    try:
        r = runner.invoke(app, ["health", "--json"])
    finally:
        reset_settings(None)
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert [c["name"] for c in data["checks"] if not c["ok"]] == ["redis"]


def test_help_lists_commands_and_no_secrets():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "db" in r.output and "health" in r.output
    assert os.environ["SECRET_KEY"] not in r.output


def test_health_flags_generated_secrets_outside_the_embedded_setup(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ENCRYPTION_KEY"}
    embedded = dict(env, DATABASE_URL=f"sqlite:///{tmp_path}/x.db", REDIS_URL="", S3_BUCKET="")
    production = dict(env, DATABASE_URL="postgresql://db.example/penhas")

    def secrets_check(environ):
        reset_settings(load_settings(environ))
        try:
            r = runner.invoke(app, ["health", "--json"])
        finally:
            reset_settings(None)
        return [c for c in json.loads(r.output)["checks"] if c["name"] == "secrets"][0]

    assert secrets_check(embedded)["ok"] is True
    check = secrets_check(production)
    assert check["ok"] is False and "ENCRYPTION_KEY" in check["detail"] and "HMAC_KEY" not in check["detail"]
