"""Benchmark (issue 17): penhas' most frequent calls next to a minimal Flask endpoint doing the same SQL.

Through real gunicorn servers (2 workers each, rate limits off, loopback only) it drives
`GET /me/unread-notif-count`, `GET /health`, the 50 km search `GET /me/pontos-de-apoio` and `GET /me`, each next to
`bench/hot_path_minimal.py` (Flask + psycopg2 or sqlite3: the same token check, the SQL penhas sent for the same
request, captured here in-process, and the same JSON, compared byte for byte before timing). Rounds are interleaved
(penhas, minimal, then minimal, penhas, ...), short and bounded in time; it prints req/s, p50, p99, the ratio and
the 1-minute load average before and after each block. `GET /me` has no minimal twin (its payload is penhas' own);
its p50 is the figure, for a woman past onboarding (the app's every start) and for one whose onboarding quiz is
still waiting (GET /me then renders it).

    DATABASE_URL=postgresql://postgres:postgres@127.0.0.1/penhas_bench python bench/hot_path.py --centers 100000
    PENHAS_DATA_DIR=/tmp/bench-hot python bench/hot_path.py --centers 100000
    (add --skip-load to reuse the centers of an earlier run)

penhas always runs on its own worker class (`penhas serve`: gunicorn's threaded worker, 8 threads, which the panic
alert's availability needs). `--twin-worker gthread` (the default) runs the minimal twin on the same worker class,
so the ratio measures penhas' Python alone; `--twin-worker sync` runs it on gunicorn's sync workers, as the issue's
first side-by-side did, so the ratio also carries the cost of the threaded worker.
"""
import argparse
import http.client
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.centers_search import load_centers, make_token  # noqa: E402
from bench.harness import free_port, loadavg, setup_db  # noqa: E402

SEARCH_POINT = (-23.5505, -46.6333)  # São Paulo: the dense city of the benchmark's synthetic centers


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            self.statements.append(record.msg)


def _roles(params, lat, lng, radius_m):
    from penhas_api.core.services.centers import bounding_box

    named = {"lat": lat, "lng": lng}
    named.update(zip(("lat_min", "lat_max", "lng_min", "lng_max"), bounding_box(lat, lng, radius_m)))
    roles = []
    for p in params:
        role = next((name for name, value in named.items() if isinstance(p, float) and p == value), None)
        roles.append(role)
    return roles


def build_plan(token: str, radius: int, path: Path) -> dict:
    """The SQL one in-process search sends, with each parameter's role, for the minimal app to replay."""
    from penhas_api import create_app
    from penhas_api.core import db
    from penhas_api.core.services import centers, session_lookup
    from penhas_api.core.settings import get_settings

    settings = get_settings()
    app = create_app()
    client = app.test_client()
    lat, lng = SEARCH_POINT
    capture = _Capture()
    peewee_log = logging.getLogger("peewee")
    old_level = peewee_log.level
    peewee_log.setLevel(logging.DEBUG)
    peewee_log.addHandler(capture)
    try:
        url = f"/me/pontos-de-apoio?projeto=Penhas&latitude={lat}&longitude={lng}&max_distance={radius}"
        client.get(url, headers={"X-Api-Key": token})  # warms the caches: the timed request sends what it sends
        capture.statements.clear()
        body = client.get(url, headers={"X-Api-Key": token}).get_json()
    finally:
        peewee_log.removeHandler(capture)
        peewee_log.setLevel(old_level)
    search_sql, near, coverage = [], None, None
    for sql, params in capture.statements:
        if ("clientes_active_sessions" in sql or "cliente_ponto_apoio_avaliacao" in sql or sql.startswith("UPDATE")
                or sql.startswith(("PREPARE penhas_", "EXECUTE penhas_"))):  # the session query, prepared
            continue  # the minimal app checks the token itself and sends the ratings query below
        params = list(params or ())
        if '"ponto_apoio_categoria"' in sql:
            continue  # the minimal app reads the categories once per process, as penhas caches them
        if 'FROM "ponto_apoio"' in sql:
            if near is None:
                near = len(search_sql)
            else:
                coverage = len(search_sql)
        search_sql.append([sql, params, _roles(params, lat, lng, centers.radius_m(radius))])
    postgres = settings.is_postgres
    plan = {
        "engine": "postgresql" if postgres else "sqlite",
        "libpq": db.libpq_params(settings.database_url) if postgres else None,
        "sqlite_path": None if postgres else db._parse(settings.database_url)[1]["database"],
        "secret": settings.secret_key,
        "auth_sql": session_lookup._query(postgres),
        "user_id_index": len(session_lookup._SESSION_FIELDS),
        "search_sql": search_sql, "near_index": near, "coverage_index": coverage,
        "cats_sql": "SELECT id, label, color FROM ponto_apoio_categoria",
        "ratings_sql": centers.RATINGS_SQL_POSTGRES if postgres else centers.RATINGS_SQL_SQLITE,
        "rows": centers.DEFAULT_ROWS, "limit_km": centers.radius_m(radius) / 1000.0,
        "earth_radius_m": centers.EARTH_RADIUS_M, "point": [lat, lng], "next_page": body.get("next_page"),
    }
    path.write_text(json.dumps(plan))
    return plan


