"""Support centers (pontos de apoio): search, detail, ratings and the auxiliary lists.

Distances are great-circle distances on PostGIS's sphere (``use_spheroid = false``, mean Earth radius). PostgreSQL
walks the GiST index on ``geog`` nearest-first (KNN ``<->``) and measures with ``ST_Distance`` (``ST_DWithin`` over
the radius when a page ends on a tie); SQLite narrows rows with an indexed latitude/longitude bounding box and
computes the same formula in Python. Both sort the same way in Python, so both engines return the same centers in
the same order (ties broken by id, distances compared at millimetre precision).

Coverage (``abrangencia``, backend-rules §6.1): ``Nacional`` centers are always listed (distance sentinel);
``Local`` centers within the radius are listed; a ``Regional`` center is listed when its ``cod_ibge`` is the
searcher's municipality, wherever it is (and, as in the original, not when it serves another municipality, however
near). Without an IBGE polygon layer the searcher's municipality is the one of the CEP she searched for (location
token) or else, when she is logged in, her account's (the IBGE code of her CEP, filled by the ``cliente_update_cep``
job; the original also fell back to her CEP). When no municipality is known (an anonymous GPS search), Regional
centers count by distance like Local ones: the original listed every Regional center in the country then, a quirk
backend-rules §15 leaves to us. ``full_list`` (what the app always sends) and 5000 km skip coverage: every match.
"""
import html
import math
import re
import unicodedata
from dataclasses import dataclass, field

from peewee import SQL, fn

from penhas_api.core import clock
from penhas_api.core.db import database, is_postgres
from penhas_api.core.errors import PenhasError, form_error, item_not_found
from penhas_api.core.models import (Center, CenterCategory, CenterProject, CenterProjectLink, CenterRating,
                                    KeywordLog)

EARTH_RADIUS_M = 6371008.771415059  # the sphere PostGIS uses for geography with use_spheroid = false
UNLIMITED_KM = 5000
NACIONAL_SENTINEL = -0.0001
DEFAULT_ROWS = 100

DIAS_FUNCIONAMENTO = {
    "dias_uteis": "Dias úteis",
    "fds": "Fim de semana",
    "dias_uteis_fds_plantao": "Dias úteis com plantão aos fins de semana",
    "todos_os_dias": "Todos os dias",
    "seg_a_sab": "Segunda a sábado",
    "seg_a_qui": "Segunda a quinta",
    "ter_a_qui": "Terça a quinta",
    "quinta_feira": "Quintas-feiras",
}
NATUREZA_LABELS = {"publico": "Público", "ong": "ONG"}
ABRANGENCIAS = ("Local", "Regional", "Nacional")
LIST_COLUMNS = (Center.id, Center.nome, Center.latitude, Center.longitude, Center.avaliacao, Center.qtde_avaliacao,
                Center.uf, Center.abrangencia, Center.categoria, Center.cod_ibge)


