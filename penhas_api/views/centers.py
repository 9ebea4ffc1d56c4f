"""Support centers (contract §2.12; backend-rules §6): public map endpoints and the app's /me endpoints."""
import io
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, g, request

from penhas_api.auth import require_module, require_user
from penhas_api.core import clock
from penhas_api.core.errors import form_error
from penhas_api.core.services import (center_full_list, center_import, center_search, center_suggestions, centers,
                                      locations)
from penhas_api.core.ids import parse_id
from penhas_api.declarations import Group, before, declare
from penhas_api.limits import check_limit, ip_key, limiter
from penhas_api.params import Field
from penhas_api.schemas import ANY, BOOL01, EMPTY, INT, NUMSTR, STR, arr, json, nullable, obj

bp = Blueprint("centers", __name__)

SEARCH_FIELDS = {
    "categorias": Field("int_list", max_length=2000, empty_is_valid=True),
    "projeto": Field("str", max_length=200, empty_is_valid=True, description="a project's name (the app: Penhas)"),
    "rows": Field("int", description="3 to 5000, else 100"),
    "max_distance": Field("int", description="km, 1 to 5000 (5000: no limit); 50 by default"),
    "next_page": Field("str", max_length=9999, empty_is_valid=True),
    "location_token": Field("str", max_length=9999, empty_is_valid=True, description="from /geocode or /me/geocode"),
    "keywords": Field("str", max_length=200, empty_is_valid=True),
    "is_web": Field("bool", description="1: no point needed (the web map)"),
    "full_list": Field("bool", description="1: every match, ordered by id, in one page"),
    "eh_24h": Field("bool", empty_is_valid=True),
    "dias_funcionamento": Field("str", max_length=99, empty_is_valid=True),
    "as_csv": Field("bool", description="1: the matches as a CSV download (public list only)"),
    "latitude": Field("latitude", max_length=20),
    "longitude": Field("longitude", max_length=20),
}
SUGGESTION_FIELDS = {
    "nome": Field("str", required=True, max_length=255),
    "categoria": Field("str", required=True, max_length=20),
    "nome_logradouro": Field("str", required=True, max_length=255),
    "cep": Field("str", max_length=9, empty_is_valid=True),
    "abrangencia": Field("str", required=True, max_length=55),
    "complemento": Field("str", max_length=255, empty_is_valid=True),
    "numero": Field("str", required=True, max_length=255),
    "bairro": Field("str", max_length=255, empty_is_valid=True),
    "municipio": Field("str", required=True, max_length=255),
    "uf": Field("str", required=True, max_length=2),
    "email": Field("str", max_length=255, empty_is_valid=True),
    "horario": Field("str", max_length=255, empty_is_valid=True),
    "ddd1": Field("int", empty_is_valid=True),
    "telefone1": Field("int", empty_is_valid=True),
    "ddd2": Field("int", empty_is_valid=True),
    "telefone2": Field("int", empty_is_valid=True),
    "is24h": Field("str", max_length=8, empty_is_valid=True),
    "eh_24h": Field("str", max_length=8, empty_is_valid=True),
    "hasWhatsapp": Field("str", max_length=8, empty_is_valid=True),
    "has_whatsapp": Field("str", max_length=8, empty_is_valid=True),
    "observacao": Field("str", max_length=9999, empty_is_valid=True),
}
MODULE = "pontos_de_apoio"
PATH_ID = {"ponto_apoio_id": Field("int", max_length=18, description="1 to 18 digits; anything else answers "
                                                                     "form_error")}

# The place objects of the app (contract §2.12.2): rating, distance and address fields are strings or null (a
# number would throw), coordinates numeric strings. The keys the golden fixtures always carry are required.
CATEGORY = obj({"id": INT, "nome": nullable(STR), "cor": nullable(STR)})
_COORDS = {"latitude": nullable(NUMSTR), "longitude": nullable(NUMSTR)}
_PLACE = {"id": INT, "nome": nullable(STR), **_COORDS, "avaliacao": nullable(STR), "uf": nullable(STR),
          "categoria": CATEGORY}
LIST_ROW = obj({**_PLACE, "distancia": nullable(STR),
                "cliente_avaliacao?": nullable(INT)})  # the user's own rating: /me only
