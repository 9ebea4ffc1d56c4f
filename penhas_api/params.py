"""Request parameters (query string merged with the form body, for every method) and the contract's validation.

Validation follows backend-rules §2.0 in this order: length → required → empty → type.
"""
import math
import re
from dataclasses import dataclass
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Callable

from flask import request

from penhas_api.core.cpf_digits import cpf_is_valid
from penhas_api.core.errors import DEFAULT_MESSAGE, form_error


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def get_params() -> Mapping[str, str]:
    """Query string first, the form body (urlencoded or multipart) overriding it, like Mojolicious params.

    Merged once per request (the token lookup and the route's validation both read them) and read-only, so no
    reader can change what the next one sees. Only a form content type has a form body (werkzeug parses nothing
    else), so no other request pays for looking."""
    cached = request.environ.get("penhas.params")
    if cached is None:
        merged = dict(request.args.items())
        if request.mimetype in _FORM_TYPES:
            merged.update(request.form.items())
        cached = request.environ["penhas.params"] = MappingProxyType(merged)
    return cached


# The largest integer any column (BIGINT) or SQLite can hold: beyond it a number is garbage, not a value.
INT_MAX = 2 ** 63 - 1


def _int(v: str):
    # ASCII digits only: \d also matches "١٢", which int() reads as 12.
    if not re.fullmatch(r"-?[0-9]+", v):
        raise ValueError
    number = int(v)
    if not -INT_MAX <= number <= INT_MAX:
        raise ValueError
    return number