def settled_token() -> str:
    """A token of a woman past onboarding, as most who open the app are: every questionnaire finished."""
    from penhas_api.core import clock
    from penhas_api.core.models import ClienteSession, Questionnaire, QuizSession

    token = make_token()
    cliente_id = ClienteSession.select().order_by(ClienteSession.id.desc()).first().cliente_id
    now = clock.now()
    for questionnaire in Questionnaire.select():
        QuizSession.create(cliente=cliente_id, questionnaire=questionnaire, created_at=now, finished_at=now)
    return token


def get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def drive(port: int, paths: list[str], headers: dict, clients: int, seconds: float, max_requests: int) -> dict:
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds
    sent = [0]

    def worker(offset):
        i = offset
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            t = time.perf_counter()
            status, _ = get(port, paths[i % len(paths)], headers)
            elapsed = (time.perf_counter() - t) * 1000
            i += clients
            with lock:
                latencies.append(elapsed)
                errors[0] += status != 200

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    return {"n": len(latencies), "rps": len(latencies) / wall, "lat": latencies, "errors": errors[0]}


def wait_ready(port: int, proc) -> None:
    for _ in range(150):
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited ({proc.returncode})")
        try:
            if get(port, "/health", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} not ready")


def compare(ours: int, minimal: int, headers: dict, paths: dict) -> list[str]:
    lines = ["| check | status | bytes | identical bytes (next_page masked) |", "|---|---|---|---|"]
    for name, path in paths.items():
        a, b = get(ours, path, headers), get(minimal, path, headers)
        ja, jb = json.loads(a[1]), json.loads(b[1])
        for j in (ja, jb):
            if isinstance(j, dict) and j.get("next_page"):
                j["next_page"] = "masked"
        same = json.dumps(ja, ensure_ascii=False) == json.dumps(jb, ensure_ascii=False)
        identical = same and (a[1] == b[1] or "next_page" in ja)
        lines.append(f"| {name} | {a[0]}/{b[0]} | {len(a[1])}/{len(b[1])} | {identical} |")
    return lines


