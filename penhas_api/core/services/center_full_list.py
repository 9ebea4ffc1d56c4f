"""The app's map list, ``GET /me/pontos-de-apoio?full_list=1`` (contract §2.12.2), served from a cache.

The app sends ``full_list=1`` on every map load: every matching center (~1 100 for a project), ordered by id, in
one page. What depends only on the centers (each row's JSON up to ``distancia``) is serialised once per (project,
filters) and center-data version (``center_cache``); a request adds what is hers: the distance from her point
(the sphere formula PostGIS uses, ``centers.distance_km``), her own ratings (one query over her ratings) and, for
Nacional centers, her own coordinates. The bytes equal those of the uncached path (tests compare them).
"""
import orjson

from penhas_api.core.db import database
from penhas_api.core.models import Center
from penhas_api.core.services import centers
from penhas_api.core.services.centers import Search

_HER_RATINGS_SQL = "SELECT ponto_apoio_id, avaliacao FROM cliente_ponto_apoio_avaliacao WHERE cliente_id = {}"


def _key(q: Search) -> tuple:
    return ("full_list", q.projeto_id, tuple(sorted(set(q.categorias))), q.eh_24h, q.dias_funcionamento,
            tuple(centers.keyword_words(q.keywords)))


def _build(q: Search) -> list[tuple]:
    """(id, abrangencia, latitude, longitude, head) per center; ``head`` is the row's JSON up to ``"distancia":``."""
    cats = q.cache.get(("categories",), centers.categories)
    query = Center.select(*centers.LIST_COLUMNS).where(*centers._filters(q)).order_by(Center.id)
    entries = []
    for h in query.dicts():
        row = {"id": h["id"], "nome": h["nome"], "latitude": centers.fmt_coord(h["latitude"]),
               "longitude": centers.fmt_coord(h["longitude"]),
               "avaliacao": centers.fmt_rating(h["avaliacao"], h["qtde_avaliacao"]), "uf": h["uf"],
               "categoria": centers.category_json(cats[h["categoria"]])}
        entries.append((h["id"], h["abrangencia"], h["latitude"], h["longitude"],
                        orjson.dumps(row)[:-1] + b',"distancia":'))
    return entries


def full_list_body(q: Search, cliente_id: int) -> bytes:
    """The whole JSON body (with Flask's trailing newline) of her full list."""
    entries = q.cache.get(_key(q), lambda: _build(q))
    ratings = dict(database.execute_sql(_HER_RATINGS_SQL.format(database.param), (cliente_id,)).fetchall())
    has_point = q.has_point
    lat0, lng0 = q.latitude, q.longitude
    dumps = orjson.dumps
    parts = []
    for center_id, abrangencia, lat, lng, head in entries:
        if abrangencia == "Nacional" and has_point:
            # Shown at her own position: the head's coordinates are the center's, so this row is rebuilt.
            row = orjson.loads(head + b"null}")
            row["latitude"], row["longitude"] = centers.fmt_coord(lat0), centers.fmt_coord(lng0)
            head = dumps(row)[:-len(b'null}')]
        if has_point:
            km = (centers.distance_km(lat0, lng0, lat, lng) if lat is not None and lng is not None else None)
            distance = centers.fmt_distance(abrangencia, km)
        else:
            distance = None
        parts.append(head + dumps(distance) + b',"cliente_avaliacao":' + dumps(ratings.get(center_id)) + b"}")
    tail = dumps({"has_more": 0, "next_page": None, "avaliacao_maxima": "5",
                  "latitude": centers.fmt_coord(lat0), "longitude": centers.fmt_coord(lng0)})
    return b'{"rows":[' + b",".join(parts) + b"]," + tail[1:] + b"\n"
