"""The OpenAPI 3.1 document of the API, generated from the app's URL rules and each view's declaration.

Nothing here is written by hand per route: parameters come from the fields the validator enforces, security from
the auth decorator, answers from the declaration's schemas and error codes. A route without a declaration makes
the generator fail, so a new route cannot ship undocumented (tests/api/test_openapi.py builds the document).
"""
import re
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version

from flask import Flask

from penhas_api.declarations import Declaration, auth_of, declaration_of
from penhas_api.params import Field
from penhas_api.schemas import error_envelope

OPENAPI_VERSION = "3.1.0"

# Failures any route can answer, whatever its own code: a malformed body, a body over the size limit, a body that
# stopped arriving (penhas_api/errors.py), a request line or headers over gunicorn's limits (web_server.py).
SERVER_ERRORS = {400: ("bad_request",), 413: ("request_too_large",), 414: ("request_line_too_long",),
                 431: ("request_headers_too_large",), 503: ("service_unavailable",)}
SESSION_ERRORS = {400: ("expired_jwt",), 401: ("missing_jwt",), 403: ("jwt_logout",), 429: ("too_many_requests",)}
# require_user also answers 404 for an account that is not active (mobile-contract §1.7).
USER_ERRORS = {**SESSION_ERRORS, 404: ("Page not found",)}
FORM_ERRORS = {400: ("form_error",)}
LIMIT_ERRORS = {429: ("too_many_requests",)}

STATUS_TEXT = {200: "OK", 204: "Done (no body)", 302: "Found", 400: "Bad request", 401: "Not authenticated",
               403: "Forbidden", 404: "Not found", 409: "Conflict", 413: "Request too large", 414: "Request line too long",
               415: "Unsupported media type", 431: "Request headers too large",
               429: "Too many requests", 503: "Service unavailable"}

# Flask's own static route has no view of ours to carry a declaration.
STATIC = Declaration(summary="A file the server ships (web page styles and images)", tag="web",
                     ok=("*/*", {}), errors={404: ("Page not found",)})

SECURITY_SCHEMES = {
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                     "description": "The session token returned by POST /login or POST /signup (`session`)."},
    "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key",
                    "description": "The same token as a parameter; read before the header (POST /reactivate)."},
}

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([A-Za-z_][A-Za-z0-9_]*)>")


def _package_version() -> str:
    try:
        return version("penhas")
    except PackageNotFoundError:
        return "0.0.0"


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(r"{\1}", rule)


