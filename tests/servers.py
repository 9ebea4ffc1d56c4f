"""Start the real web server (the Procfile's `web:` line or `penhas serve`) in a subprocess for a test."""
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(port: int) -> list[str]:
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith("web:"))
    line = line.split(":", 1)[1].replace("${WEB_CONCURRENCY:-4}", "1").replace("${PORT:-8000}", str(port))
    return [sys.executable, "-m", *shlex.split(line)]


def start_web(how: str = "procfile", **env) -> tuple[subprocess.Popen, int]:
    """The server answering on 127.0.0.1:<port> once /health answers (any status)."""
    port = free_port()
    cmd = (procfile_web(port) if how == "procfile" else
           [sys.executable, "-m", "penhas_cli.main", "serve", "--port", str(port), "--workers", "1", "--no-worker",
            "--no-setup"])
    proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL="INFO", **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
            return proc, port
        except (requests.ConnectionError, requests.Timeout):
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    pytest.fail("the web server did not start: " + proc.communicate()[1][-3000:])


def stop(proc: subprocess.Popen) -> str:
    """Stop the server; its stderr."""
    proc.terminate()
    try:
        return proc.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[1]
