"""Keys have one format (32 random bytes, hex or base64): anything else stops the service naming the variable,
`penhas health` reports it as down, and `penhas secrets generate` prints a fresh well-formed set."""
import base64
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from penhas_api import create_app
from penhas_api.core.settings import (ConfigError, SECRET_FILES, key_errors, key_format_error, load_settings,
                                      reset_settings)
from penhas_cli.main import app
from tests.helpers import key_for

runner = CliRunner()
KEYS = list(SECRET_FILES)


@pytest.fixture
def environment(monkeypatch):
    """Run commands on a changed environment, read afresh as a new process would."""
    def configure(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        reset_settings(None)

    yield configure
    monkeypatch.undo()
    reset_settings(None)


def test_generate_prints_a_fresh_well_formed_set_without_any_configuration(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    env["PENHAS_DATA_DIR"] = str(tmp_path / "fresh")  # no key anywhere: the command must not need one
    runs = [subprocess.run([sys.executable, "-m", "penhas_cli.main", "secrets", "generate", *flag], env=env,
                           capture_output=True, text=True, timeout=60) for flag in ([], ["--env"])]
    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.stderr
    shell, env_file = (dict(line.split("=", 1) for line in run.stdout.splitlines()) for run in runs)
    assert list(shell) == [f"export {name}" for name in KEYS] and list(env_file) == KEYS
    values = list(shell.values()) + list(env_file.values())
    assert len(set(values)) == 8 and all(key_format_error("X", v) is None for v in values)
    assert not (tmp_path / "fresh").exists()


@pytest.mark.parametrize("value", ["short", "x" * 64, "0" * 64, "ab" * 32, key_for("k")[:-1],
                                   key_for("k") + " ", "correct horse battery staple, a long passphrase!!"])
def test_malformed_keys_are_refused(value):
    assert key_format_error("ENCRYPTION_KEY", value).startswith("ENCRYPTION_KEY ")


def test_hex_and_base64_keys_are_accepted():
    raw = bytes.fromhex(key_for("k"))
    for value in (raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        assert key_format_error("BACKUP_KEY", value) is None, value


def test_a_command_refuses_to_start_on_a_malformed_key_naming_it_not_its_value(environment):
    environment(ENCRYPTION_KEY="short-key")
    for command in (["users", "find", "maria"], ["db", "status"]):
        result = runner.invoke(app, command, terminal_width=200)
        assert result.exit_code == 2, result.output
        assert "configuration error" in result.output and "ENCRYPTION_KEY must be 32 random bytes" in result.output
        assert "short-key" not in result.output


def test_one_value_for_two_keys_is_refused(environment):
    environment(HMAC_KEY=os.environ["SECRET_KEY"])
    result = runner.invoke(app, ["users", "find", "maria"], terminal_width=200)
    assert result.exit_code == 2 and "HMAC_KEY holds the same value as SECRET_KEY" in result.output


def test_health_reports_a_malformed_key_as_down(environment):
    environment(BACKUP_KEY="b" * 64)
    result = runner.invoke(app, ["health", "--json"])
    assert result.exit_code == 1
    check = next(c for c in json.loads(result.output)["checks"] if c["name"] == "secrets")
    assert check["ok"] is False and "BACKUP_KEY is a repeating pattern" in check["detail"]


def test_the_app_refuses_malformed_keys(tmp_path):
    settings = load_settings({"PENHAS_DATA_DIR": str(tmp_path), "SECRET_KEY": "s" * 10, "ENCRYPTION_KEY": key_for("e"),
                              "HMAC_KEY": key_for("h"), "BACKUP_KEY": key_for("b")})
    assert key_errors(settings) == [key_format_error("SECRET_KEY", "s" * 10)]
    with pytest.raises(ConfigError, match="SECRET_KEY must be"):
        create_app(settings)


def test_generated_embedded_keys_have_the_format(tmp_path):
    result = runner.invoke(app, ["secrets", "generate", "--help"])
    assert "--env" in result.output
    from penhas_api.core.settings import ensure_secrets

    settings = ensure_secrets(load_settings({"PENHAS_DATA_DIR": str(tmp_path)}))
    assert key_errors(settings) == []
