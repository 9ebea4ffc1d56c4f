"""A real gunicorn on loopback running the embedded default (SQLite, no Redis) in a fresh data dir, for the tests
that only hold with several worker processes (rate limits counted per server, not per process)."""
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# The harness points these at the test run's services; the embedded server must not see them.
_SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "S3_ENDPOINT_URL", "SNS_ENDPOINT_URL", "SMS_BACKEND",
                      "RATELIMIT_ENABLED", "PENHAS_DATA_DIR")


def embedded_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _SERVICE_VARIABLES and not k.startswith("PENHAS_TEST")}
    env.update(PENHAS_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), LOG_LEVEL="INFO", **extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def embedded_server(data_dir: Path, *gunicorn_args: str, **extra_env):
    """Yield the base URL of ``gunicorn <gunicorn_args> penhas_api:create_app()``; its stderr goes to
    ``data_dir/server.log``."""
    env = embedded_env(data_dir, **extra_env)
    subprocess.run([sys.executable, "-m", "penhas_cli.main", "db", "migrate"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    log = open(data_dir / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *gunicorn_args,
                             "penhas_api:create_app()"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/health", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((data_dir / "server.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