def pct(values, q):
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--centers", type=int, default=100_000)
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--clients", default="2,8", help="comma-separated client counts")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0, help="per arm and round")
    ap.add_argument("--max-requests", type=int, default=6000, help="per arm and round")
    ap.add_argument("--radius", type=int, default=50)
    ap.add_argument("--twin-worker", choices=("gthread", "sync"), default="gthread",
                    help="the minimal twin's gunicorn worker class (penhas: gthread, 8 threads)")
    args = ap.parse_args()

    from penhas_api.core.db import database
    from penhas_api.core.services.notifications import notify_users
    from penhas_api.core.settings import provision

    provision()
    engine = setup_db()
    with database.connection_context():
        if not args.skip_load:
            print(f"loaded {args.centers} centers into {engine} in {load_centers(args.centers):.1f}s", flush=True)
        token = make_token()
        from penhas_api.core.models import ClienteSession

        user_id = ClienteSession.select().order_by(ClienteSession.id.desc()).first().cliente_id
        for i in range(3):
            notify_users([user_id], f"bench {i}", "bench")
        settled = {"X-Api-Key": settled_token()}
    plan_file = Path(tempfile.mkstemp(prefix="hot-path-plan-", suffix=".json")[1])
    build_plan(token, args.radius, plan_file)
    database.close()

    rng = random.Random(5)
    lat0, lng0 = SEARCH_POINT
    near_sp = [(lat0 + rng.gauss(0, 0.05), lng0 + rng.gauss(0, 0.05)) for _ in range(50)]
    search_paths = [f"/me/pontos-de-apoio?projeto=Penhas&latitude={a:.5f}&longitude={b:.5f}&max_distance={args.radius}"
                    for a, b in near_sp]
    ours_port, minimal_port = free_port(), free_port()
    env = dict(os.environ, RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("METRICS_TOKEN", None)
    ours = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "serve", "--no-setup", "--no-worker",
                             "--port", str(ours_port), "--workers", "2"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    twin_worker = ["--worker-class", "gthread", "--threads", "8"] if args.twin_worker == "gthread" else []
    minimal = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", *twin_worker, "--bind",
                                f"127.0.0.1:{minimal_port}", "--log-level", "warning", "bench.hot_path_minimal:app"],
                               env=dict(env, HOT_PATH_PLAN=str(plan_file)), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    headers = {"X-Api-Key": token}
    out = []
    try:
        wait_ready(ours_port, ours)
        wait_ready(minimal_port, minimal)
        out += compare(ours_port, minimal_port, headers, {
            "unread-notif-count": "/me/unread-notif-count", "health": "/health", "search dense": search_paths[0]})
        calls = [("unread", ["/me/unread-notif-count"], True, headers), ("health", ["/health"], True, headers),
                 ("search 50 km", search_paths, True, headers), ("/me", ["/me"], False, settled),
                 ("/me, onboarding quiz pending", ["/me"], False, headers)]
        for _ in range(2):  # warm both servers' workers and caches
            for _, paths, _twin, call_headers in calls:
                drive(ours_port, paths, call_headers, 2, 0.5, 200)
                drive(minimal_port, paths, call_headers, 2, 0.5, 200)
        out += ["", f"engine={engine} rounds={args.rounds} x {args.seconds}s per arm, interleaved, "
                    f"twin on {args.twin_worker} workers",
                "", "| c | call | penhas req/s | minimal req/s | ratio | penhas p50 / p99 ms | minimal p50 / p99 ms "
                "| non-200 | load 1-min start→end |", "|---|---|---|---|---|---|---|---|---|"]
        for clients in [int(c) for c in args.clients.split(",")]:
            load_start = loadavg()
            res = {(name, arm): {"rps": [], "lat": [], "errors": 0} for name, *_ in calls for arm in ("o", "m")}
            for r in range(args.rounds):
                for name, paths, twin, call_headers in calls:
                    arms = [("o", ours_port), ("m", minimal_port)] if twin else [("o", ours_port)]
                    for arm, port in (arms if r % 2 == 0 else arms[::-1]):
                        got = drive(port, paths, call_headers, clients, args.seconds, args.max_requests)
                        res[(name, arm)]["rps"].append(got["rps"])
                        res[(name, arm)]["lat"] += got["lat"]
                        res[(name, arm)]["errors"] += got["errors"]
            load_end = loadavg()
            for name, _, twin, _ in calls:
                o, m = res[(name, "o")], res[(name, "m")]
                o_rps = statistics.median(o["rps"])
                if twin:
                    m_rps = statistics.median(m["rps"])
                    cells = (f"{m_rps:.0f}", f"**{o_rps / m_rps:.2f}×**",
                             f"{pct(m['lat'], 50):.2f} / {pct(m['lat'], 99):.2f}")
                else:
                    cells = ("—", "—", "—")
                out.append(f"| {clients} | {name} | {o_rps:.0f} | {cells[0]} | {cells[1]} | "
                           f"{pct(o['lat'], 50):.2f} / {pct(o['lat'], 99):.2f} | {cells[2]} | "
                           f"{o['errors']}/{m['errors']} | {load_start:.2f}→{load_end:.2f} |")
            print("\n".join(out[-len(calls):]), flush=True)
    finally:
        for proc in (ours, minimal):
            proc.terminate()
            proc.wait(15)
        plan_file.unlink(missing_ok=True)
    print("\n".join(out))


if __name__ == "__main__":
    main()
