"""Enumerated settings are validated strictly: an unknown value is a start-up error naming the variable and the
allowed values (CLI, `penhas health`, the Procfile's web process); surrounding whitespace is all that is forgiven."""
import json
import os
import subprocess

import pytest

from tests.commands import ROOT, penhas
from tests.servers import free_port, procfile_web


@pytest.mark.parametrize("name,value,allowed", [
    ("SMS_BACKEND", "aws-sns", "log, sns"),
    ("SMS_BACKEND", "sns log", "log, sns"),
    ("GEOCODER", "gogle", "none, here, google"),
    ("CPF_VERIFIER", "serpro", "checksum, http"),
    ("LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
])
def test_unknown_value_is_a_start_up_error(name, value, allowed):
    r = penhas("db", "status", **{name: value})
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"configuration error: {name}={value!r} is not one of: {allowed}"]


def test_each_item_of_a_list_is_checked():
    r = penhas("db", "status", GEOCODER="here, gogle")
    assert r.returncode == 2 and "GEOCODER='gogle' is not one of: none, here, google" in r.stderr


def test_yes_no_settings_are_strict_too():
    r = penhas("db", "status", RATELIMIT_ENABLED="maybe")
    assert r.returncode == 2 and "RATELIMIT_ENABLED='maybe' is not a yes/no value" in r.stderr


def test_surrounding_whitespace_is_stripped():
    r = penhas("health", "--json", SMS_BACKEND="log ", LOG_LEVEL=" warning")
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert checks["settings"]["ok"] and checks["sms"]["detail"] == "log"


def test_health_reports_the_setting_down():
    r = penhas("health", "--json", SMS_BACKEND="sns ", GEOCODER="heer")
    assert r.returncode == 1
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert not checks["settings"]["ok"]
    assert checks["settings"]["detail"] == "GEOCODER='heer' is not one of: none, here, google"


def test_web_process_refuses_to_start():
    cmd = procfile_web(free_port())
    r = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), SMS_BACKEND="aws-sns"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "configuration error: SMS_BACKEND='aws-sns' is not one of: log, sns" in r.stderr
    assert "Traceback" not in r.stderr