DETAIL = obj({
    **_PLACE, "cep": nullable(STR), "tipo_logradouro": nullable(STR), "nome_logradouro": nullable(STR),
    "numero": ANY, "numero_sem_numero": BOOL01, "complemento": nullable(STR), "bairro": nullable(STR),
    "municipio": nullable(STR), "natureza": nullable(STR), "descricao": nullable(STR), "ddd": nullable(INT),
    "telefone1": nullable(INT), "telefone2": nullable(INT), "eh_24h": nullable(BOOL01),
    "horario_inicio": nullable(STR), "horario_fim": nullable(STR), "dias_funcionamento": nullable(STR),
    "eh_presencial": nullable(BOOL01), "eh_online": nullable(BOOL01), "funcionamento_pandemia": nullable(BOOL01),
    "observacao_pandemia": nullable(STR), "ja_passou_por_moderacao": BOOL01, "observacao": nullable(STR),
    "content_html?": STR,  # /me only: the detail card
})
DETAIL_ANSWER = obj({"ponto_apoio": DETAIL, "avaliacao_maxima": STR, "cliente_avaliacao?": nullable(INT)})


def _list_answer(coordinate: dict) -> dict:
    """``coordinate``: the point the search was centred on (the app's map needs it on /me)."""
    return obj({"rows": arr(LIST_ROW), "has_more": BOOL01, "next_page": nullable(STR), "avaliacao_maxima": STR,
                "latitude": coordinate, "longitude": coordinate})


GEOCODE = obj({"label": nullable(STR), "location_token": STR})
ADDRESS = {"address": Field("str", max_length=200, description="a CEP (8 digits) or an address")}
LABELLED = arr(obj({"id": INT, "label": STR}))


def _point(form: dict):
    if form.get("location_token"):
        return locations.read_location_token(form["location_token"])
    if form.get("latitude") and form.get("longitude"):
        return locations.Location(float(form["latitude"]), float(form["longitude"]))
    return None


def _list_response(q: centers.Search, cliente_id=None, with_rating=False) -> dict:
    result = centers.search_centers(q)
    return {
        "rows": centers.list_rows(result, q, cliente_id, with_rating),
        "has_more": int(result.has_more),
        "next_page": center_search.next_page(q, result),
        "avaliacao_maxima": "5",
        "latitude": centers.fmt_coord(q.latitude),
        "longitude": centers.fmt_coord(q.longitude),
    }


def _csv_download(q: centers.Search) -> Response:
    out = io.StringIO()
    center_import.export_csv(out, centers.matching_centers(q))
    day = clock.now().replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("America/Sao_Paulo")).strftime("%d-%m-%Y")
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="lista-pontos-apoios-{day}.csv"'})


def _center_id(raw: str) -> int:
    center_id = parse_id(raw)
    if center_id is None:
        raise form_error("ponto_apoio_id")
    return center_id


def _module_and_limit(limit: str, key: str):
    """The module, then her own rate limit, before the parameters (the order the routes always had)."""
    def check(**_):
        require_module(MODULE)
        check_limit(limit, f"{key}:{g.user.id}")

    return check


def _geocode_limits(**_):
    check_limit("1000/day", f"daily_geocode:{g.user.id}")
    check_limit("200/hour", f"hourly_geocode:{g.user.id}")


# -- public ------------------------------------------------------------------------------------------------------
@bp.get("/pontos-de-apoio-dados-auxiliares")
@limiter.limit("30/minute", key_func=lambda: "pad:" + ip_key())
@declare(
    "The categories and projects of the support centers, for the filters and the suggestion form", "centers",
    query={"projeto": Field("str", max_length=100, empty_is_valid=True,
                            description="a project's name: checked, and `projetos` is then empty")},
    ok=json(obj({
        "categorias": LABELLED, "projetos": LABELLED,
        "dias_funcionamento": arr(obj({"value": STR, "label": STR})),
        "fields": arr(obj({"code": STR, "name": STR, "required": BOOL01, "type": STR, "max_length?": INT,
                           "options?": arr(obj({"value": INT, "name": STR}))})),
    })),
    limited=True,
)
def auxiliary(v):
    return centers.auxiliary_data(v.get("projeto") or None)


@bp.get("/pontos-de-apoio")
@limiter.limit("30/minute", key_func=lambda: "pa_list:" + ip_key())
@declare(
    "Search the support centers near a point (or every one, for the web map)", "centers", query=SEARCH_FIELDS,
    description="Centred on `location_token` (from /geocode) or `latitude`+`longitude`; without either only "
                "`is_web=1` is accepted. `as_csv=1` answers the matching centers as a CSV download "
                "(`text/csv`) instead.",
    ok=json(_list_answer(nullable(NUMSTR))), alternatives={"text/csv": STR}, errors={400: ("location_token",)},
    limited=True,
)
def public_list(v):
    q = center_search.build_search(v)
    if v.get("as_csv"):
        return _csv_download(q)
    point = _point(v)
    if point is None and not v.get("is_web"):
        raise centers.no_location_error()
    if point is not None:
        q.latitude, q.longitude, q.municipality = point.latitude, point.longitude, point.ibge
    centers.log_keywords(q.keywords, None)
    return _list_response(q)


