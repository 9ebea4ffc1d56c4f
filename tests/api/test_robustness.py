"""Every route of the app, fed garbage: never a 5xx, always the contract's JSON shape.

The routes come from the blueprints themselves (a new route is covered the day it is registered), and the
parameter names each view reads are found in its source, so a new field is fuzzed without editing this file.
Each route gets: no token / a garbage token (header and ``api_key``), odd path values, no parameters, every
parameter set to one garbage value, and each parameter in turn made garbage while the others look plausible
(so the garbage reaches the checks behind the first required field).
"""
import base64
import hashlib
import inspect
import io
import os
import re
import uuid
from urllib.parse import quote

import pytest
from flask import Flask

from penhas_api.core.services import profile
from penhas_api.core.errors import PenhasError
from penhas_api.params import Field, validate
from penhas_api.views import BLUEPRINTS
from tests.audio_samples import aac, upload
from tests.center_factories import make_center
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.fakes.geo import geo  # noqa: F401  (fixture: the outside geocoders and ViaCEP, on loopback)


def _probe_rules():
    """The url map of the blueprints, without building (and connecting) a whole application at collection time."""
    import importlib

    probe = Flask("probe")
    for name in BLUEPRINTS:
        probe.register_blueprint(importlib.import_module(f"penhas_api.views.{name}").bp)
    out = []
    for rule in probe.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule, rule.endpoint))
    return out, probe


ROUTES, _PROBE = _probe_rules()

# Names the contract uses anywhere; sent to every route in the "everything garbage" requests.
CONTRACT_NAMES = [
    "api_key", "rows", "next_page", "latitude", "longitude", "gps_lat", "gps_long", "cliente_id", "id", "nome",
    "celular", "event_id", "event_sequence", "audio_sequences", "full_list", "keywords", "categorias",
    "max_distance", "location_token", "address", "rating", "ponto_apoio_id", "active", "email", "senha",
    "senha_atual", "cpf", "dt_nasc", "cep", "genero", "dry", "token", "action", "app_version", "inc_by", "skills",
    "skills_remove", "apelido", "minibio", "raca", "remove", "projeto", "as_csv", "is_web", "eh_24h",
    "cliente_created_at", "current_time", "sha1", "nome_completo", "nome_social",
]

GARBAGE = ["", " ", "x" * 5000, "-1", "-0", "NaN", "1.5", "[]", "{}", "\u0000", "😀", "0x10", "1_0", "١٢",
           "99999999999999999999", "1e309", "0001-01-01", "9999-12-31T23:59:59Z"]

PATH_GARBAGE = ["1", "0", "-1", "999999999", "99999999999999999999", "abc", "1e309", "NaN", "1.5", " 1", "١",
                "1_0", "x" * 1000, "ção😀", "\u0000", "%00", "..", "00000000-0000-4000-8000-000000000000"]

# Plausible values, so that one garbage field at a time gets past the checks of the others. Passwords are never
# the user's real one: a plausible DELETE /me must not erase the account under test.
PLAUSIBLE = {
    "dry": "1", "nome_completo": "Maria da Silva", "cpf": "52998224725", "dt_nasc": "1990-01-01",
    "cep": "01310100", "app_version": "Penhas/1.0 (Android 14)", "email": "maria@example.com",
    "senha": "Outra-Senha-987", "senha_atual": "Outra-Senha-987", "genero": "Feminino", "raca": "pardo",
    "apelido": "mari", "nome": "Ana Souza", "celular": "11912345678", "token": "123456", "action": "accept",
    "latitude": "-23.55", "longitude": "-46.63", "gps_lat": "-23.55", "gps_long": "-46.63", "rows": "10",
    "max_distance": "50", "keywords": "delegacia", "categorias": "1,2", "rating": "4", "active": "1",
    "inc_by": "1", "event_sequence": "1", "cliente_created_at": "2026-11-23T11:50:00.000Z",
    "current_time": "2026-11-23T12:00:00.000000Z", "audio_sequences": "all", "address": "Rua Augusta 100",
    "categoria": "5", "nome_logradouro": "Rua Augusta", "abrangencia": "Local", "numero": "100",
    "municipio": "São Paulo", "uf": "SP", "skills": "1", "minibio": "oi",
}

