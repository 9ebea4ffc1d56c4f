"""What the benchmark scripts share: a free loopback port, the database set-up, a real `penhas serve` on it,
moto_server as SNS, N-client request loops with their percentiles, the result table and the machine load."""
import argparse
import collections
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
TABLE_HEADER = f"{'endpoint':40} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>6}"


def parser(doc: str) -> argparse.ArgumentParser:
    """The scripts' argument parser: the module docstring as its description, kept as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def add_client_args(ap, requests: int, concurrency: int, requests_help: str = "requests per endpoint",
                    concurrency_help: str | None = "concurrent clients") -> None:
    """--requests, --concurrency (clients) and --workers (gunicorn workers, default 2)."""
    ap.add_argument("--requests", type=int, default=requests, help=requests_help)
    ap.add_argument("--concurrency", type=int, default=concurrency, help=concurrency_help)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")


def alert_parser(doc: str, alerts: int, spacing: float, sms_each: int) -> argparse.ArgumentParser:
    """parser(doc) with --alerts (per scenario) and --spacing (seconds between alerts)."""
    ap = parser(doc)
    ap.add_argument("--alerts", type=int, default=alerts, help=f"alerts per scenario ({sms_each} SMS each)")
    ap.add_argument("--spacing", type=float, default=spacing, help="seconds between alerts")
    return ap


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> float:
    """The machine's 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def wait_http(url: str, timeout: float = 20.0) -> None:
    """Until anything answers at url (any status); SystemExit after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


class MotoWatcher(threading.Thread):
    """Polls moto for published SMS and stamps the first time each message id is seen."""

    def __init__(self, endpoint: str):
        super().__init__(daemon=True)
        self.endpoint, self.seen, self.stop = endpoint, {}, threading.Event()

    def fetch(self, session) -> list:
        return session.get(f"{self.endpoint}/moto-api/data.json", timeout=5).json().get("sns", {}).get("SMS", [])

    def run(self):
        session = requests.Session()
        while not self.stop.is_set():
            now = time.time()
            try:
                published = self.fetch(session)
            except requests.RequestException:  # moto going away at the end of the run
                return
            for sms in published:
                self.seen.setdefault(sms["message_id"], (now, sms["phone_number"]))
            time.sleep(0.01)


def alert_run(ap: argparse.ArgumentParser, prefix: str) -> tuple[argparse.Namespace, Path, dict]:
    """The parsed options, a scratch data dir and the settings of an alert run in it: SMS through SNS
    (credentials "bench" unless set), rate limits and the guardian-alert limits out of the way."""
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    settings = dict(PENHAS_DATA_DIR=str(data_dir), SMS_BACKEND="sns", RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING",
                    AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID", "bench"),
                    AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY", "bench"),
                    MAX_GUARD_ALERT_PER_MINUTE="1000", MAX_GUARD_ALERT_PER_24H="1000")
    return args, data_dir, settings


def make_women(n: int, guardians_each: int, **fields) -> list:
    """n women ("Usuaria Bench i", extra model fields as given), each with guardians_each accepted guardians."""
    from penhas_api.core import clock
    from penhas_api.core.models import Guardian
    from penhas_api.core.services.guardians import new_token
    from tests.factories import make_user

    women, now = [], clock.now()
    for i in range(n):
        user = make_user(nome_completo=f"Usuaria Bench {i}", apelido=f"bench{i}", **fields)
        for _ in range(guardians_each):
            number = f"+55119{random.randint(10000000, 99999999)}"
            Guardian.create(cliente=user, status="accepted", celular_e164=number, nome="G", token=new_token(),
                            created_at=now, accepted_at=now, celular_formatted_as_national=number,
                            expires_at=now, accepted_meta={})
        women.append(user)
    return women


def start_moto(env: dict):
    """moto_server as SNS on a free port unless env names SNS_ENDPOINT_URL (then None); waits until it answers."""
    moto = None
    if not env.get("SNS_ENDPOINT_URL"):
        port = free_port()
        moto = subprocess.Popen(["moto_server", "-p", str(port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        env["SNS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    try:
        wait_http(env["SNS_ENDPOINT_URL"] + "/moto-api/data.json")
    except BaseException:
        stop(moto, 10)
        raise
    return moto


def stop(proc, timeout: float) -> None:
    if proc:
        proc.terminate()
        proc.wait(timeout)


def setup_db() -> str:
    """Connects, migrates and seeds the configured database; its engine name. On a fresh machine the embedded
    setup's secrets are generated first (as `penhas db migrate` does), so the served app finds them."""
    from penhas_api.core.db import init_db
    from penhas_api.core.fixtures import load_fixtures
    from penhas_api.core.migrate import migrate
    from penhas_api.core.settings import get_settings, provision

    provision()
    init_db()
    migrate()
    load_fixtures()
    return "postgresql" if get_settings().is_postgres else "sqlite"


@contextmanager
def serve(workers: int, stop_timeout: float = 15, **env_extra):
    """`penhas serve` (gunicorn, no setup, no worker, rate limits off) on a free loopback port: yields its base
    URL once /health answers 200 (or after about 20 s of trying), and stops the server on the way out."""
    port = free_port()
    env = dict(os.environ, RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING", **env_extra)
    server = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "serve", "--no-setup", "--no-worker",
                               "--port", str(port), "--workers", str(workers)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(stop_timeout)


def drive(request, total: int, concurrency: int) -> dict:
    """Sends request(session, i) for i in range(total) from `concurrency` threads (one requests.Session each):
    p50/p95/p99 latency in ms, requests/s, the non-200 count and, in "why", those responses by status and text."""
    latencies, errors, lock = [], collections.Counter(), threading.Lock()
    counter = iter(range(total))

    def worker():
        session = requests.Session()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = time.perf_counter()
            r = request(session, i)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed * 1000)
                if r.status_code != 200:
                    errors[f"{r.status_code} {r.text[:80]}"] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49], "p95": q[94], "p99": q[98], "rps": total / wall, "errors": sum(errors.values()),
            "n": total, "why": dict(errors)}


def print_table(results: dict, why: bool = False) -> None:
    """One line per endpoint: p50/p95/p99 ms, req/s, errors (and, with why, the failed responses under it)."""
    print(TABLE_HEADER)
    for name, r in results.items():
        print(f"{name:40} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['rps']:8.1f} {r['errors']:6d}")
        if why:
            for reason, count in r["why"].items():
                print(f"    {count} × {reason}")
