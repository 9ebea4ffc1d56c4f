"""Benchmark: GET /me/pontos-de-apoio over N synthetic centers, next to bare GET /health, through a real server.

Loads N centers spread over Brazil (half clustered around the 429 real police stations, half uniform) into the
database named by DATABASE_URL (migrated and seeded first; earlier benchmark rows are replaced), starts
`penhas serve` (gunicorn) on a free port with rate limits off, then drives both endpoints with concurrent
clients and prints p50/p95/p99 latency and requests/s. The figure that matters is the ratio between the two.

    DATABASE_URL=postgresql://postgres@127.0.0.1/penhas_bench python bench/centers_search.py --centers 100000
    PENHAS_DATA_DIR=/tmp/bench-sqlite python bench/centers_search.py --centers 100000
"""
import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import add_client_args, drive, parser, print_table, serve, setup_db  # noqa: E402
STATIONS = ROOT / "tests" / "data" / "delegacias-2020.csv"
BRAZIL = (-33.7, 5.2, -73.9, -34.8)  # lat min/max, lng min/max
FONTE = "bench"


def station_points() -> list[tuple[float, float]]:
    with open(STATIONS, encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter=";")
        return [(float(r["latitude"].replace(",", ".")), float(r["longitude"].replace(",", "."))) for r in rows]


def load_centers(n: int, seed: int = 7) -> float:
    from penhas_api.core import clock
    from penhas_api.core.db import database
    from penhas_api.core.models import Center, CenterProjectLink
    from penhas_api.core.services.centers import normalize_text

    rng = random.Random(seed)
    cities = station_points()
    start = time.perf_counter()
    with database.atomic():
        old = Center.select(Center.id).where(Center.fonte == FONTE)
        CenterProjectLink.delete().where(CenterProjectLink.center.in_(old)).execute()
        Center.delete().where(Center.fonte == FONTE).execute()
    now = clock.now()
    batch = []
    for i in range(n):
        if i % 2:
            lat, lng = rng.choice(cities)
            lat, lng = lat + rng.gauss(0, 0.4), lng + rng.gauss(0, 0.4)
        else:
            lat, lng = rng.uniform(BRAZIL[0], BRAZIL[1]), rng.uniform(BRAZIL[2], BRAZIL[3])
        abrangencia = "Nacional" if i % 20000 == 0 else "Regional" if i % 50 == 0 else "Local"
        nome = f"Centro sintético {i}"
        batch.append(dict(status="active", created_on=now, updated_at=now, nome=nome, natureza="publico",
                          categoria=rng.choice([5, 8, 9, 568, 577]), abrangencia=abrangencia, tipo_logradouro="Rua",
                          nome_logradouro=f"Rua {i}", numero=i % 2000, bairro="Centro", municipio="Cidade", uf="SP",
                          cep="01001000", cod_ibge=3550308 if abrangencia == "Regional" else None,
                          latitude=round(lat, 6), longitude=round(lng, 6), fonte=FONTE,
                          search_text=normalize_text(f"delegacia {nome} centro rua {i}")))
        if len(batch) == 1000 or i == n - 1:
            with database.atomic():
                Center.insert_many(batch).execute()
            batch = []
    with database.atomic():
        ids = [c for (c,) in Center.select(Center.id).where(Center.fonte == FONTE).tuples()]
        for i in range(0, len(ids), 5000):
            CenterProjectLink.insert_many([{"center": c, "project": 1} for c in ids[i:i + 5000]]).execute()
    if _pg():
        database.execute_sql("ANALYZE ponto_apoio")
        database.execute_sql("ANALYZE ponto_apoio2projetos")
    else:
        database.execute_sql("ANALYZE")
    return time.perf_counter() - start


def _pg() -> bool:
    from penhas_api.core.db import is_postgres

    return is_postgres()


def make_token() -> str:
    import secrets
    from datetime import date

    from penhas_api import create_app
    from penhas_api.auth import open_session
    from penhas_api.core import clock
    from penhas_api.core.models import Cliente

    user = Cliente.create(status="active", created_on=clock.now(), cpf_hash=secrets.token_hex(32), cpf_prefix="0000",
                          dt_nasc=date(1990, 1, 1), email=f"bench-{secrets.token_hex(4)}@example.com", cep="01001000",
                          genero="Feminino", nome_completo="Bench User", apelido="bench", senha_hash="unusable",
                          salt_key="x")
    with create_app().app_context():
        return open_session(user)[1]


def main():
    ap = parser(__doc__)
    ap.add_argument("--centers", type=int, default=100_000, help="synthetic centers to load (default 100000)")
    add_client_args(ap, requests=2000, concurrency=8)
    ap.add_argument("--radius", type=int, default=50, help="max_distance in km")
    ap.add_argument("--skip-load", action="store_true", help="reuse the centers of a previous run")
    args = ap.parse_args()

    from penhas_api.core.db import database

    engine = setup_db()
    with database.connection_context():
        if not args.skip_load:
            took = load_centers(args.centers)
            print(f"loaded {args.centers} centers into {engine} in {took:.1f}s")
        token = make_token()
    with serve(args.workers) as base:
        import requests

        rng = random.Random(11)
        cities = station_points()
        points = [(lat + rng.gauss(0, 0.2), lng + rng.gauss(0, 0.2)) for lat, lng in
                  (rng.choice(cities) for _ in range(args.requests))]
        headers = {"X-Api-Key": token}
        url = lambda i: (f"{base}/me/pontos-de-apoio?projeto=Penhas&latitude={points[i][0]:.5f}"  # noqa: E731
                         f"&longitude={points[i][1]:.5f}&max_distance={args.radius}")
        search = lambda s, i: s.get(url(i), headers=headers, timeout=30)  # noqa: E731
        drive(search, min(200, args.requests), args.concurrency)  # warm-up
        sample = requests.get(url(0), headers=headers).json()
        results = {"GET /health": drive(lambda s, i: s.get(f"{base}/health", timeout=30), args.requests,
                                        args.concurrency),
                   f"GET /me/pontos-de-apoio ({args.radius} km)": drive(search, args.requests, args.concurrency)}
    print(f"\nengine={engine} centers={args.centers} concurrency={args.concurrency} workers={args.workers} "
          f"requests={args.requests} (sample query returned {len(sample['rows'])} rows, has_more={sample['has_more']})")
    print_table(results)
    h, s = results["GET /health"], list(results.values())[1]
    print(f"ratio search/health: p50 x{s['p50'] / h['p50']:.1f}, p95 x{s['p95'] / h['p95']:.1f}")

if __name__ == "__main__":
    main()