# Bodies that are not JSON by the route's design (contract §2.11 audio stream, §2.12 CSV, the guardian's page,
# §2.13 WebView pages and the images the JSON links to).
NON_JSON = {
    "web.faq_index": {"text/html"},
    "web.faq_contact": {"text/html"},
    "web.faq_account_deletion": {"text/html"},
    "web.faq_item": {"text/html"},
    "web.terms": {"text/html"},
    "web.privacy": {"text/html"},
    "web.avatar": {"image/svg+xml"},
    "web.icon": {"image/svg+xml"},
    "audio.download": {"audio/aac"},
    "centers.public_list": {"text/csv"},
    "guardians.guardian_page": {"text/html"},
    "metrics.scrape": {"text/plain"},
    "badges.show_invite": {"text/html"},
    "badges.accept_invite": {"text/html"},
    "news.news_redirect": {"text/html"},  # the 302 to a signed URL
    "news.get_proxy": {"image/png"},
}

# 5xx answers that are the design, not a failure: readiness says 503 while a dependency (database, Redis,
# storage) is down, so a load balancer stops sending traffic. Nothing a client sends can cause it.
DOCUMENTED_5XX = {("health.ready", 503)}

_KEY = re.compile(r'"(\w+)":\s*(?:Field\(|[A-Z][A-Z_]+\b)')
_GET = re.compile(r'\.get\("(\w+)"')
_CALL = re.compile(r"\b(_\w+)\(")
_CONST = re.compile(r"\b([A-Z][A-Z_]{2,})\b")


def param_names(endpoint: str) -> set[str]:
    """Parameter names the view (and the module's private helpers it calls) reads, found in the source."""
    view = inspect.unwrap(_PROBE.view_functions[endpoint])
    module_globals = view.__globals__
    sources = [inspect.getsource(view)]
    for helper in set(_CALL.findall(sources[0])):
        fn = module_globals.get(helper)
        if inspect.isfunction(fn) and fn.__module__ == view.__module__:
            sources.append(inspect.getsource(fn))
    names = set()
    for src in sources:
        names |= set(_KEY.findall(src)) | set(_GET.findall(src))
        for const in _CONST.findall(src):
            value = module_globals.get(const)
            if isinstance(value, dict) and value and all(isinstance(f, Field) for f in value.values()):
                names |= set(value)
    return names


def test_the_probe_sees_every_route_of_the_app(app):
    real = {(m, r.rule, r.endpoint) for r in app.url_map.iter_rules() if r.endpoint != "static"
            for m in r.methods - {"HEAD", "OPTIONS"}}
    assert real == set(ROUTES)


def test_parameter_discovery_finds_what_views_read():
    assert {"dry", "cpf", "cep", "app_version", "senha", "raca"} <= param_names("accounts.signup")
    assert {"active"} <= param_names("me.toggle_camuflado")
    assert {"latitude", "next_page", "as_csv", "location_token"} <= param_names("centers.public_list")
    assert {"token", "action"} <= param_names("guardians.guardian_page")
    assert {"audio_sequences"} <= param_names("audio.download")
    assert {"nome", "uf", "telefone2"} <= param_names("centers.me_suggest")