def _num(v: str):
    if not re.fullmatch(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?", v):
        raise ValueError
    number = float(v)
    if not math.isfinite(number):  # "1e309" is infinity
        raise ValueError
    return number


def _bool(v: str):
    if v not in ("0", "1", ""):
        raise ValueError
    return v == "1"


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def _email(v: str):
    if not _EMAIL.match(v):
        raise ValueError
    return v


def _date(v: str):
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
        raise ValueError
    return date.fromisoformat(v)


def _datetime(v: str):
    value = v.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError from None


def _cpf(v: str):
    # Punctuation is not stripped: the app sends digits only, and so must everyone else.
    if not cpf_is_valid(v):
        raise ValueError
    return v


def _cep(v: str):
    digits = re.sub(r"\D", "", v)
    if not re.fullmatch(r"\d{8}", digits) or digits == "00000000":
        raise ValueError
    return digits


def _choice(*options):
    def check(v: str):
        if v not in options:
            raise ValueError
        return v

    return check


def _nome(v: str):
    trimmed = v.strip()
    if len(trimmed) >= 200 or " " not in trimmed or not re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ÿ' ]+", trimmed):
        raise ValueError
    return trimmed


def _regex(pattern: str, convert: Callable = str):
    compiled = re.compile(pattern, re.ASCII)  # \d is 0-9, as for the original's validator

    def check(v: str):
        if not compiled.fullmatch(v):
            raise ValueError
        return convert(v)

    return check


GENEROS = ("Feminino", "Masculino", "MulherTrans", "HomemTrans", "Outro")
RACAS = ("branco", "pardo", "preto", "amarelo", "indigena", "nao_declarado")
TIMELINE_CATEGORIES = ("all", "only_news", "only_tweets", "all_myself", "all_but_news")

TYPES: dict[str, Callable[[str], Any]] = {
    "str": lambda v: v,
    "int": _int,
    "num": _num,
    "bool": _bool,
    "email": _email,
    "date": _date,
    "datetime": _datetime,
    "cpf": _cpf,
    "cep": _cep,
    "genero": _choice(*GENEROS),
    "raca": _choice(*RACAS),
    "nome": _nome,
    "tweet_id": _regex(r"[0-9]{6}T[0-9]{10}"),
    "timeline_category": _choice(*TIMELINE_CATEGORIES),
    "int_list": _regex(r"[0-9]{1,6}(,[0-9]{1,6})*", lambda v: [int(x) for x in v.split(",")]),
    # The original's pattern repeats its "dd.ddd" group, which also matched "31.68.79" (not a number): one group.
    "latitude": _regex(r"[-+]?([1-8]?\d\.\d+|90)"),
    "longitude": _regex(r"[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)"),
}


# The JSON Schema of each type's accepted text, for the OpenAPI document (penhas_api/openapi.py); keyed like TYPES.
TYPE_SCHEMAS: dict[str, dict] = {
    "str": {"type": "string"},
    "int": {"type": "integer", "minimum": -INT_MAX, "maximum": INT_MAX},
    "num": {"type": "number"},
    "bool": {"type": "integer", "enum": [0, 1]},
    "email": {"type": "string", "format": "email"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "cpf": {"type": "string", "pattern": "^[0-9]{11}$", "description": "11 digits with valid check digits"},
    "cep": {"type": "string", "pattern": "^[0-9]{5}-?[0-9]{3}$"},
    "genero": {"type": "string", "enum": list(GENEROS)},
    "raca": {"type": "string", "enum": list(RACAS)},
    "timeline_category": {"type": "string", "enum": list(TIMELINE_CATEGORIES)},
    "nome": {"type": "string", "pattern": "^[A-Za-zÀ-ÖØ-öø-ÿ']+( [A-Za-zÀ-ÖØ-öø-ÿ']+)+$",
             "description": "first and last names (letters, apostrophes and spaces)"},
    "tweet_id": {"type": "string", "pattern": "^[0-9]{6}T[0-9]{10}$"},
    "int_list": {"type": "string", "pattern": "^[0-9]{1,6}(,[0-9]{1,6})*$", "description": "comma-separated ids"},
    "latitude": {"type": "string", "pattern": r"^[-+]?([1-8]?[0-9]\.[0-9]+|90)$"},
    "longitude": {"type": "string", "pattern": r"^[-+]?(180(\.0+)?|((1[0-7][0-9])|([1-9]?[0-9]))(\.[0-9]+)?)$"},
}


@dataclass(frozen=True)
class Field:
    type: str = "str"
    required: bool = False
    max_length: int | None = None
    min_length: int | None = None
    empty_is_valid: bool = False
    description: str | None = None

    def schema(self) -> dict:
        """The JSON Schema of the values this field accepts (what a client may send)."""
        out = dict(TYPE_SCHEMAS[self.type])
        if out["type"] == "string" and "enum" not in out:
            if self.max_length is not None:
                out["maxLength"] = self.max_length
            low = self.min_length or 0
            if not self.empty_is_valid:
                low = max(low, 1)
            if low:
                out["minLength"] = low
        elif out["type"] == "integer" and "enum" not in out and self.max_length is not None:
            # Digits (and a sign) count towards the length limit.
            out["maximum"] = min(10 ** self.max_length - 1, INT_MAX)
            out["minimum"] = max(-(10 ** (self.max_length - 1) - 1), -INT_MAX)
        if self.description:
            out["description"] = self.description
        return out


def validate(spec: dict[str, Field], params: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the cleaned values of the declared fields (absent optional fields are left out)."""
    params = get_params() if params is None else params
    out: dict[str, Any] = {}
    for name, f in spec.items():
        present = name in params
        value = params.get(name)
        if present and value is not None:
            if f.max_length is not None and len(value) > f.max_length:
                raise form_error(name, "invalid_max_length",
                                 f"{DEFAULT_MESSAGE} ({name}) máximo: {f.max_length} enviado: {len(value)}")
            if f.min_length is not None and len(value) < f.min_length:
                raise form_error(name, "invalid_min_length",
                                 f"{DEFAULT_MESSAGE} ({name}) mínimo: {f.min_length} enviado: {len(value)}")
        if not present or value is None:
            if f.required:
                raise form_error(name, "is_required")
            continue
        if value == "":
            if not f.empty_is_valid:
                raise form_error(name, "is_required")
            out[name] = "" if f.type == "str" else None
            continue
        if "\x00" in value:
            # No text of the contract holds a NUL, and PostgreSQL refuses to store one.
            raise form_error(name, "invalid")
        try:
            out[name] = TYPES[f.type](value)
        except (ValueError, TypeError):
            raise form_error(name, "invalid") from None
    return out
