"""Benchmark: GET /timeline (first page and a next_page page) next to GET /health, through a real server.

Loads a synthetic community into the database named by DATABASE_URL (migrated and seeded first; earlier benchmark
rows are replaced): --users women, --posts posts and comments (a third top-level), --news news in five showcase
topics, and on average --blocks timeline blocks per user. Starts `penhas serve` (gunicorn) on a free port with
rate limits off, then drives the three requests with concurrent clients, each request as a random viewer, and
prints p50/p95/p99 latency and requests/s.

    DATABASE_URL=postgresql://postgres:postgres@127.0.0.1/penhas_bench_feed python bench/timeline.py
    PENHAS_DATA_DIR=/tmp/bench-feed python bench/timeline.py --users 2000 --posts 40000
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

MARK = "bench-feed"
WORDS = ("apoio acolhimento rede mulheres direitos coragem juntas cuidado escuta força amiga caminho denúncia "
         "proteção vida liberdade").split()


def _batches(rows, size=2000):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def load(users: int, posts: int, news: int, blocks: int, seed: int = 5) -> float:
    from penhas_api.core import clock
    from penhas_api.core.db import database, is_postgres
    from penhas_api.core.models import (
        Badge, Cliente, ClienteTag, Noticia, Tag, TimelineBlock, Tweet, TweetLike,
    )
    from penhas_api.core.services.rss import rebuild_showcase

    rng = random.Random(seed)
    start = time.perf_counter()
    now = clock.now()
    with database.atomic():
        old = Cliente.select(Cliente.id).where(Cliente.nome_completo == MARK)
        for model, field in ((TweetLike, TweetLike.cliente), (TimelineBlock, TimelineBlock.cliente),
                             (ClienteTag, ClienteTag.cliente)):
            model.delete().where(field.in_(old)).execute()
        Tweet.delete().where(Tweet.cliente.in_(old)).execute()
        Cliente.delete().where(Cliente.nome_completo == MARK).execute()
        Noticia.delete().where(Noticia.fonte == MARK).execute()
        Tag.delete().where(Tag.title.startswith(MARK)).execute()
        Badge.delete().where(Badge.code == MARK).execute()
    cities = [f"Cidade {i}" for i in range(40)]
    rows = [dict(status="active", created_on=now, cpf_hash=secrets.token_hex(32), cpf_prefix="0000",
                 dt_nasc=date(1990, 1, 1), email=f"{MARK}-{i}-{secrets.token_hex(3)}@example.com", cep="01001000",
                 cep_cidade=rng.choice(cities), genero="Feminino", nome_completo=MARK, apelido=f"mulher{i}",
                 senha_hash="unusable", salt_key="x", modo_anonimo_ativo=rng.random() < 0.05,
                 last_activity_at=now - timedelta(minutes=rng.randrange(60 * 24 * 30))) for i in range(users)]
    for batch in _batches(rows):
        with database.atomic():
            Cliente.insert_many(batch).execute()
    ids = [c for (c,) in Cliente.select(Cliente.id).where(Cliente.nome_completo == MARK).tuples()]
    badge = Badge.create(code=MARK, name="Selo", description="d", image_url="u", image_url_black="u",
                         linked_cep_cidade=cities[0], created_on=now)
    ClienteTag.insert_many([{"cliente": c, "badge": badge.id, "valid_until": now + timedelta(days=300),
                             "created_on": now} for c in rng.sample(ids, users // 20)]).execute()

    # Posts over the last 60 days, ids in creation order; a third top-level, the rest comments on earlier posts.
    moment = now - timedelta(days=60)
    step = timedelta(days=60) / posts
    roots, tweet_rows, per_second = [], [], {}
    replies: dict[str, list[str]] = {}
    for i in range(posts):
        moment += step
        base = moment.strftime("%y%m%dT%H%M%S")
        per_second[base] = per_second.get(base, 0) + 1
        tid = f"{base}{per_second[base]:04d}"
        parent = rng.choice(roots[-2000:]) if roots and i % 3 else None
        if parent is None:
            roots.append(tid)
        else:
            replies.setdefault(parent, []).append(tid)
        tweet_rows.append(dict(id=tid, status="published", content=" ".join(rng.choice(WORDS) for _ in range(25)),
                               parent=parent, original_parent_id=parent, anonimo=rng.random() < 0.05,
                               created_at=moment.replace(microsecond=0), cliente=rng.choice(ids),
                               tweet_depth=2 if parent else 1, qtde_likes=rng.randrange(5),
                               escondido=rng.random() < 0.01))
    for row in tweet_rows:
        kids = replies.get(row["id"])
        if kids:
            row.update(qtde_comentarios=len(kids), ultimo_comentario_id=kids[-1])
    for batch in _batches(tweet_rows):
        with database.atomic():
            Tweet.insert_many(batch).execute()
    likes = {(rng.choice(ids), rng.choice(roots)) for _ in range(posts // 2)}
    for batch in _batches([{"cliente": c, "tweet": t, "created_on": now} for c, t in likes], 5000):
        with database.atomic():
            TweetLike.insert_many(batch).execute()
    pairs = set()
    while len(pairs) < users * blocks:
        a, b = rng.choice(ids), rng.choice(ids)
        if a != b:
            pairs.add((a, b))
    for batch in _batches([{"cliente": a, "blocked": b, "created_at": now} for a, b in pairs], 5000):
        with database.atomic():
            TimelineBlock.insert_many(batch).execute()

    topics = [Tag.create(title=f"{MARK} topic {i}", is_topic=True, topic_order=i, created_at=now) for i in range(5)]
    news_rows = []
    for i in range(news):
        tag = topics[i % 5]
        news_rows.append(dict(title=f"Notícia {i}", hyperlink=f"https://news.example/{MARK}/{i}", created_at=now,
                              display_created_time=now - timedelta(minutes=i), published="published", fonte=MARK,
                              tags_index=f",{tag.id},", has_topic_tags=True,
                              image_hyperlink=f"https://img.example/{i}.jpg"))
    for batch in _batches(news_rows):
        with database.atomic():
            Noticia.insert_many(batch).execute()
    rebuild_showcase()
    database.execute_sql("ANALYZE")
    print(f"loaded {users} users, {posts} posts ({len(roots)} top-level), {len(likes)} likes, {len(pairs)} blocks, "
          f"{news} news into {'postgresql' if is_postgres() else 'sqlite'}")
    return time.perf_counter() - start


def tokens(n: int) -> list[str]:
    from penhas_api import create_app
    from penhas_api.auth import open_session
    from penhas_api.core.models import Cliente

    viewers = list(Cliente.select().where(Cliente.nome_completo == MARK).order_by(Cliente.id).limit(n))
    with create_app().app_context():
        return [open_session(u)[1] for u in viewers]


def main():
    ap = parser(__doc__)
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--posts", type=int, default=200_000, help="posts and comments")
    ap.add_argument("--news", type=int, default=20_000)
    ap.add_argument("--blocks", type=int, default=50, help="average timeline blocks per user")
    ap.add_argument("--rows", type=int, default=10, help="rows per page (the app sends 100)")
    add_client_args(ap, requests=1000, concurrency=2, concurrency_help=None)
    ap.add_argument("--skip-load", action="store_true", help="reuse the rows of a previous run")
    args = ap.parse_args()

    from penhas_api.core.db import database

    engine = setup_db()
    with database.connection_context():
        if not args.skip_load:
            print(f"load took {load(args.users, args.posts, args.news, args.blocks):.1f}s")
        keys = tokens(50)
    with serve(args.workers, NOTIFICATIONS_ENABLED="0") as base:
        import requests

        first = f"{base}/timeline?rows={args.rows}"
        # One next_page token per viewer, taken from her own first page (tokens are bound to their owner).
        pages = {k: requests.get(first, headers={"X-Api-Key": k}).json() for k in keys}
        sample = next(iter(pages.values()))
        rng = random.Random(3)
        order = [rng.choice(keys) for _ in range(args.requests)]

        def run(url_for_key):
            # Each request below carries its viewer's key in the URL, no header.
            return drive(lambda s, i: s.get(url_for_key(order[i]), timeout=30), args.requests, args.concurrency)

        from urllib.parse import quote

        first_page = lambda k: f"{first}&api_key={quote(k)}"  # noqa: E731
        next_page = lambda k: f"{first}&api_key={quote(k)}&next_page={quote(pages[k]['next_page'])}"  # noqa: E731
        run(first_page)  # warm-up
        results = {"GET /health": drive(lambda s, i: s.get(f"{base}/health", timeout=30), args.requests,
                                        args.concurrency),
                   f"GET /timeline rows={args.rows}": run(first_page),
                   f"GET /timeline next_page rows={args.rows}": run(next_page)}
    kinds = [t["type"] for t in sample["tweets"]]
    print(f"\nengine={engine} concurrency={args.concurrency} workers={args.workers} requests={args.requests} "
          f"(first page: {kinds.count('tweet')} posts, {kinds.count('news_group')} news groups, "
          f"{sum(1 for t in sample['tweets'] if t.get('last_reply'))} last replies)")
    print_table(results)

if __name__ == "__main__":
    main()
