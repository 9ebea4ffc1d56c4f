"""Small builders for the JSON Schemas of response bodies, and the shapes several routes share.

``obj({"a": STR, "b?": INT})``: an object whose key ``a`` is always present and ``b`` sometimes (the trailing
``?``). Extra keys are allowed, as in the app's parsers, which ignore what they do not read. Numbers the app
reads as strings are ``NUMSTR``, never ``INT``: the schema says what the app's parser needs.
"""

STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL01 = {"type": "integer", "enum": [0, 1]}
ANY = {}
NUMSTR = {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}
DATETIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "description": "absolute URL"}
EMPTY = {"type": "object", "maxProperties": 0}
OBJECT = {"type": "object"}


def obj(props: dict[str, dict] | None = None, *, extra: bool = True, description: str | None = None) -> dict:
    props = props or {}
    out: dict = {"type": "object", "properties": {k.rstrip("?"): v for k, v in props.items()}}
    required = [k for k in props if not k.endswith("?")]
    if required:
        out["required"] = required
    if not extra:
        out["additionalProperties"] = False
    if description:
        out["description"] = description
    return out


def arr(items: dict, description: str | None = None) -> dict:
    out = {"type": "array", "items": items}
    if description:
        out["description"] = description
    return out


def nullable(schema: dict) -> dict:
    if "type" in schema and isinstance(schema["type"], str) and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def one_of(*schemas: dict) -> dict:
    return {"anyOf": list(schemas)}


def const(value) -> dict:
    return {"const": value}


# The error envelope of every failure (mobile-contract §1.7): strings only, `field`/`reason` on form errors.
# `message` is always sent by this server, but optional for the app's parser (its cpf_form_field_error fixture).
def error_envelope(codes: tuple[str, ...] | None = None) -> dict:
    return obj({"error": {"type": "string", "enum": sorted(set(codes))} if codes else STR,
                "message?": STR, "field?": STR, "reason?": STR})


JSON = "application/json"
HTML = "text/html"


def json(schema: dict) -> tuple[str, dict]:
    return (JSON, schema)


def html() -> tuple[str, dict]:
    return (HTML, STR)


# Shared response shapes.
MESSAGE = obj({"message": STR})
SUCCESS_MESSAGE = obj({"message?": STR, "success": INT})
PAGINATED = {"has_more": BOOL01, "next_page": nullable(STR)}
