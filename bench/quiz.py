"""Benchmark: one answer round trip of the Manual de Fuga (POST /me/quiz, real content, mid-questionnaire) next to
bare GET /health, through a real server.

Migrates and seeds the database named by DATABASE_URL (SQLite in PENHAS_DATA_DIR otherwise), creates a woman,
starts her manual and answers the first block through the service, so her session waits at block 13's first
question (B1_P1). It clones that session --requests times, starts `penhas serve` (gunicorn) on a free port and
answers each clone once (`B1_P1=N`: validation, side effects, re-render of the next batch, one session write),
with --concurrency clients. Compiled questionnaires are cached per process, so after the first request per
worker no request recompiles. Prints p50/p95/p99 latency and requests/s for both endpoints.

    DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:5432/penhas_bench python bench/quiz.py --concurrency 2
    PENHAS_DATA_DIR=/tmp/bench-sqlite python bench/quiz.py --concurrency 2
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import add_client_args, drive, parser, serve, setup_db  # noqa: E402


def prepare(n: int) -> tuple[str, list[int], str]:
    """Her token, n session ids all waiting at B1_P1, and that question's ref."""
    import secrets
    from datetime import date

    from penhas_api import create_app
    from penhas_api.auth import open_session
    from penhas_api.core import clock
    from penhas_api.core.db import database
    from penhas_api.core.models import Cliente, QuizSession
    from penhas_api.core.services import escape_manual
    from penhas_api.core.services.quiz_engine import Engine

    user = Cliente.create(status="active", created_on=clock.now(), cpf_hash=secrets.token_hex(32), cpf_prefix="0000",
                          dt_nasc=date(1990, 1, 1), email=f"bench-{secrets.token_hex(4)}@example.com", cep="01001000",
                          genero="Feminino", nome_completo="Bench User", apelido="bench", senha_hash="unusable",
                          salt_key="x")
    first = escape_manual.start(user)["quiz_session"]
    session = QuizSession.get_by_id(first["session_id"])
    choice = next(m for m in first["current_msgs"] if m["type"] == "onlychoice")
    qs = Engine(session, user).answer({choice["ref"]: "0"})
    ref = next(m["ref"] for m in qs["current_msgs"] if m["type"] != "displaytext")
    session = QuizSession.get_by_id(session.id)
    rows = [{"cliente": user.id, "questionnaire": session.questionnaire_id, "created_at": clock.now(),
             "stash": session.stash, "responses": session.responses} for _ in range(n)]
    with database.atomic():
        for i in range(0, n, 200):
            QuizSession.insert_many(rows[i:i + 200]).execute()
    ids = [s.id for s in QuizSession.select(QuizSession.id).where(QuizSession.cliente == user.id,
                                                                   QuizSession.id != session.id)]
    with create_app().app_context():
        token = open_session(user)[1]
    return token, ids, ref


def main():
    ap = parser(__doc__)
    add_client_args(ap, requests=1000, concurrency=2, requests_help="answers (and /health calls) to send")
    args = ap.parse_args()

    from penhas_api.core.db import database

    engine = setup_db()
    with database.connection_context():
        token, ids, ref = prepare(args.requests + 20)
    headers = {"X-Api-Key": token}
    with serve(args.workers, stop_timeout=10) as base:
        import requests

        # Warm-up: every gunicorn worker compiles and caches the questionnaires it meets.
        for i in ids[-20:]:
            requests.post(f"{base}/me/quiz", params={"session_id": i, ref: "N"}, headers=headers, timeout=30)
        health = drive(lambda http, i: http.get(f"{base}/health", timeout=30), args.requests, args.concurrency)
        answer = drive(lambda http, i: http.post(f"{base}/me/quiz", params={"session_id": ids[i], ref: "N"},
                                                 headers=headers, timeout=30), args.requests, args.concurrency)
    print("| database | clients | endpoint | p50 | p95 | p99 | req/s | errors |\n|---|---|---|---|---|---|---|---|")
    for name, r in (("`GET /health`", health), ("`POST /me/quiz` answer", answer)):
        print(f"| {engine} | {args.concurrency} | {name} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['p99']:.1f} ms "
              f"| {r['rps']:.0f} | {r['errors']} |")

if __name__ == "__main__":
    main()
