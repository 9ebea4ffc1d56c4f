"""What each route declares once: its parameters, its body, its answers and the error codes it can return.

``@declare(...)`` sits just above the view (under the route and auth decorators, so a request is authenticated
before its parameters are checked). It validates the declared parameters in their declared order and hands them to
the view as its first argument; the OpenAPI document (``penhas_api/openapi.py``) is generated from the same
declaration, so the description cannot drift from what the validator enforces.
"""
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable

from penhas_api.params import Field, validate


@dataclass(frozen=True)
class Group:
    """Fields checked only when the view asks for them (e.g. sign-up's full form when ``dry=0``)."""
    when: str
    fields: dict[str, Field]


@dataclass(frozen=True)
class Declaration:
    summary: str
    tag: str
    # Parameters in the query string (the app's channel for every method) or in a form body: the server reads both.
    query: dict[str, Field] = field(default_factory=dict)
    # Fields the app sends in an application/x-www-form-urlencoded body (mobile-contract §1.4), or in a
    # multipart/form-data body when the route also takes file parts.
    form: dict[str, Field] = field(default_factory=dict)
    # File parts of a multipart body: {name: JSON Schema}, e.g. the audio upload's `media`.
    files: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    path: dict[str, Field] = field(default_factory=dict)
    # A request body other than a form: (content type, JSON Schema).
    body: tuple[str, dict] | None = None
    # Checked in the view (not by ``validate``): documented only, e.g. the preference keys or the guardian token.
    documented: dict[str, Field] = field(default_factory=dict)
    # The success answer: (content type, JSON Schema), or None for an answer without a body (a 204). The JSON
    # bodies follow the app's golden fixtures.
    ok: tuple[str, dict] | None = ("application/json", {"type": "object"})
    ok_status: int = 200
    # Error codes this route itself can return, by status; the auth and server-wide ones are added by the generator.
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Other successful answers, e.g. {302: "redirect to the news page"}.
    other: dict[int, str] = field(default_factory=dict)
    # OpenAPI links from the 200 answer: {name: (operationId, {parameter: runtime expression})}; a
    # ``body.<field>`` key fills a field of the target's form body.
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    limited: bool = False  # has a rate limit of its own (a 429 answer)
    # The same answers in other content types, chosen by the Accept header: {content type: schema of the 200}.
    alternatives: dict[str, dict] = field(default_factory=dict)
    # Statuses answered with an HTML page (for a browser) instead of the JSON envelope: {status: description}.
    error_pages: dict[int, str] = field(default_factory=dict)
    description: str | None = None

    def fields(self) -> dict[str, Field]:
        return {**self.query, **self.form}


class Params(dict):
    """The cleaned values of a request's declared parameters."""

    def __init__(self, values: dict[str, Any], declaration: Declaration):
        super().__init__(values)
        self._declaration = declaration

    def group(self, name: str) -> "Params":
        """Validate the named group now and add its values."""
        self.update(validate(self._declaration.groups[name].fields))
        return self


def declare(summary: str, tag: str, **kwargs):
    declaration = Declaration(summary=summary, tag=tag, **kwargs)

    fields = declaration.fields()

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kw):
            return view(Params(validate(fields), declaration), *args, **kw)

        # Copied up by every @wraps above (functools copies __dict__), so the registered endpoint carries it.
        wrapper.declaration = declaration
        return wrapper

    return decorate


def before(check: Callable[..., None]):
    """A check that must answer before the parameters are validated (a missing module, a per-user limit, a
    malformed URL argument: which error wins is part of the contract, backend-rules §2.0). Goes between the auth
    decorator and ``@declare``; ``check`` gets the URL arguments as keyword arguments."""

    def decorate(view):
        @wraps(view)  # copies the declaration up, as every wrapper above @declare must
        def wrapper(*args, **kwargs):
            check(**kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def declaration_of(view) -> Declaration | None:
    return getattr(view, "declaration", None)


def auth_of(view) -> str | None:
    """"user" (an active account), "session" (any account status) or None (public): set by penhas_api.auth."""
    return getattr(view, "auth", None)