@bp.get("/pontos-de-apoio/<ponto_apoio_id>")
@limiter.limit("120/minute", key_func=lambda: "pa:" + ip_key())
@limiter.limit("1000/hour", key_func=lambda: "hpa:" + ip_key())
@declare("A support center", "centers", path=PATH_ID, ok=json(DETAIL_ANSWER),
         errors={400: ("form_error",), 404: ("item_not_found",)}, limited=True)
def public_detail(_v, ponto_apoio_id):
    return centers.center_detail(_center_id(ponto_apoio_id))


@bp.get("/geocode")
@limiter.limit("1000/day", key_func=lambda: "daily_geocode:" + ip_key())
@limiter.limit("200/hour", key_func=lambda: "hourly_geocode:" + ip_key())
@declare("Locate an address or CEP: a token for the center search", "centers", query=ADDRESS, ok=json(GEOCODE),
         errors={400: ("location_not_found",)}, limited=True,
         links={"search": ("centers.public_list", {"location_token": "$response.body#/location_token"})})
def public_geocode(v):
    return locations.geocode_for_app(v.get("address") or "")


# -- the app (/me) -----------------------------------------------------------------------------------------------
@bp.get("/me/pontos-de-apoio")
@require_user
@before(_module_and_limit("10/minute", "pa_list"))
@declare(
    "Search the support centers near her (module pontos_de_apoio)", "centers", query=SEARCH_FIELDS,
    description="Centred on `location_token`, else `latitude`+`longitude`, else her account's CEP. The app "
                "always sends `full_list=1`: every matching center, ordered by id, in one page.",
    ok=json(_list_answer(NUMSTR)), errors={400: ("missing_module", "no-cep", "no-gps")},
)
def me_list(v):
    q = center_search.build_search(v)
    point = _point(v) or locations.account_location(g.user.cep, g.user.cep_ibge)
    municipality = point.ibge if point.ibge is not None else locations.account_municipality(g.user.cep_ibge)
    q.latitude, q.longitude, q.municipality = point.latitude, point.longitude, municipality
    centers.log_keywords(q.keywords, g.user.id)
    if q.full_list:
        return Response(center_full_list.full_list_body(q, g.user.id), mimetype="application/json")
    return _list_response(q, g.user.id, with_rating=True)


@bp.get("/me/pontos-de-apoio/<ponto_apoio_id>")
@require_user
@declare("A support center, with its detail card and her rating (module pontos_de_apoio)", "centers",
         path=PATH_ID, ok=json(DETAIL_ANSWER),
         errors={400: ("missing_module", "form_error"), 404: ("item_not_found",)})
def me_detail(_v, ponto_apoio_id):
    require_module(MODULE)
    return centers.center_detail(_center_id(ponto_apoio_id), g.user.id)


@bp.post("/me/avaliar-pontos-de-apoio")
@require_user
@before(_module_and_limit("120/hour", "pa_rating"))
@declare(
    "Rate a support center from 0 to 5, or remove her rating (module pontos_de_apoio)", "centers",
    query={"ponto_apoio_id": Field("int", required=True, max_length=18),
           "remove": Field("str", max_length=1, empty_is_valid=True, description="any value: remove her rating")},
    groups={"rating": Group("remove is absent or empty", {"rating": Field("int", required=True, max_length=2,
                                                                          description="0 to 5")})},
    ok=json(EMPTY), errors={400: ("missing_module",)},
)
def me_rate(v):
    remove = bool(v.get("remove"))
    rating = None if remove else v.group("rating")["rating"]
    centers.rate_center(g.user.id, v["ponto_apoio_id"], rating, remove)
    return {}


@bp.get("/me/geocode")
@require_user
@before(_geocode_limits)
@declare("Locate an address or CEP: a token for her center search", "centers", query=ADDRESS, ok=json(GEOCODE),
         errors={400: ("location_not_found",)},
         links={"search": ("centers.me_list", {"location_token": "$response.body#/location_token"})})
def me_geocode(v):
    return locations.geocode_for_app(v.get("address") or "")


@bp.post("/me/sugerir-pontos-de-apoio-completo")
@require_user
@before(_module_and_limit("120/hour", "pa_suggest"))
@declare("Suggest a new support center for review (module pontos_de_apoio)", "centers", form=SUGGESTION_FIELDS,
         description="The app sends `is24h` and `hasWhatsapp` (`Sim`, `Não` or empty); `eh_24h` and "
                     "`has_whatsapp` are the original form's names for them.",
         ok=json(obj({"success?": BOOL01, "title": STR, "message": STR})),
         errors={400: ("missing_module", "cep_invalid")})
def me_suggest(v):
    center_suggestions.suggest(g.user.id, v, request.remote_addr)
    return center_suggestions.SUGGESTION_RECEIVED
