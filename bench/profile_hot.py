"""Profile of the hot calls in-process (cProfile over the Flask test client, the configured database).

Run after `bench/hot_path.py` has loaded its centers and user (same DATABASE_URL / PENHAS_DATA_DIR):

    DATABASE_URL=postgresql://postgres:postgres@127.0.0.1/penhas_bench python bench/profile_hot.py --requests 500

For each call it prints the unprofiled p50 and the top functions by cumulative time per request.
"""
import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--top", type=int, default=18)
    ap.add_argument("--only", default="", help="comma-separated call names (default: all)")
    args = ap.parse_args()

    import os

    os.environ.setdefault("RATELIMIT_ENABLED", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.centers_search import make_token
    from bench.hot_path import SEARCH_POINT, settled_token
    from penhas_api import create_app
    from penhas_api.core.db import database

    app = create_app()
    with database.connection_context():
        token = make_token()
        settled = settled_token()
    database.close()
    client = app.test_client()
    lat, lng = SEARCH_POINT
    calls = {
        "unread": "/me/unread-notif-count",
        "health": "/health",
        "me": "/me",
        "me_quiz": "/me",  # her onboarding quiz still waiting
        "search": f"/me/pontos-de-apoio?projeto=Penhas&latitude={lat}&longitude={lng}&max_distance=50",
        "full_list": f"/me/pontos-de-apoio?projeto=Penhas&full_list=1&latitude={lat}&longitude={lng}",
    }
    # full_list is left out by default: over the benchmark's 100 000 synthetic centers it is a 23 MiB answer.
    wanted = [c for c in args.only.split(",") if c] or [c for c in calls if c != "full_list"]
    for name in wanted:
        path = calls[name]
        headers = {"X-Api-Key": settled if name == "me" else token}
        for _ in range(20):
            assert client.get(path, headers=headers).status_code == 200
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            client.get(path, headers=headers)
            times.append((time.perf_counter() - t) * 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path, headers=headers)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(f"\n## {name} {path}\nunprofiled p50 {statistics.median(times):.3f} ms over {args.requests} requests; "
              f"profile below is for {args.requests} requests (divide by it for per-request figures)")
        print(out.getvalue().split("\n", 6)[-1] if "function calls" in out.getvalue() else out.getvalue())


if __name__ == "__main__":
    main()
