"""Fuzz the API from its own OpenAPI document: `python -m tests.fuzz [--seed N] [options] [-- schemathesis args]`.

Sets up a scratch embedded-default instance (SQLite, local disk, SMS to the log; ViaCEP and the Here geocoder are
the local fakes of tests/fakes) or, with --real-services, a scratch instance on the services the environment names
(a fresh `<db>_fuzz` PostgreSQL database, Redis database 15, the `<bucket>-fuzz` S3 bucket, SNS), creates a woman,
a second woman and a support center, starts `penhas serve` (gunicorn, rate limits off so the limits do not hide
the routes behind 429s) and runs schemathesis against GET /openapi.json with the woman's session
(tests/fuzz/hooks.py): examples, coverage, fuzzing and stateful phases (the document's links: sign-up → login,
guardian invite → edit → delete, audio upload → detail → download → delete, chat room → messages).

Checks: no 5xx, every status declared, content types and JSON bodies as declared, no answer slower than 2 s.
The run is seeded (default below, or PENHAS_FUZZ_SEED) and bounded (examples per operation, and a time budget),
so a failure is reproduced by running it again with the seed it printed; see docs/api.md.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEED = 20261201
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The embedded default: none of the real services, whatever the calling shell has set.
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "S3_ENDPOINT_URL", "SNS_ENDPOINT_URL", "SMTP_HOST",
                "GOOGLE_API_KEY", "CPF_VERIFIER", "CPF_VERIFIER_URL", "METRICS_TOKEN")
PASSWORD = "Fuzz#Senha2026"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("PENHAS_FUZZ_SEED") or DEFAULT_SEED))
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--max-time", type=int, default=180, help="time budget of the whole run, in seconds")
    parser.add_argument("--workers", default="2", help="concurrent schemathesis workers")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch data dir (database, server log) and the scratch PostgreSQL database")
    parser.add_argument("--real-services", action="store_true",
                        help="use DATABASE_URL (PostgreSQL), REDIS_URL, S3_BUCKET and SNS from the environment, "
                             "each on a scratch database, Redis db or bucket of its own")
    parser.add_argument("schemathesis_args", nargs=argparse.REMAINDER,
                        help="after --: passed to `st run`, e.g. -- --include-path /me/guardioes")
    return parser.parse_args()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scratch_services(env: dict) -> str:
    """Point ``env`` at scratch copies of the real services; the scratch database's name (dropped at the end)."""
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(env["DATABASE_URL"])
    if not parsed.scheme.startswith("postgres"):
        raise SystemExit("--real-services needs DATABASE_URL on PostgreSQL")
    name = f"{parsed.path.lstrip('/') or 'penhas'}_fuzz"
    _postgres(env["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    if env.get("REDIS_URL"):
        env["REDIS_URL"] = urlunparse(urlparse(env["REDIS_URL"])._replace(path="/15"))
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    if env.get("S3_BUCKET"):
        env["S3_BUCKET"] = f"{env['S3_BUCKET']}-fuzz"
    return name


def _postgres(url: str, *statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def _prepare(env: dict) -> dict:
    """Migrate, seed and create what the run reaches, in this process: the woman whose session it uses, another
    woman (profile, chat, blocks) and a support center. Their ids go to the hooks (tests/fuzz/hooks.py)."""
    os.environ.clear()
    os.environ.update(env)
    from penhas_api.core.db import init_db
    from penhas_api.core.fixtures import load_fixtures
    from penhas_api.core.migrate import migrate
    from penhas_api.core.settings import provision
    from tests.factories import make_user

    settings = provision()
    init_db()
    migrate()
    load_fixtures()
    if settings.s3_bucket:
        from penhas_api.core.adapters.storage import get_storage

        get_storage().ensure_bucket()
    from tests.center_factories import make_center

    her = make_user(password=PASSWORD, email="fuzz@example.com", apelido="Fuzz")
    other = make_user(apelido="Outra")
    return {"PENHAS_FUZZ_EMAIL": her.email, "PENHAS_FUZZ_PASSWORD": PASSWORD,
            "PENHAS_FUZZ_CLIENTE_ID": str(other.id), "PENHAS_FUZZ_CENTER_ID": str(make_center().id)}


def _wait_ready(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("penhas serve exited before answering")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("penhas serve did not answer /health within 60 s")


def main() -> int:
    from tests.fakes.geo import HereHandler, ViaCepHandler
    from tests.fakes.http import fake_server

    args = _args()
    data_dir = Path(tempfile.mkdtemp(prefix="penhas-fuzz-"))
    server_log = data_dir / "server.log"
    admin_url, scratch_db = os.environ.get("DATABASE_URL"), None
    with fake_server(ViaCepHandler) as viacep, fake_server(HereHandler) as here:
        env = dict(os.environ) if args.real_services else {
            k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
        if args.real_services:
            scratch_db = _scratch_services(env)
        env.update(PENHAS_DATA_DIR=str(data_dir / "var"), RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING",
                   VIACEP_URL=f"{viacep.url}/ws", GEOCODER="here", HERE_API_KEY=HereHandler.api_key,
                   HERE_GEOCODE_URL=f"{here.url}/v1/geocode", PYTHONPATH=str(ROOT))
        seeded = _prepare(env)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with open(server_log, "w") as log:
            server = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "serve", "--no-setup", "--no-worker",
                                       "--port", str(port), "--workers", "2"],
                                      cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(url, server)
            extra = [a for a in args.schemathesis_args if a != "--"]
            command = [sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json",
                       "--seed", str(args.seed), "--max-examples", str(args.max_examples),
                       "--max-time", str(args.max_time), "--workers", args.workers,
                       "--checks", CHECKS, "--max-response-time", "2", "--max-redirects", "0",
                       "--request-timeout", "10", "--report", "junit",
                       "--report-dir", str(data_dir / "report"), *extra]
            print(f"fuzz: seed {args.seed}, {args.max_examples} examples per operation, {args.max_time} s budget",
                  flush=True)
            st_env = dict(env, SCHEMATHESIS_HOOKS="tests.fuzz.hooks", PENHAS_FUZZ_URL=url, **seeded)
            # From the scratch dir: schemathesis keeps its replay cache (`st replay ID`) in the working directory.
            code = subprocess.run(command, cwd=data_dir, env=st_env).returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            if scratch_db and not args.keep:
                from penhas_api.core.db import database

                database.close()
                _postgres(admin_url, f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
    if code != 0:
        tail = server_log.read_text(errors="replace")[-6000:]
        again = " --real-services" if args.real_services else ""
        print(f"\nfuzz failed (seed {args.seed}); reproduce: python -m tests.fuzz --seed {args.seed}{again}\n"
              f"--- penhas serve log (last lines) ---\n{tail}", flush=True)
    if args.keep or code != 0:
        print(f"scratch data kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
