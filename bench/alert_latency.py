"""Benchmark: time from a panic-alert request to each SMS reaching SNS, with a real worker, Redis and moto.

Sets up a scratch data dir (SQLite unless DATABASE_URL names PostgreSQL), a Redis database (REDIS_URL, default
redis://127.0.0.1:6379/13, flushed first) and moto_server as SNS (started on a free port unless SNS_ENDPOINT_URL
is given); creates N users with 5 accepted guardians each; starts `penhas worker`; fires N alerts through the
app (one every --spacing seconds) and records when moto received each SMS (moto's /moto-api/data.json, polled
every 10 ms). Prints p50/p95/max per scenario:

  idle     the queue is empty when the alerts arrive;
  backlog  10 000 bulk tasks (priority 0) are queued first: alerts (priority 100) must jump ahead of them.

    REDIS_URL=redis://127.0.0.1:6379/13 python bench/alert_latency.py --alerts 40
"""
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import MotoWatcher, alert_parser, alert_run, make_women, start_moto  # noqa: E402


def fire_alerts(app, users, spacing: float) -> dict:
    """Returns phone number -> time the alert request for it started."""
    from penhas_api.core.models import Guardian
    from tests.factories import auth_headers

    client, started = app.test_client(), {}
    headers = [auth_headers(app, u) for u in users]
    phones = {u.id: [g.celular_e164 for g in Guardian.select().where(Guardian.cliente == u.id)] for u in users}
    for user, h in zip(users, headers):
        t0 = time.time()
        r = client.post("/me/guardioes/alert", query_string={"gps_lat": "-23.5505199", "gps_long": "-46.633308"},
                        headers=h)
        assert r.status_code == 200 and r.get_json()["title"] == "5 alertas enviados!", r.get_json()
        for phone in phones[user.id]:
            started[phone] = t0
        time.sleep(spacing)
    return started


def measure(watcher, started: dict, timeout: float = 60.0) -> list[float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = {phone: t for t, phone in watcher.seen.values() if phone in started}
        if len(got) == len(started):
            return sorted((got[p] - started[p]) * 1000 for p in started)
        time.sleep(0.05)
    raise SystemExit(f"only {len(got)} of {len(started)} SMS reached SNS in {timeout}s")


def report(name: str, latencies: list[float], extra: str = "") -> str:
    p = statistics.quantiles(latencies, n=100)
    line = (f"{name:8s} {len(latencies):4d} SMS  p50 {p[49]:7.1f} ms  p95 {p[94]:7.1f} ms  "
            f"max {max(latencies):7.1f} ms {extra}")
    print(line, flush=True)
    return line


def main():
    ap = alert_parser(__doc__, alerts=40, spacing=0.1, sms_each=5)
    ap.add_argument("--bulk", type=int, default=10_000, help="bulk tasks queued before the backlog scenario")
    ap.add_argument("--threads", type=int, default=4, help="worker threads")
    args, data_dir, settings = alert_run(ap, "penhas-bench-alerts-")
    moto = worker = watcher = None
    env = dict(os.environ, **settings, REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13")
    try:
        moto = start_moto(env)
        os.environ.update(env)

        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        from penhas_api import create_app
        from penhas_api.core.fixtures import load_fixtures
        from penhas_api.core.migrate import migrate
        from tasks import PRIORITY_BULK, huey
        from tasks.sms import send_sms

        migrate()
        load_fixtures()
        app = create_app()
        users = make_women(args.alerts * 2 + 1, 5)
        worker = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "worker", "--threads",
                                   str(args.threads), "--no-scheduler"], env=env, cwd=ROOT)
        watcher = MotoWatcher(env["SNS_ENDPOINT_URL"])
        watcher.start()
        # Warm-up alert: the worker's first task opens its database connection and builds the SNS client once.
        measure(watcher, fire_alerts(app, users[-1:], 0))
        time.sleep(2)  # workers back off to their idle polling interval

        lines = [report("idle", measure(watcher, fire_alerts(app, users[:args.alerts], args.spacing)))]

        # Bulk stand-ins: real send_sms tasks for log rows that do not exist (a database round trip each).
        start = time.time()
        pipe_tasks = [send_sms.s(-(i + 1), priority=PRIORITY_BULK) for i in range(args.bulk)]
        for task in pipe_tasks:
            huey.enqueue(task)
        queued = huey.pending_count()
        started = fire_alerts(app, users[args.alerts:2 * args.alerts], args.spacing)
        left = huey.pending_count()
        latencies = measure(watcher, started)
        lines.append(report("backlog", latencies, f"(bulk queued {queued} in {time.time() - start:.1f}s, "
                                                  f"still queued after the last alert: {left})"))
        print("\n".join(["", "summary:"] + lines))
    finally:
        if watcher:
            watcher.stop.set()
        if worker:
            worker.terminate()
            worker.wait(10)
        if moto:
            moto.terminate()
            moto.wait(10)
        try:
            import redis

            redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        except Exception:
            pass
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
