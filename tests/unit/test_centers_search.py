"""Geospatial search: real police stations, an independent great-circle check, and engine parity."""
import math
import random
from pathlib import Path

import pytest

from penhas_api.core.db import is_postgres
from penhas_api.core.models import Center
from penhas_api.core.services import center_import, centers
from penhas_api.core.services.centers import Search
from tests.center_factories import make_center
from tests.helpers import needs_postgres

DATA = Path(__file__).resolve().parents[1] / "data"
SE = (-23.5503, -46.6339)  # Praça da Sé, São Paulo


def haversine_km(lat1, lng1, lat2, lng2, radius_km=6371.0088):
    """Independent of the code under test: the textbook haversine on the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * radius_km * math.asin(math.sqrt(a))


@pytest.fixture
def stations(db):
    parsed = center_import.parse_file(DATA / "delegacias-2020.csv")
    assert not parsed.errors
    center_import.apply_import(parsed)
    return {c.id: c for c in Center.select()}


def test_nearest_stations_match_an_independent_great_circle_computation(stations):
    expected = sorted(
        ((haversine_km(*SE, c.latitude, c.longitude), c.id) for c in stations.values()),
        key=lambda t: (t[0], t[1]))
    expected = [(d, i) for d, i in expected if d <= 20.999]
    result = centers.search_centers(Search(latitude=SE[0], longitude=SE[1], max_distance=20))
    assert [h["id"] for h in result.hits] == [i for _, i in expected]
    assert len(result.hits) >= 5
    for hit, (d, _) in zip(result.hits, expected):
        assert hit["distance_km"] == pytest.approx(d, rel=1e-4)
    nearest = stations[result.hits[0]["id"]]
    assert nearest.nome == "1ª Delegacia de Defesa da Mulher - São Paulo"
    rows = centers.list_rows(result, Search(latitude=SE[0], longitude=SE[1]))
    assert rows[0]["distancia"] == str(int(expected[0][0])) and isinstance(rows[0]["latitude"], str)


def test_radius_paging_and_has_more(stations):
    q = Search(latitude=SE[0], longitude=SE[1], max_distance=30, rows=3)
    first = centers.search_centers(q)
    assert len(first.hits) == 3 and first.has_more
    q.offset = 3
    second = centers.search_centers(q)
    everything = centers.search_centers(Search(latitude=SE[0], longitude=SE[1], max_distance=30))
    assert [h["id"] for h in first.hits + second.hits] == [h["id"] for h in everything.hits][:6]


def test_distance_of_a_tiny_and_a_long_arc():
    assert centers.distance_km(-23.55, -46.63, -23.55, -46.63) == 0
    assert centers.distance_km(-23.55, -46.63, -22.9, -43.2) == pytest.approx(357.85569760258, abs=1e-6)
    assert centers.distance_km(-23.55, -46.63, -23.55, -46.63001) == pytest.approx(0.00101933836, abs=1e-9)


def test_coverage_rules_national_regional_local(db):
    near = make_center(-23.56, -46.64, nome="Perto")
    far = make_center(-22.90, -43.20, nome="Rio Local")
    national = make_center(None, None, abrangencia="Nacional", nome="Ligue 180")
    regional_same = make_center(-23.00, -45.00, abrangencia="Regional", cod_ibge=3550308, nome="Regional SP")
    regional_other = make_center(-22.95, -43.21, abrangencia="Regional", cod_ibge=3304557, nome="Regional Rio")
    # 12 km from the searcher, but it serves Guarulhos: not hers when her municipality is known (§6.1).
    regional_neighbour = make_center(-23.46, -46.55, abrangencia="Regional", cod_ibge=3518800, nome="Guarulhos")
    make_center(-23.56, -46.64, status="disabled")
    make_center(-23.56, -46.64, test_status="test")

    q = Search(latitude=-23.55, longitude=-46.63, max_distance=50, municipality=3550308)
    ids = [h["id"] for h in centers.search_centers(q).hits]
    assert ids == [national.id, near.id, regional_same.id]
    rows = centers.list_rows(centers.search_centers(q), q)
    assert rows[0]["distancia"] == "Nacional - 0 " and rows[0]["latitude"] == "-23.55"
    assert rows[2]["distancia"] == "Regional - 177"

    # No municipality known (anonymous GPS): Regional centers count by distance, like Local ones.
    q = Search(latitude=-23.55, longitude=-46.63, max_distance=50)
    ids = [h["id"] for h in centers.search_centers(q).hits]
    assert ids == [national.id, near.id, regional_neighbour.id]
    q = Search(latitude=-22.91, longitude=-43.20, max_distance=50)
    ids = [h["id"] for h in centers.search_centers(q).hits]
    assert ids == [national.id, far.id, regional_other.id]


def test_filters_keywords_categories_project(db):
    a = make_center(-23.56, -46.64, nome="Casa Kazu", categoria=8, eh_24h=True, dias_funcionamento="todos_os_dias")
    b = make_center(-23.57, -46.64, nome="Delegacia Trianon", categoria=5, projects=(2,))
    base = dict(latitude=-23.55, longitude=-46.63)
    assert [h["id"] for h in centers.search_centers(Search(**base, keywords="  KAZÚ ")).hits] == [a.id]
    assert [h["id"] for h in centers.search_centers(Search(**base, keywords="%")).hits] == [a.id, b.id]
    assert [h["id"] for h in centers.search_centers(Search(**base, categorias=[5])).hits] == [b.id]
    assert [h["id"] for h in centers.search_centers(Search(**base, projeto_id=2)).hits] == [b.id]
    assert [h["id"] for h in centers.search_centers(Search(**base, eh_24h=True)).hits] == [a.id]
    assert [h["id"] for h in centers.search_centers(Search(**base, dias_funcionamento="fds")).hits] == []


def test_full_list_returns_everything_by_id_with_distances(stations):
    q = Search(latitude=SE[0], longitude=SE[1], full_list=True)
    result = centers.search_centers(q)
    assert not result.has_more
    assert [h["id"] for h in result.hits] == sorted(stations)
    far = next(h for h in result.hits if h["uf"] == "AC")
    c = stations[far["id"]]
    assert far["distance_km"] == pytest.approx(haversine_km(*SE, c.latitude, c.longitude), rel=1e-4)


def _random_queries(n=40):
    rng = random.Random(20240501)
    return [Search(latitude=rng.uniform(-30, -3), longitude=rng.uniform(-55, -35),
                   max_distance=rng.choice([5, 50, 200, 800]), rows=rng.choice([3, 100]),
                   municipality=rng.choice([None, 3550308])) for _ in range(n)]


def _add_coverage_variety():
    make_center(None, None, abrangencia="Nacional", nome="Nacional A")
    make_center(-23.6, -46.7, abrangencia="Regional", cod_ibge=3550308)
    make_center(-23.46, -46.55, abrangencia="Regional", cod_ibge=3518800)
    make_center(-12.9, -38.5, abrangencia="Regional", cod_ibge=2927408)
    # Two centers at the very same spot: the id decides, on both engines.
    make_center(-15.79, -47.88, nome="Gêmeo 1")
    make_center(-15.79, -47.88, nome="Gêmeo 2")


def test_sqlite_algorithm_matches_brute_force(stations):
    """The bounding-box path loses nothing: same answer as computing every distance."""
    _add_coverage_variety()
    everything = list(Center.select(*centers.LIST_COLUMNS).where(Center.status == "active").dicts())
    for q in _random_queries(25):
        expected = []
        for h in everything:
            has = h["latitude"] is not None
            d = centers.distance_km(q.latitude, q.longitude, h["latitude"], h["longitude"]) if has else None
            near = has and d <= centers.radius_m(q.max_distance) / 1000
            if h["abrangencia"] == "Regional" and q.municipality:
                listed = h["cod_ibge"] == q.municipality
            else:
                listed = h["abrangencia"] == "Nacional" or near
            if listed:
                expected.append(dict(h, distance_km=d))
        expected.sort(key=centers._sort_key)
        base = Center.select(*centers.LIST_COLUMNS).where(*centers._filters(q))
        got = centers._nearby_sqlite(base, q)
        assert [h["id"] for h in got] == [h["id"] for h in expected][:q.rows + 1]


@needs_postgres
def test_postgis_and_sqlite_paths_return_the_same_centers_in_the_same_order(stations):
    """Both algorithms over the same PostgreSQL data: identical ids, order and distances."""
    assert is_postgres()
    _add_coverage_variety()
    for q in _random_queries():
        base = Center.select(*centers.LIST_COLUMNS).where(*centers._filters(q))
        pg = centers._nearby_postgres(base, q)
        lite = centers._nearby_sqlite(base, q)
        assert [h["id"] for h in pg] == [h["id"] for h in lite], q
        for a, b in zip(pg, lite):
            if a["distance_km"] is None:
                assert b["distance_km"] is None
            else:
                assert float(a["distance_km"]) == pytest.approx(b["distance_km"], abs=1e-9)


@needs_postgres
def test_geog_follows_latitude_and_longitude(db):
    from penhas_api.core.db import database

    c = make_center(-23.5, -46.6)
    Center.update(latitude=-10.0, longitude=-50.0).where(Center.id == c.id).execute()
    lat, lng = database.execute_sql("SELECT ST_Y(geog::geometry), ST_X(geog::geometry) FROM ponto_apoio WHERE id = %s",
                                    (c.id,)).fetchone()
    assert (lat, lng) == (-10.0, -50.0)
    Center.update(latitude=None).where(Center.id == c.id).execute()
    assert database.execute_sql("SELECT geog FROM ponto_apoio WHERE id = %s", (c.id,)).fetchone()[0] is None


def test_many_centers_at_one_spot_page_by_id(db):
    """More equidistant centers than one page: the cut is by id on both engines (PostgreSQL re-reads the radius)."""
    ids = [make_center(-15.79, -47.88).id for _ in range(20)]
    make_center(-15.70, -47.88)
    q = Search(latitude=-15.80, longitude=-47.88, max_distance=50, rows=3)
    result = centers.search_centers(q)
    assert [h["id"] for h in result.hits] == ids[:3] and result.has_more
    q.offset = 15
    assert [h["id"] for h in centers.search_centers(q).hits] == ids[15:18]
