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
from penhas_api.limits import check_limit, ip_key, limiter
from penhas_api.params import Field, validate

bp = Blueprint("centers", __name__)

SEARCH_FIELDS = {
    "categorias": Field("int_list", max_length=2000, empty_is_valid=True),
    "projeto": Field("str", max_length=200, empty_is_valid=True),
    "rows": Field("int"),
    "max_distance": Field("int"),
    "next_page": Field("str", max_length=9999, empty_is_valid=True),
    "location_token": Field("str", max_length=9999, empty_is_valid=True),
    "keywords": Field("str", max_length=200, empty_is_valid=True),
    "is_web": Field("bool"),
    "full_list": Field("bool"),
    "eh_24h": Field("bool", empty_is_valid=True),
    "dias_funcionamento": Field("str", max_length=99, empty_is_valid=True),
    "as_csv": Field("bool"),
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


# -- public ------------------------------------------------------------------------------------------------------
@bp.get("/pontos-de-apoio-dados-auxiliares")
@limiter.limit("30/minute", key_func=lambda: "pad:" + ip_key())
def auxiliary():
    form = validate({"projeto": Field("str", max_length=100, empty_is_valid=True)})
    return centers.auxiliary_data(form.get("projeto") or None)


@bp.get("/pontos-de-apoio")
@limiter.limit("30/minute", key_func=lambda: "pa_list:" + ip_key())
def public_list():
    form = validate(SEARCH_FIELDS)
    q = center_search.build_search(form)
    if form.get("as_csv"):
        return _csv_download(q)
    point = _point(form)
    if point is None and not form.get("is_web"):
        raise centers.no_location_error()
    if point is not None:
        q.latitude, q.longitude, q.municipality = point.latitude, point.longitude, point.ibge
    centers.log_keywords(q.keywords, None)
    return _list_response(q)


@bp.get("/pontos-de-apoio/<ponto_apoio_id>")
@limiter.limit("120/minute", key_func=lambda: "pa:" + ip_key())
@limiter.limit("1000/hour", key_func=lambda: "hpa:" + ip_key())
def public_detail(ponto_apoio_id):
    return centers.center_detail(_center_id(ponto_apoio_id))


@bp.get("/geocode")
@limiter.limit("1000/day", key_func=lambda: "daily_geocode:" + ip_key())
@limiter.limit("200/hour", key_func=lambda: "hourly_geocode:" + ip_key())
def public_geocode():
    form = validate({"address": Field("str", max_length=200)})
    return locations.geocode_for_app(form.get("address") or "")


# -- the app (/me) -----------------------------------------------------------------------------------------------
@bp.get("/me/pontos-de-apoio")
@require_user
def me_list():
    require_module("pontos_de_apoio")
    check_limit("10/minute", f"pa_list:{g.user.id}")
    form = validate(SEARCH_FIELDS)
    q = center_search.build_search(form)
    point = _point(form) or locations.account_location(g.user.cep, g.user.cep_ibge)
    municipality = point.ibge if point.ibge is not None else locations.account_municipality(g.user.cep_ibge)
    q.latitude, q.longitude, q.municipality = point.latitude, point.longitude, municipality
    centers.log_keywords(q.keywords, g.user.id)
    if q.full_list:
        return Response(center_full_list.full_list_body(q, g.user.id), mimetype="application/json")
    return _list_response(q, g.user.id, with_rating=True)


@bp.get("/me/pontos-de-apoio/<ponto_apoio_id>")
@require_user
def me_detail(ponto_apoio_id):
    require_module("pontos_de_apoio")
    return centers.center_detail(_center_id(ponto_apoio_id), g.user.id)


@bp.post("/me/avaliar-pontos-de-apoio")
@require_user
def me_rate():
    require_module("pontos_de_apoio")
    check_limit("120/hour", f"pa_rating:{g.user.id}")
    form = validate({"ponto_apoio_id": Field("int", required=True, max_length=18),
                     "remove": Field("str", max_length=1, empty_is_valid=True)})
    remove = bool(form.get("remove"))
    rating = None if remove else validate({"rating": Field("int", required=True, max_length=2)})["rating"]
    centers.rate_center(g.user.id, form["ponto_apoio_id"], rating, remove)
    return {}


@bp.get("/me/geocode")
@require_user
def me_geocode():
    check_limit("1000/day", f"daily_geocode:{g.user.id}")
    check_limit("200/hour", f"hourly_geocode:{g.user.id}")
    form = validate({"address": Field("str", max_length=200)})
    return locations.geocode_for_app(form.get("address") or "")


@bp.post("/me/sugerir-pontos-de-apoio-completo")
@require_user
def me_suggest():
    require_module("pontos_de_apoio")
    check_limit("120/hour", f"pa_suggest:{g.user.id}")
    form = validate(SUGGESTION_FIELDS)
    center_suggestions.suggest(g.user.id, form, request.remote_addr)
    return center_suggestions.SUGGESTION_RECEIVED
