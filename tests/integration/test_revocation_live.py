"""Revocation is immediate on a real multi-worker server (issue 17): no worker keeps a session another process ended.

`penhas serve` (gunicorn, 2 sync workers) runs on this test's database; sessions are ended through the API
(logout, deletion, password change) and from this process the way the operator's CLI does (ban, lock,
`penhas users sessions revoke`); every request after that, whichever worker answers it, is refused.
"""
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from penhas_api.core.db import database
from penhas_cli.main import app as cli
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user

ROOT = Path(__file__).resolve().parents[2]
TRIES = 8  # requests per check: with 2 workers, both answer some of them


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, headers: dict, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        data = urlencode(body) if body else None
        hdrs = dict(headers, **({"Content-Type": "application/x-www-form-urlencoded"} if data else {}))
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING")
    proc = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "serve", "--no-setup", "--no-worker",
                             "--port", str(port), "--workers", "2"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if _request(port, "GET", "/health", {}) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("penhas serve did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(15)


def _statuses(port: int, headers: dict) -> set[int]:
    return {_request(port, "GET", "/me/unread-notif-count", headers) for _ in range(TRIES)}


def _operator(*args) -> None:
    result = CliRunner().invoke(cli, ["users", *map(str, args)], env={"PENHAS_OPERATOR": "ana.ops"})
    assert result.exit_code == 0, result.output
    database.close()


@pytest.mark.parametrize("how", ["logout", "delete", "password", "ban", "lock", "sessions revoke"])
def test_a_revoked_session_is_refused_by_every_worker_at_once(server, app, how):
    user = make_user()
    headers = auth_headers(app, user)
    database.close()
    assert _statuses(server, headers) == {200}  # both workers have served (and would have cached) her session
    if how == "logout":
        assert _request(server, "POST", "/logout", headers) == 200
    elif how == "delete":
        assert _request(server, "DELETE", "/me", headers,
                        {"senha_atual": DEFAULT_PASSWORD, "app_version": "Android 14/Pixel/3.7.4"}) == 200
    elif how == "password":
        other_headers = auth_headers(app, user)
        database.close()
        assert _request(server, "PUT", "/me", other_headers,
                        {"senha_atual": DEFAULT_PASSWORD, "senha": "Trocada#2025x"}) == 200
    else:
        _operator(*how.split(), user.id)
    refused = _statuses(server, headers)
    assert 200 not in refused and refused <= {403, 404}, refused
