"""GET /openapi.json: the API's OpenAPI 3.1 document, built once per app from the routes' declarations."""
import hashlib

import orjson
from flask import Blueprint, Response, current_app, request

from penhas_api.declarations import declare
from penhas_api.openapi import build_document
from penhas_api.schemas import OBJECT, json

bp = Blueprint("openapi", __name__)


def document_bytes() -> tuple[bytes, str]:
    cached = current_app.extensions.get("penhas_openapi")
    if cached is None:
        body = orjson.dumps(build_document(current_app), option=orjson.OPT_INDENT_2)
        cached = (body, hashlib.sha256(body).hexdigest()[:32])
        current_app.extensions["penhas_openapi"] = cached
    return cached


@bp.get("/openapi.json")
@declare("This document: every route, its parameters, answers and error codes", "meta",
         ok=json({**OBJECT, "required": ["openapi", "info", "paths"]}), other={304: "Not modified (ETag)"})
def openapi_document(_params):
    body, etag = document_bytes()
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    response = Response(body, mimetype="application/json")
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