class Problems(list):
    def check(self, response, endpoint: str, what: str) -> None:
        status = response.status_code
        if status >= 500 and (endpoint, status) not in DOCUMENTED_5XX:
            self.append(f"{what} -> {status} {response.get_data(as_text=True)[:200]}")
            return
        if response.mimetype != "application/json":
            if response.mimetype not in NON_JSON.get(endpoint, set()):
                self.append(f"{what} -> {status} {response.mimetype}")
            return
        body = response.get_json(silent=True)
        if not isinstance(body, dict):
            self.append(f"{what} -> {status} body is not a JSON object: {response.get_data(as_text=True)[:200]}")
            return
        if status >= 400:
            for key in ("error", "message"):
                if not isinstance(body.get(key), str):
                    self.append(f"{what} -> {status} {key!r} is not a string: {body}")
            for key in ("field", "reason"):
                if key in body and not isinstance(body[key], str):
                    self.append(f"{what} -> {status} {key!r} is not a string: {body}")


def _short(params) -> str:
    return str({k: (v[:20] + "…" if isinstance(v, str) and len(v) > 20 else v) for k, v in params.items()})[:300]


def _cheap_password_hash(password: str) -> str:
    """A real scrypt hash with tiny parameters: verify_password honours the stored ones, and this test checks
    hundreds of wrong current passwords (PUT/DELETE /me), which would cost a quarter of a second each."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 4, r=8, p=1, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=")  # noqa: E731
    return f"scrypt$4$8$1${b64(salt)}${b64(digest)}"


def _seed(app, client, endpoint: str, user, headers) -> dict[str, list[str]]:
    """Her own items, so that plausible ids reach the code behind the ownership checks."""
    values = {}
    if endpoint.startswith("audio."):
        event = str(uuid.uuid4())
        assert upload(client, headers, event, 1, aac(1, 440)).status_code == 200
        values["event_id"] = [event]
    if endpoint.startswith("guardians."):
        r = client.post("/me/guardioes", data={"nome": "Ana Souza", "celular": "11912345678"}, headers=headers)
        assert r.status_code == 200, r.get_json()
        values["guardian_id"] = [str(r.get_json()["data"]["id"])]
    if endpoint.startswith("centers."):
        values["ponto_apoio_id"] = [str(make_center().id)]
    return values


def _send(client, method, path, params, headers, as_query):
    kwargs = {"headers": headers}
    if as_query:
        kwargs["query_string"] = params
    else:
        kwargs["data"] = params
    return client.open(path, method=method, **kwargs)


GROUPS = sorted({endpoint.split(".")[0] for _, _, endpoint in ROUTES})


# One test per blueprint, not per route: every test ends with a wipe of all tables, which costs more than the
# requests of a route on PostgreSQL. Each route still gets a fresh user, session and data of its own.
@pytest.mark.parametrize("group", GROUPS)
def test_routes_survive_garbage(request, app, client, frozen_clock, group):
    if group in ("centers", "accounts"):
        request.getfixturevalue("geo")  # they call the geocoders and ViaCEP
    problems = Problems()
    for method, rule, endpoint in ROUTES:
        if endpoint.split(".")[0] == group:
            _fuzz_route(app, client, problems, method, rule, endpoint)
    assert not problems, "\n".join(problems[:40])


def _fuzz_route(app, client, problems, method, rule, endpoint):
    user = make_user(senha_hash=_cheap_password_hash(DEFAULT_PASSWORD))
    headers = auth_headers(app, user)
    own = _seed(app, client, endpoint, user, headers)
    variables = re.findall(r"<(?:\w+:)?(\w+)>", rule)

    def url(values: dict[str, str]) -> str:
        path = rule
        for name in variables:
            path = re.sub(rf"<(?:\w+:)?{name}>", quote(values[name], safe=""), path)
        return path

    plausible_path = url({v: (own.get(v) or ["1"])[0] for v in variables})
    as_query = method == "GET"

    # Tokens: none, garbage in the header, garbage and a well-formed-but-foreign JWT in api_key.
    for label, hdrs, params in (
        ("no token", {}, {}),
        ("garbage header", {"X-Api-Key": "garbage"}, {}),
        ("garbage api_key", {}, {"api_key": "x" * 5000}),
        ("alien jwt", {}, {"api_key": "eyJhbGciOiJIUzI1NiJ9.eyJzZXMiOiIxIn0.c2ln"}),
    ):
        r = _send(client, method, plausible_path, params, hdrs, as_query)
        problems.check(r, endpoint, f"{method} {plausible_path} [{label}]")

    # Odd ids in the path, with her valid session.
    for name in variables:
        for value in PATH_GARBAGE + own.get(name, []):
            path = url({v: value if v == name else (own.get(v) or ["1"])[0] for v in variables})
            r = client.open(path, method=method, headers=headers)
            problems.check(r, endpoint, f"{method} {path[:80]}")

    names = sorted(param_names(endpoint))
    if endpoint == "me.set_preferences":
        # The accepted keys are the preference names themselves, read from the database.
        names = sorted(set(names) | set(profile.preference_names(user)))
    base = {n: PLAUSIBLE.get(n, "1") for n in names}

    r = _send(client, method, plausible_path, {}, headers, as_query)
    problems.check(r, endpoint, f"{method} {plausible_path} no params")
    for value in GARBAGE:
        params = {n: value for n in set(CONTRACT_NAMES) | set(names) if n != "api_key"}
        r = _send(client, method, plausible_path, params, headers, as_query)
        problems.check(r, endpoint, f"{method} {plausible_path} all={value[:20]!r}")
    for name in names:
        for value in GARBAGE:
            params = dict(base, **{name: value})
            r = _send(client, method, plausible_path, params, headers, as_query)
            problems.check(r, endpoint, f"{method} {plausible_path} {name}={value[:20]!r} {_short(params)}")
    if method != "GET":
        # A file where none is expected, or a non-audio one where audio is.
        params = dict(base, media=(io.BytesIO(b"\x00garbage" * 100), "x.aac", "audio/aac"))
        r = client.open(plausible_path, method=method, data=params, headers=headers,
                        content_type="multipart/form-data")
        problems.check(r, endpoint, f"{method} {plausible_path} multipart garbage file")
        r = client.open(plausible_path, method=method, data=b"--broken\r\n\r\n\xff\xfe",
                        headers=dict(headers, **{"Content-Type": "multipart/form-data; boundary=broken"}))
        problems.check(r, endpoint, f"{method} {plausible_path} broken multipart")
        r = client.open(plausible_path, method=method, data=b"{not json", headers=dict(
            headers, **{"Content-Type": "application/json"}))
        problems.check(r, endpoint, f"{method} {plausible_path} invalid json body")


def test_wrong_method_is_the_contract_405(client):
    for rule in sorted({r for _, r, _ in ROUTES}):
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule)
        allowed = {m for m, r, _ in ROUTES if r == rule}
        method = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in allowed)
        r = client.open(path, method=method)
        assert r.status_code == 405 and r.mimetype == "application/json", (rule, r.status_code, r.get_data())
        body = r.get_json()
        assert isinstance(body["error"], str) and isinstance(body["message"], str)


def test_validation_refuses_what_python_would_quietly_convert():
    for kind, value in [
        ("int", "١٢"), ("int", "1_0"), ("int", " 1"), ("int", "9223372036854775808"),
        ("int", "-9223372036854775808"), ("num", "1e309"), ("num", "-1e309"), ("num", "١.٥"),
        ("latitude", "-٢٣.5"), ("str", "a\u0000b"),
    ]:
        with pytest.raises(PenhasError) as err:
            validate({"x": Field(kind)}, {"x": value})
        assert (err.value.field, err.value.reason) == ("x", "invalid"), (kind, value)


def test_validation_keeps_the_whole_bigint_range():
    assert validate({"x": Field("int")}, {"x": "9223372036854775807"}) == {"x": 2 ** 63 - 1}
    assert validate({"x": Field("num")}, {"x": "-1.5e3"}) == {"x": -1500.0}