def _merge(*maps: dict[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    out: dict[int, tuple[str, ...]] = {}
    for m in maps:
        for status, codes in m.items():
            out[status] = tuple(sorted(set(out.get(status, ()) + tuple(codes))))
    return out


def _param(name: str, where: str, f: Field, description: str | None = None) -> dict:
    out = {"name": name, "in": where, "required": True if where == "path" else f.required, "schema": f.schema()}
    if description:
        out["description"] = description
    return out


def _form_body(fields: dict[str, Field], files: dict[str, dict]) -> dict:
    schema = {"type": "object", "properties": {**files, **{name: f.schema() for name, f in fields.items()}}}
    required = list(files) + [name for name, f in fields.items() if f.required]
    if required:
        schema["required"] = required
    content_type = "multipart/form-data" if files else "application/x-www-form-urlencoded"
    return {"required": bool(required), "content": {content_type: {"schema": schema}}}


def _link(target: str, values: dict[str, str]) -> dict:
    """``body.<field>`` values fill the target's form body (POST /login's), the others its parameters."""
    link: dict = {"operationId": target}
    parameters = {k: v for k, v in values.items() if not k.startswith("body.")}
    body = {k[5:]: v for k, v in values.items() if k.startswith("body.")}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body
    return link


def error_codes(declaration: Declaration, auth: str | None) -> dict[int, tuple[str, ...]]:
    """Every error code the route can answer, by status."""
    maps = [SERVER_ERRORS, declaration.errors]
    if auth == "user":
        maps.append(USER_ERRORS)
    elif auth == "session":
        maps.append(SESSION_ERRORS)
    if declaration.fields() or declaration.groups:
        maps.append(FORM_ERRORS)
    if declaration.limited:
        maps.append(LIMIT_ERRORS)
    return _merge(*maps)


def operation(declaration: Declaration, auth: str | None, operation_id: str, path_args: list[str]) -> dict:
    op: dict = {"operationId": operation_id, "summary": declaration.summary, "tags": [declaration.tag]}
    if declaration.description:
        op["description"] = declaration.description
    params = [_param(name, "path", declaration.path.get(name, Field("str"))) for name in path_args]
    params += [_param(name, "query", f) for name, f in declaration.query.items()]
    for group in declaration.groups.values():
        params += [_param(name, "query", replace(f, required=False),
                          f"required when {group.when}" if f.required else f"checked when {group.when}")
                   for name, f in group.fields.items()]
    params += [_param(name, "query", f) for name, f in declaration.documented.items()]
    if params:
        op["parameters"] = params
    if declaration.form or declaration.files:
        op["requestBody"] = _form_body(declaration.form, declaration.files)
    elif declaration.body:
        content_type, schema = declaration.body
        op["requestBody"] = {"required": True, "content": {content_type: {"schema": schema}}}
    if auth:
        op["security"] = [{"apiKeyHeader": []}, {"apiKeyQuery": []}]
    else:
        op["security"] = []

    ok: dict = {"description": STATUS_TEXT.get(declaration.ok_status, "OK")}
    if declaration.ok is not None:
        content_type, schema = declaration.ok
        ok["content"] = {content_type: {"schema": schema},
                         **{media: {"schema": alt} for media, alt in declaration.alternatives.items()}}
    if declaration.links:
        ok["links"] = {name: _link(target, values) for name, (target, values) in declaration.links.items()}
    responses: dict = {str(declaration.ok_status): ok}
    for status, description in declaration.other.items():
        responses[str(status)] = {"description": description}
    for status, codes in sorted(error_codes(declaration, auth).items()):
        responses[str(status)] = {
            "description": f"{STATUS_TEXT.get(status, 'Error')}: " + ", ".join(f"`{c}`" for c in codes),
            "content": {"application/json": {"schema": error_envelope(codes)}},
        }
    for status, description in declaration.error_pages.items():
        page = responses.setdefault(str(status), {"description": STATUS_TEXT.get(status, "Error"), "content": {}})
        page["description"] += f"; a browser gets an HTML page: {description}"
        page["content"]["text/html"] = {"schema": {"type": "string"}}
    op["responses"] = responses
    return op


def endpoint_declaration(app: Flask, endpoint: str) -> Declaration | None:
    """What an endpoint declares: Flask's own static files have the fixed STATIC declaration."""
    return STATIC if endpoint == "static" else declaration_of(app.view_functions[endpoint])


def build_document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    used_ids: set[str] = set()
    undeclared = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        declaration = endpoint_declaration(app, rule.endpoint)
        if declaration is None:
            undeclared.append(rule.rule)
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            operation_id = rule.endpoint if len(methods) == 1 else f"{rule.endpoint}.{method.lower()}"
            while operation_id in used_ids:  # the same view under a second rule (a trailing slash)
                operation_id += "_alt"
            used_ids.add(operation_id)
            path = openapi_path(rule.rule)
            paths.setdefault(path, {})[method.lower()] = operation(
                declaration, auth_of(view), operation_id, _CONVERTER.findall(rule.rule))
    if undeclared:
        raise RuntimeError("routes without a declaration: " + ", ".join(sorted(undeclared)))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "PenhaS API",
            "version": _package_version(),
            "description": ("The API of the PenhaS app. Parameters travel in the query string for every method, "
                            "as the app sends them; the server also reads them from a form body. Every error "
                            "is `{error, message[, field, reason]}` with the codes each operation lists."),
        },
        "paths": paths,
        "components": {"securitySchemes": SECURITY_SCHEMES},
    }

