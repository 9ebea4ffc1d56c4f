"""Benchmark: the app's chat poll (GET /me/chats-messages?chat_auth=…&rows=100) and a send, next to bare
GET /health, through a real server.

Loads N private rooms of M encrypted messages each (2 N women; messages sealed through the real envelope code)
into the database named by DATABASE_URL (migrated and seeded first; the rows of a previous run are replaced),
starts `penhas serve` (gunicorn) on a free port with rate limits off, then drives the three requests with
concurrent clients and prints p50/p95/p99 latency and requests/s. Every poll decrypts 100 messages.

    DATABASE_URL=postgresql://postgres:postgres@127.0.0.1/penhas_bench_chat python bench/chat_poll.py
    PENHAS_DATA_DIR=/tmp/bench-chat-sqlite python bench/chat_poll.py --rooms 2000 --messages 200
"""
import random
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import add_client_args, drive, parser, print_table, serve, setup_db  # noqa: E402

MARK = "bench-chat"


def load(rooms: int, messages: int, seed: int = 5) -> tuple[list[tuple[int, int]], float]:
    """(room id, the first woman's id) per room; the seconds it took."""
    from penhas_api.core import clock
    from penhas_api.core.db import database, is_postgres
    from penhas_api.core.models import ChatMessage, ChatSession, Cliente
    from penhas_api.core.services.chat_crypto import room_binding, seal_text

    rng = random.Random(seed)
    start = time.perf_counter()
    with database.atomic():
        Cliente.delete().where(Cliente.nome_completo == MARK).execute()  # rooms and messages go by cascade
    now = clock.now()
    users = []
    for i in range(0, 2 * rooms, 1000):
        batch = [dict(status="active", created_on=now, cpf_hash=secrets.token_hex(32), cpf_prefix="0000",
                      dt_nasc=date(1990, 1, 1), email=f"{MARK}-{secrets.token_hex(6)}@example.com", cep="01001000",
                      genero="Feminino", nome_completo=MARK, apelido=f"bench{i + j}", senha_hash="unusable",
                      salt_key="x", last_activity_at=now) for j in range(min(1000, 2 * rooms - i))]
        with database.atomic():
            Cliente.insert_many(batch).execute()
    users = [u for (u,) in Cliente.select(Cliente.id).where(Cliente.nome_completo == MARK).order_by(Cliente.id)
             .tuples()]
    pairs = [(users[2 * i], users[2 * i + 1]) for i in range(rooms)]
    out = []
    words = "oi tudo bem como você está hoje amanhã preciso conversar ajuda medida protetiva obrigada".split()
    for a, b in pairs:
        with database.atomic():
            start_at = now - timedelta(days=10)
            room = ChatSession.create(cliente=a, other_cliente=b, session_started_by=a, created_at=start_at,
                                      last_message_at=now, last_message_by=b, has_message=True)
            rows = []
            for k in range(messages):
                sender = a if k % 2 else b
                sealed = seal_text(" ".join(rng.choice(words) for _ in range(rng.randint(3, 25))),
                                   room_binding(room.id, sender))
                rows.append(dict(session=room.id, cliente=sender, created_at=start_at + timedelta(minutes=k),
                                 message=sealed.message, enc_key_id=sealed.enc_key_id,
                                 enc_wrapped_key=sealed.enc_wrapped_key))
            ChatMessage.insert_many(rows).execute()
        out.append((room.id, a))
    database.execute_sql("ANALYZE chat_message" if is_postgres() else "ANALYZE")
    return out, time.perf_counter() - start


def loaded_rooms() -> list[tuple[int, int]]:
    """The rooms of a previous run (``--skip-load``)."""
    from penhas_api.core.models import ChatSession, Cliente

    bench = Cliente.select(Cliente.id).where(Cliente.nome_completo == MARK)
    return [(r.id, r.cliente_id) for r in ChatSession.select().where(ChatSession.cliente.in_(bench))
            .order_by(ChatSession.id)]


def tokens_for(rooms: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(session token, chat_auth) for the first woman of each room."""
    from penhas_api import create_app
    from penhas_api.auth import open_session
    from penhas_api.core.models import Cliente
    from penhas_api.core.services import chat_auth

    out = []
    with create_app().app_context():
        for room_id, cliente_id in rooms:
            out.append((open_session(Cliente.get_by_id(cliente_id))[1], chat_auth.issue_room(cliente_id, room_id)))
    return out


def main():
    ap = parser(__doc__)
    ap.add_argument("--rooms", type=int, default=2000, help="private rooms to load (default 2000)")
    ap.add_argument("--messages", type=int, default=200, help="messages per room (default 200)")
    add_client_args(ap, requests=2000, concurrency=2)
    ap.add_argument("--skip-load", action="store_true", help="reuse the rooms of a previous run")
    args = ap.parse_args()

    from penhas_api.core.db import database

    engine = setup_db()
    with database.connection_context():
        if args.skip_load:
            rooms = loaded_rooms()
        else:
            rooms, took = load(args.rooms, args.messages)
            print(f"loaded {args.rooms} rooms x {args.messages} messages into {engine} in {took:.1f}s")
        creds = tokens_for(rooms)
    rng = random.Random(3)
    picks = [rng.randrange(len(creds)) for _ in range(args.requests)]

    with serve(args.workers) as base:
        import requests

        def poll(session, i):
            api_key, room = creds[picks[i]]
            return session.get(f"{base}/me/chats-messages", params={"chat_auth": room, "rows": "100"},
                               headers={"X-Api-Key": api_key}, timeout=30)

        def send(session, i):
            api_key, room = creds[picks[i]]
            return session.post(f"{base}/me/chats-messages", params={"chat_auth": room},
                                data={"message": f"mensagem de teste {i}"}, headers={"X-Api-Key": api_key},
                                timeout=30)

        drive(poll, min(200, args.requests), args.concurrency)  # warm-up
        sample = poll(requests.Session(), 0).json()
        results = {"GET /health": drive(lambda s, i: s.get(f"{base}/health", timeout=30), args.requests,
                                        args.concurrency),
                   "GET /me/chats-messages (rows=100)": drive(poll, args.requests, args.concurrency),
                   "POST /me/chats-messages": drive(send, args.requests, args.concurrency)}
    print(f"\nengine={engine} rooms={args.rooms} messages/room={args.messages} concurrency={args.concurrency} "
          f"workers={args.workers} requests={args.requests} (sample poll returned {len(sample['messages'])} messages)")
    print_table(results, why=True)

if __name__ == "__main__":
    main()
