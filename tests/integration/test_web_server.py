"""The real gunicorn, started as the Procfile's `web:` line and as `penhas serve`: every request line the app can
send is accepted, and what gunicorn refuses itself is answered with the contract's JSON, never an HTML page."""
import json
import socket
from urllib.parse import quote

import pytest
import requests

from tests.factories import auth_headers, make_user
from tests.servers import start_web, stop


@pytest.fixture(params=["procfile", "serve"])
def server(request):
    proc, port = start_web(request.param)
    yield port
    log = stop(proc)
    for line in log.splitlines():
        assert line.startswith("{"), f"not a JSON log line: {line}"


def _raw(port: int, data: bytes) -> tuple[int, dict, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body.decode()


def _assert_json_error(status, headers, body, want_status, error):
    assert status == want_status, body
    assert headers["Content-Type"].startswith("application/json") and "<html" not in body
    assert json.loads(body)["error"] == error


@pytest.mark.slow
def test_every_request_line_the_app_sends_is_accepted_and_refusals_are_json(server, app):
    user = make_user()
    headers = auth_headers(app, user)
    minibio = "😀" * 2200  # rules §2.3: up to 2 200 characters; 4-byte characters encode to 26 KB
    url = f"http://127.0.0.1:{server}/me?minibio={quote(minibio)}&apelido={quote('á' * 40)}"
    assert len(url) > 26_000
    r = requests.put(url, headers=headers, timeout=15)
    assert r.status_code == 200, r.text[:500]
    assert r.json()["user_profile"]["minibio"] == minibio

    too_long = b"GET /health?x=" + b"a" * (70 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    _assert_json_error(*_raw(server, too_long), 414, "request_line_too_long")
    _assert_json_error(*_raw(server, b"NOT A REQUEST LINE\r\n\r\n"), 400, "bad_request")
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    _assert_json_error(*_raw(server, b"GET /health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n"), 431,
                       "request_headers_too_large")
    big = b"X-Big: " + b"v" * (20 * 1024) + b"\r\n"
    _assert_json_error(*_raw(server, b"GET /health HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n"), 431,
                       "request_headers_too_large")


@pytest.mark.slow
def test_a_worker_timeout_is_answered_with_json():
    proc, port = start_web("procfile", GUNICORN_CMD_ARGS="--timeout 2")
    try:
        # A client that sends half its body: the worker waits on it until gunicorn's timeout aborts the request.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 100\r\n\r\nemail=a")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 503"), head
        assert json.loads(body) == {"error": "service_unavailable",
                                    "message": "O servidor demorou demais para responder. Tente novamente em instantes."}
    finally:
        log = stop(proc)
    assert all(line.startswith("{") for line in log.splitlines()), log[-2000:]
