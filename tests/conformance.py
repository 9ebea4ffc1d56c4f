"""Every response the test suite gets from the shared app is checked against its route's OpenAPI operation.

So the whole suite doubles as a conformance test of the document: a status, a content type, an error code or a
JSON shape that a route answers but does not declare fails the test that provoked it (at its teardown).
"""
from flask import Flask, request
from jsonschema import Draft202012Validator

from penhas_api.declarations import auth_of
from penhas_api.openapi import endpoint_declaration, operation

EXTENSION = "penhas_conformance"


def _operation(app: Flask, endpoint: str) -> dict | None:
    cache = app.extensions[EXTENSION]["operations"]
    if endpoint not in cache:
        declaration = endpoint_declaration(app, endpoint)
        cache[endpoint] = (None if declaration is None
                           else operation(declaration, auth_of(app.view_functions[endpoint]), endpoint, []))
    return cache[endpoint]


def problems(app: Flask, response) -> list[str]:
    if request.url_rule is None or request.method in ("HEAD", "OPTIONS") or response.status_code == 405:
        return []
    op = _operation(app, request.endpoint)
    if op is None:  # an undeclared route fails the document's own test
        return []
    where = f"{request.method} {request.url_rule.rule} → {response.status_code}"
    declared = op["responses"].get(str(response.status_code))
    if declared is None:
        return [f"{where}: status not declared"]
    content = declared.get("content")
    if not content:
        return []
    media = response.mimetype
    if not {media, media.split("/")[0] + "/*", "*/*"} & set(content):
        return [f"{where}: content type {media} not declared ({', '.join(content)})"]
    if media != "application/json" or media not in content:
        return []
    schema = content[media]["schema"]
    body = response.get_json(silent=True)
    validator = app.extensions[EXTENSION]["validators"].setdefault(id(schema), Draft202012Validator(schema))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    return [f"{where}: {'/'.join(map(str, e.absolute_path)) or '$'}: {e.message[:300]}" for e in errors[:5]]


def install(app: Flask) -> None:
    app.extensions[EXTENSION] = {"operations": {}, "validators": {}, "violations": []}

    @app.after_request
    def _check(response):
        app.extensions[EXTENSION]["violations"].extend(problems(app, response))
        return response


def take_violations(app: Flask) -> list[str]:
    found = app.extensions[EXTENSION]["violations"]
    out = list(found)
    found.clear()
    return out