# -- distances ---------------------------------------------------------------------------------------------------
def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance with the formula PostGIS uses on the sphere (stable for tiny and antipodal arcs)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lng2 - lng1)
    y = math.hypot(math.cos(p2) * math.sin(dl), math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_RADIUS_M * math.atan2(y, x) / 1000.0


def bounding_box(lat: float, lng: float, radius_m: float):
    """(lat_min, lat_max, lng_min, lng_max) holding every point within radius_m; lng bounds None when unbounded."""
    angle = radius_m / EARTH_RADIUS_M * 1.000001 + 1e-9
    dlat = math.degrees(angle)
    lat_min, lat_max = lat - dlat, lat + dlat
    if lat_max >= 90 or lat_min <= -90 or angle >= math.pi / 2:
        return max(lat_min, -90.0), min(lat_max, 90.0), None, None
    dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    if lng - dlng < -180 or lng + dlng > 180:
        return lat_min, lat_max, None, None
    return lat_min, lat_max, lng - dlng, lng + dlng


def radius_m(max_distance_km: int) -> float:
    if max_distance_km >= UNLIMITED_KM:  # "no limit": half the circumference reaches every point on Earth
        return math.pi * EARTH_RADIUS_M
    # As the original: "within 50 km" lists everything that displays as 50 (the integer part of the distance).
    return (max_distance_km + 1) * 1000.0 - 1


# -- text --------------------------------------------------------------------------------------------------------
def normalize_text(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keyword_words(keywords: str | None) -> list[str]:
    return re.findall(r"[^\W_]+", normalize_text(keywords))[:10]


def build_search_text(center: Center, category_label: str) -> str:
    parts = [category_label, center.nome, center.sigla, center.descricao, center.municipio, center.nome_logradouro,
             center.bairro, center.uf, center.cep]
    return " ".join(normalize_text(p) for p in parts if p)


def refresh_search_text(center: Center) -> None:
    center.search_text = build_search_text(center, CenterCategory.get_by_id(center.categoria_id).label)


# -- formatting --------------------------------------------------------------------------------------------------
def fmt_coord(value) -> str | None:
    return None if value is None else repr(round(float(value), 6))


def fmt_rating(avg: float, count: int) -> str:
    return "n/a" if not count else f"{avg:.1f}".replace(".", ",")


def fmt_distance(abrangencia: str, km: float | None) -> str | None:
    if abrangencia == "Nacional":
        return "Nacional - 0 "
    if km is None:
        return None
    text = str(int(km))
    return f"Regional - {text}" if abrangencia == "Regional" else text


def _flag(value) -> int | None:
    return None if value is None else int(bool(value))


def categories() -> dict[int, CenterCategory]:
    return {c.id: c for c in CenterCategory.select()}


def category_json(cat: CenterCategory) -> dict:
    return {"id": cat.id, "nome": cat.label, "cor": cat.color}


# -- search ------------------------------------------------------------------------------------------------------
@dataclass
class Search:
    latitude: float | None = None
    longitude: float | None = None
    max_distance: int = 50
    rows: int = DEFAULT_ROWS
    offset: int = 0
    categorias: list[int] = field(default_factory=list)
    projeto_id: int | None = None
    keywords: str | None = None
    eh_24h: bool | None = None
    dias_funcionamento: str | None = None
    full_list: bool = False
    municipality: int | None = None
    nearest_first: bool = False  # rank by distance and page by rows even with no radius (the operator's search)
    # center_cache.Snapshot of the API request (categories, project ids, full lists); None elsewhere (CLI).
    cache: object = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def unlimited(self) -> bool:
        """Every matching center, ordered by id, in one page (the app always asks for this)."""
        return (self.full_list or not self.has_point
                or (self.max_distance >= UNLIMITED_KM and not self.nearest_first))


@dataclass
class SearchResult:
    hits: list[dict]  # LIST_COLUMNS plus distance_km
    has_more: bool


def _filters(q: Search) -> list:
    conds = [Center.status == "active", Center.test_status == "prod"]
    if q.categorias:
        conds.append(Center.categoria.in_(q.categorias))
    if q.projeto_id is not None:
        conds.append(fn.EXISTS(CenterProjectLink.select(SQL("1")).where(
            (CenterProjectLink.center == Center.id) & (CenterProjectLink.project == q.projeto_id))))
    if q.eh_24h is not None:
        conds.append(Center.eh_24h == q.eh_24h)
    if q.dias_funcionamento:
        conds.append(Center.dias_funcionamento == q.dias_funcionamento)
    for word in keyword_words(q.keywords):
        conds.append(Center.search_text.contains(word))
    return conds


def _sort_key(hit: dict):
    if hit["abrangencia"] == "Nacional":
        return (0, NACIONAL_SENTINEL, hit["id"])
    if hit["distance_km"] is None:
        return (1, 0.0, hit["id"])
    return (0, round(hit["distance_km"], 6), hit["id"])


def _by_distance(q: Search):
    """Centers listed when within the radius (the others come by coverage: Nacional, her municipality's Regional)."""
    if q.municipality is None:
        return Center.abrangencia != "Nacional"
    return Center.abrangencia.not_in(("Nacional", "Regional"))


def _by_coverage(q: Search):
    others = Center.abrangencia == "Nacional"
    if q.municipality is not None:
        others |= (Center.abrangencia == "Regional") & (Center.cod_ibge == q.municipality)
    return others


def matching_centers(q: Search):
    """Every center the filters match (no location), for CSV downloads."""
    return Center.select().where(*_filters(q)).order_by(Center.id)


def search_centers(q: Search) -> SearchResult:
    base = Center.select(*LIST_COLUMNS).where(*_filters(q))
    if q.unlimited:
        hits = _unlimited(base, q)
        return SearchResult(hits, False)
    hits = _nearby_postgres(base, q) if is_postgres() else _nearby_sqlite(base, q)
    return SearchResult(hits[:q.rows], len(hits) > q.rows)


def _unlimited(base, q: Search) -> list[dict]:
    if q.has_point and is_postgres():
        dist = SQL("ST_Distance(geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, false) / 1000.0",
                   (q.longitude, q.latitude))
        return list(base.select_extend(dist.alias("distance_km")).order_by(Center.id).dicts())
    hits = list(base.order_by(Center.id).dicts())
    for h in hits:
        h["distance_km"] = (distance_km(q.latitude, q.longitude, h["latitude"], h["longitude"])
                            if q.has_point and h["latitude"] is not None and h["longitude"] is not None else None)
    return hits


# Coordinates no center can have: a query built once with them is re-run with her point in their place.
_SENTINEL_LAT, _SENTINEL_LNG = 1000.000123, 2000.000321
_compiled: dict[tuple, tuple] = {}
_MAX_COMPILED = 512


def _filters_key(q: Search) -> tuple:
    return (tuple(q.categorias), q.projeto_id, q.eh_24h, q.dias_funcionamento, tuple(keyword_words(q.keywords)),
            q.municipality)


def _dicts_compiled(key: tuple, build):
    """A runner of ``build(lat, lng)`` (a peewee query over LIST_COLUMNS, PostgreSQL) whose SQL text is generated
    once per ``key`` and database: peewee's compiler cost more than these queries' round trips.
    Returns ``run(lat, lng) -> [dict]``."""
    key = (id(database.obj),) + key
    entry = _compiled.get(key)
    if entry is None:
        query = build(_SENTINEL_LAT, _SENTINEL_LNG)
        sql, params = database.get_sql_context().sql(query).query()
        roles = [1 if p == _SENTINEL_LAT else 2 if p == _SENTINEL_LNG else 0 for p in params]
        if len(_compiled) >= _MAX_COMPILED:
            _compiled.clear()
        entry = _compiled[key] = (sql, list(params), roles)
    sql, params, roles = entry

    def run(lat: float, lng: float) -> list[dict]:
        bound = [lat if r == 1 else lng if r == 2 else p for p, r in zip(params, roles)]
        cursor = database.execute_sql(sql, bound)
        # Plain dicts: LIST_COLUMNS are text, integers and float8, which psycopg2 already returns as the model would.
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    return run


def _point_sql(lat: float, lng: float):
    return "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography", (lng, lat)


def _nearby_postgres(base, q: Search) -> list[dict]:
    """Nearest first straight from the GiST index (KNN ``<->``, the same sphere distance), so a dense city costs one
    page of rows instead of every center within the radius; the radius is then applied to those rows."""
    def with_distance(lat, lng):
        point, lnglat = _point_sql(lat, lng)
        return base.select_extend(SQL(f"ST_Distance(geog, {point}, false) / 1000.0", lnglat).alias("distance_km"))

    def local(lat, lng):
        return with_distance(lat, lng).where(_by_distance(q), SQL("geog IS NOT NULL"))

    limit_km = radius_m(q.max_distance) / 1000.0
    wanted = q.offset + q.rows + 1
    fetch = wanted + 10

    def nearest(lat, lng):
        point, lnglat = _point_sql(lat, lng)
        return local(lat, lng).order_by(SQL(f"geog <-> {point}", lnglat)).limit(fetch).dicts()

    fetched = _dicts_compiled(("knn", fetch) + _filters_key(q), nearest)(q.latitude, q.longitude)
    near = [h for h in fetched if h["distance_km"] <= limit_km]
    if len(near) == fetch:
        # Every fetched row is inside the radius, so more may be. Those are no nearer than the last fetched one:
        # unless it ties with the last row kept, the page is complete; on a tie, read the whole radius.
        kept = sorted(near, key=_sort_key)[:wanted]
        if round(kept[-1]["distance_km"], 6) >= round(near[-1]["distance_km"], 6):
            point, lnglat = _point_sql(q.latitude, q.longitude)
            within = SQL(f"ST_DWithin(geog, {point}, %s, false)", lnglat + (radius_m(q.max_distance),))
            near = list(local(q.latitude, q.longitude).where(within).dicts())
    found = {h["id"]: h for h in near}
    covered = _dicts_compiled(("coverage",) + _filters_key(q),
                              lambda lat, lng: with_distance(lat, lng).where(_by_coverage(q)).dicts())
    for h in covered(q.latitude, q.longitude):
        found.setdefault(h["id"], h)
    return sorted(found.values(), key=_sort_key)[q.offset:wanted]


def _nearby_sqlite(base, q: Search) -> list[dict]:
    lat_min, lat_max, lng_min, lng_max = bounding_box(q.latitude, q.longitude, radius_m(q.max_distance))
    box = [_by_distance(q), Center.latitude.between(lat_min, lat_max)]
    if lng_min is not None:
        box.append(Center.longitude.between(lng_min, lng_max))
    limit_km = radius_m(q.max_distance) / 1000.0
    found: dict[int, dict] = {}
    for h in base.where(*box).dicts():
        if h["longitude"] is None:
            continue
        h["distance_km"] = distance_km(q.latitude, q.longitude, h["latitude"], h["longitude"])
        if h["distance_km"] <= limit_km:
            found[h["id"]] = h
    for h in base.where(_by_coverage(q)).dicts():
        if h["id"] in found:
            continue
        h["distance_km"] = (distance_km(q.latitude, q.longitude, h["latitude"], h["longitude"])
                            if h["latitude"] is not None and h["longitude"] is not None else None)
        found[h["id"]] = h
    ordered = sorted(found.values(), key=_sort_key)
    return ordered[q.offset:q.offset + q.rows + 1]


def log_keywords(keywords: str | None, cliente_id: int | None) -> None:
    text = " ".join((keywords or "").lower().split())[:200]
    if text:
        KeywordLog.create(created_on=clock.now(), cliente=cliente_id, keywords=text)


RATINGS_SQL_POSTGRES = ("SELECT ponto_apoio_id, avaliacao FROM cliente_ponto_apoio_avaliacao "
                        "WHERE cliente_id = %s AND ponto_apoio_id = ANY(%s)")
RATINGS_SQL_SQLITE = ("SELECT ponto_apoio_id, avaliacao FROM cliente_ponto_apoio_avaliacao "
                      "WHERE cliente_id = ? AND ponto_apoio_id IN ({})")


def my_ratings(cliente_id: int | None, center_ids: list[int]) -> dict[int, int]:
    """Her ratings of these centers. Raw SQL: peewee spent more building a 100-placeholder IN than the query took."""
    if cliente_id is None or not center_ids:
        return {}
    if is_postgres():
        return dict(database.execute_sql(RATINGS_SQL_POSTGRES, (cliente_id, list(center_ids))).fetchall())
    out = {}
    for i in range(0, len(center_ids), 500):  # SQLite's bound-parameter limit
        chunk = center_ids[i:i + 500]
        sql = RATINGS_SQL_SQLITE.format(",".join("?" * len(chunk)))
        out.update(database.execute_sql(sql, (cliente_id, *chunk)).fetchall())
    return out


def list_rows(result: SearchResult, q: Search, cliente_id: int | None = None, with_rating: bool = False) -> list[dict]:
    """The app's place objects (contract §2.12.2): strings for avaliacao, distancia and coordinates."""
    cats = q.cache.get(("categories",), categories) if q.cache is not None else categories()
    ratings = my_ratings(cliente_id, [h["id"] for h in result.hits]) if with_rating else {}
    rows = []
    for h in result.hits:
        nacional = h["abrangencia"] == "Nacional"
        lat, lng = (q.latitude, q.longitude) if nacional and q.has_point else (h["latitude"], h["longitude"])
        row = {
            "id": h["id"],
            "nome": h["nome"],
            "latitude": fmt_coord(lat),
            "longitude": fmt_coord(lng),
            "avaliacao": fmt_rating(h["avaliacao"], h["qtde_avaliacao"]),
            "uf": h["uf"],
            "categoria": category_json(cats[h["categoria"]]),
            "distancia": fmt_distance(h["abrangencia"], h["distance_km"]) if q.has_point else None,
        }
        if with_rating:
            row["cliente_avaliacao"] = ratings.get(h["id"])
        rows.append(row)
    return rows


# -- detail ------------------------------------------------------------------------------------------------------
def get_active_center(center_id: int) -> Center:
    center = Center.get_or_none((Center.id == center_id) & (Center.status == "active")
                                & (Center.test_status == "prod"))
    if center is None:
        raise item_not_found()
    return center


def detail_row(center: Center) -> dict:
    cat = CenterCategory.get_by_id(center.categoria_id)
    return {
        "id": center.id,
        "nome": center.nome,
        "categoria": category_json(cat),
        "latitude": fmt_coord(center.latitude),
        "longitude": fmt_coord(center.longitude),
        "avaliacao": fmt_rating(center.avaliacao, center.qtde_avaliacao),
        "cep": center.cep,
        "tipo_logradouro": center.tipo_logradouro,
        "nome_logradouro": center.nome_logradouro,
        "numero": center.numero,
        "numero_sem_numero": int(center.numero_sem_numero),
        "complemento": center.complemento,
        "bairro": center.bairro,
        "municipio": center.municipio,
        "uf": center.uf,
        "natureza": NATUREZA_LABELS.get(center.natureza, center.natureza),
        "abrangencia": center.abrangencia,
        "descricao": center.descricao,
        "ddd": center.ddd,
        "telefone1": center.telefone1,
        "telefone2": center.telefone2,
        "ramal1": center.ramal1,
        "ramal2": center.ramal2,
        "eh_24h": _flag(center.eh_24h),
        "eh_whatsapp": int(center.eh_whatsapp),
        "horario_inicio": center.horario_inicio,
        "horario_fim": center.horario_fim,
        "dias_funcionamento": DIAS_FUNCIONAMENTO.get(center.dias_funcionamento, center.dias_funcionamento),
        "eh_presencial": _flag(center.eh_presencial),
        "eh_online": _flag(center.eh_online),
        "funcionamento_pandemia": _flag(center.funcionamento_pandemia),
        "observacao_pandemia": center.observacao_pandemia,
        "ja_passou_por_moderacao": int(center.ja_passou_por_moderacao),
        "observacao": center.observacao,
    }


_URL = re.compile(r"(https?://[^\s<>\"']+)")


def _linkify(text: str) -> str:
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        url = html.escape(m.group(1), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out).replace("\n", "<br/>")


def content_html(center: Center) -> str:
    """The detail card the app renders (every value escaped: centers come from files and suggestions)."""
    e = html.escape
    title = '<p style="color: #0a115f">'
    body = '<p style="color: #818181;">'
    parts = [f"{title}{_linkify(center.observacao or '')}</p>"]
    numero = "s/n" if center.numero_sem_numero or center.numero is None else str(center.numero)
    address = f"{center.tipo_logradouro} {center.nome_logradouro}, {numero}"
    if center.complemento:
        address += f" {center.complemento}"
    address += f" -{center.bairro} -{center.municipio}, {center.uf}, {center.cep} "
    parts.append(f"<br/>{title}<b>Endereço</b></p>{body}{e(address)}</p>")
    phones = []
    for tel, ramal in ((center.telefone1, center.ramal1), (center.telefone2, center.ramal2)):
        if tel:
            number = f"+55{center.ddd or ''}{tel}"
            label = f"({center.ddd}) {tel}" if center.ddd else str(tel)
            if ramal:
                label += f" ramal {ramal}"
            phones.append(f'<a href="tel:{e(number)}">{e(label)}</a>')
    if phones:
        parts.append(f"<br/>{title}<b>Telefone</b></p>{body}{' / '.join(phones)}</p>")
    hours = []
    if center.dias_funcionamento:
        hours.append(DIAS_FUNCIONAMENTO.get(center.dias_funcionamento, center.dias_funcionamento))
    if center.eh_24h:
        hours.append("24 horas")
    elif center.horario_inicio and center.horario_fim:
        hours.append(f"{center.horario_inicio} às {center.horario_fim}")
    if hours:
        parts.append(f"<br/>{title}<b>Funcionamento</b></p>{body}{e(', '.join(hours))}</p>")
    return "".join(parts)


def center_detail(center_id: int, cliente_id: int | None = None) -> dict:
    center = get_active_center(center_id)
    place = detail_row(center)
    if cliente_id is None:
        return {"ponto_apoio": place, "avaliacao_maxima": "5"}
    place["content_html"] = content_html(center)
    mine = my_ratings(cliente_id, [center.id]).get(center.id)
    place["cliente_avaliacao"] = mine
    return {"ponto_apoio": place, "cliente_avaliacao": mine, "avaliacao_maxima": "5"}


# -- ratings -----------------------------------------------------------------------------------------------------
def rate_center(cliente_id: int, center_id: int, rating: int | None, remove: bool = False) -> None:
    if not remove and (rating is None or not 0 <= rating <= 5):
        raise form_error("rating", message="precisa ser entre 0 e 5")
    center = Center.get_or_none((Center.id == center_id) & (Center.status == "active"))
    if center is None:
        raise form_error("ponto_apoio_id", message="ponto de apoio não encontrado")
    with database.atomic():
        CenterRating.delete().where((CenterRating.cliente == cliente_id) & (CenterRating.center == center_id)).execute()
        if not remove:
            CenterRating.create(cliente=cliente_id, center=center_id, created_at=clock.now(), avaliacao=rating)
        _recompute_rating(center_id)


def _recompute_rating(center_id: int) -> None:
    avg, count = (CenterRating.select(fn.COALESCE(fn.AVG(CenterRating.avaliacao), 0), fn.COUNT(CenterRating.id))
                  .where(CenterRating.center == center_id).scalar(as_tuple=True))
    Center.update(avaliacao=float(avg), qtde_avaliacao=count, updated_at=clock.now()).where(
        Center.id == center_id).execute()


def erase_ratings(cliente_id: int) -> None:
    """Account deletion (listed in services/deletion.py): her ratings go by cascade with her row, but the averages
    they fed are stored on the centers: take them out."""
    with database.atomic():
        rated = [c for (c,) in CenterRating.select(CenterRating.center).where(CenterRating.cliente == cliente_id)
                 .tuples()]
        CenterRating.delete().where(CenterRating.cliente == cliente_id).execute()
        for center_id in rated:
            _recompute_rating(center_id)


# -- auxiliary data ----------------------------------------------------------------------------------------------
def find_project(label: str) -> CenterProject:
    project = (CenterProject.select().where((fn.LOWER(CenterProject.label) == label.strip().lower())
                                            & (CenterProject.status == "prod")).first())
    if project is None:
        raise form_error("projeto", message="Não encontrado")
    return project


def auxiliary_data(projeto: str | None) -> dict:
    if projeto:
        find_project(projeto)
        projetos = []
    else:
        projetos = [{"id": p.id, "label": p.label}
                    for p in CenterProject.select().where(CenterProject.status == "prod").order_by(CenterProject.label)]
    cats = list(CenterCategory.select().where(CenterCategory.status == "prod").order_by(CenterCategory.label))
    return {
        "categorias": [{"id": c.id, "label": c.label} for c in cats],
        "projetos": projetos,
        "dias_funcionamento": [
            {"value": "dias_uteis", "label": "Dias úteis"},
            {"value": "fds", "label": "Fim de semana"},
            {"value": "dias_uteis_fds_plantao", "label": "Dias úteis com plantão aos fins de semanas"},
            {"value": "todos_os_dias", "label": "Todos os dias"},
        ],
        "fields": [
            {"code": "endereco_ou_cep", "name": "Endereço ou CEP", "max_length": 255, "required": 1, "type": "Str"},
            {"code": "endereco", "name": "Endereço", "max_length": 255, "required": 0, "type": "Str"},
            {"code": "cep", "name": "CEP", "max_length": 255, "required": 0, "type": "Str"},
            {"code": "telefone", "name": "Telefone com DDD ou 0800", "max_length": 255, "required": 0, "type": "Str"},
            {"code": "nome", "name": "Nome", "max_length": 255, "required": 1, "type": "Str"},
            {"code": "categoria", "name": "Categoria", "required": 1, "type": "Str",
             "options": [{"value": c.id, "name": c.label} for c in cats]},
            {"code": "descricao_servico", "name": "Descrição do serviço", "max_length": 9999, "required": 1,
             "type": "Str"},
        ],
    }


def no_location_error():
    return PenhasError("location_token", "é necessário localização", 400)
