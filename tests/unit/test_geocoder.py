"""Geocoder (HERE v7 → Google), its caches, retries and circuit breaker; ViaCEP; against loopback fakes."""
import json

import pytest
from typer.testing import CliRunner

from penhas_api.core.adapters import cep as cep_adapter
from penhas_api.core.adapters.geocoder import (Geocoder, GeocoderUnavailable, GoogleProvider, HereProvider,
                                               MemoryStore, get_geocoder, provider_names)
from penhas_api.core.models import GeoCache
from penhas_api.core.services import locations
from penhas_api.core.settings import load_settings
from tests.fakes.geo import geo  # noqa: F401  (fixture)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def _geocoder(here, google, store=None, now=None, **kw):
    providers = [HereProvider("here-key", f"{here.url}/v1/geocode"),
                 GoogleProvider("google-key", f"{google.url}/maps/api/geocode/json")]
    return Geocoder(providers, store or MemoryStore(), backoff=0.001, sleep=lambda s: None, now=now or Clock(), **kw)


def _calls(server):
    return len(server.calls)


def test_here_answer_is_parsed_and_cached_in_memory_and_table(db, geo):
    here, google, _ = geo
    g = _geocoder(here, google)
    first = g.geocode("Avenida Paulista, 01310-100, Brasil")
    assert (first.latitude, first.longitude) == (-23.5630994, -46.6565712)
    assert "Bela Vista" in first.label
    assert here.calls[0][2]["apiKey"] == "here-key" and here.calls[0][2]["q"].startswith("Avenida Paulista")
    assert g.geocode("  avenida paulista,   01310-100, BRASIL ") == first
    assert _calls(here) == 1 and _calls(google) == 0
    row = GeoCache.get(GeoCache.key == "avenida paulista, 01310-100, brasil")
    assert json.loads(row.value)["latitude"] == -23.5630994
    # A fresh process (empty memory) is served from the table without calling out.
    assert _geocoder(here, google).geocode("Avenida Paulista, 01310-100, Brasil") == first
    assert _calls(here) == 1


def test_not_found_is_cached_negatively(db, geo):
    here, google, _ = geo
    g = _geocoder(here, google)
    assert g.geocode("Rua que não existe, 99999") is None
    assert g.geocode("Rua que não existe, 99999") is None
    assert _calls(here) == 1 and _calls(google) == 0
    assert GeoCache.get().value == ""


def test_falls_back_to_google_when_here_fails_and_retries_transient_errors(db, geo):
    here, google, _ = geo
    here.RequestHandlerClass.fail = 503
    g = _geocoder(here, google, retries=3)
    result = g.geocode("Rua Tutóia, 04002-003")
    assert result.latitude == -23.57276
    assert _calls(here) == 3 and _calls(google) == 1
    assert google.calls[0][2]["key"] == "google-key"


def test_google_quota_status_counts_as_a_failure(db, geo):
    here, google, _ = geo
    here.RequestHandlerClass.fail = 500
    google.RequestHandlerClass.fail = -1
    g = _geocoder(here, google, retries=1)
    with pytest.raises(GeocoderUnavailable):
        g.geocode("Rua Tutóia, 04002-003")
    # Failures are not cached: once the providers are back, the address is found.
    here.RequestHandlerClass.fail = 0
    assert g.geocode("Rua Tutóia, 04002-003") is not None
    assert GeoCache.select().count() == 1


def test_bad_key_is_not_retried(db, geo):
    here, google, _ = geo
    g = Geocoder([HereProvider("wrong", f"{here.url}/v1/geocode")], MemoryStore(), retries=3, sleep=lambda s: None)
    with pytest.raises(GeocoderUnavailable, match="HTTP 401"):
        g.geocode("Rua Tutóia, 04002-003")
    assert _calls(here) == 1


def test_breaker_opens_after_failures_and_closes_after_cooldown(db, geo):
    here, google, _ = geo
    here.RequestHandlerClass.fail = 500
    now = Clock()
    g = _geocoder(here, google, now=now, retries=1, breaker_threshold=3, breaker_cooldown=60)
    for n in range(3):
        g.geocode(f"Rua Teste {n}")
    assert _calls(here) == 3
    assert g.status()[0] == ("here", False, 60)
    g.geocode("Rua Teste 4")
    assert _calls(here) == 3, "an open breaker does not call the provider"
    assert _calls(google) == 4
    here.RequestHandlerClass.fail = 0
    now.t += 61
    assert g.status()[0][1] is True
    g.geocode("Rua Teste 5")
    assert _calls(here) == 4
    assert g.status()[0] == ("here", True, 0)


def test_open_breaker_is_reported_by_penhas_health(geo):
    from penhas_cli.main import app

    here, google, _ = geo
    here.RequestHandlerClass.fail = 500
    google.RequestHandlerClass.fail = 500
    g = get_geocoder()
    g.sleep = lambda s: None
    for n in range(5):
        with pytest.raises(GeocoderUnavailable):
            g.geocode(f"Rua Teste {n}")
    r = CliRunner().invoke(app, ["health", "--json"])
    check = next(c for c in json.loads(r.output)["checks"] if c["name"] == "geocoder")
    assert r.exit_code == 1 and check["ok"] is False and "here: OPEN" in check["detail"]


def test_provider_order_and_fallback_from_settings():
    s = load_settings({"GEOCODER": "here", "HERE_API_KEY": "a", "GOOGLE_API_KEY": "b"})
    assert provider_names(s) == ["here", "google"]
    s = load_settings({"GEOCODER": "google,here", "HERE_API_KEY": "a", "GOOGLE_API_KEY": "b"})
    assert provider_names(s) == ["google", "here"]
    assert provider_names(load_settings({"GEOCODER": "here"})) == []
    assert provider_names(load_settings({"GEOCODER": "none", "HERE_API_KEY": "a"})) == []


def test_viacep_lookup(geo):
    _, _, viacep = geo
    found = cep_adapter.lookup("01310-100")
    assert (found.localidade, found.uf, found.ibge, found.bairro) == ("São Paulo", "SP", 3550308, "Bela Vista")
    assert viacep.calls[0][1] == "/ws/01310100/json/"
    assert cep_adapter.lookup("99999999") is None
    assert cep_adapter.lookup("123") is None
    viacep.RequestHandlerClass.fail = 502
    with pytest.raises(cep_adapter.CepUnavailable):
        cep_adapter.lookup("01310100", sleep=lambda s: None)


def test_cep_location_uses_viacep_then_geocoder_and_is_cached(db, geo):
    here, _, viacep = geo
    loc = locations.geocode_cep("04002003")
    assert (loc.latitude, loc.longitude, loc.ibge) == (-23.57276, -46.65084, 3550308)
    assert "Rua Tutóia" in here.calls[0][2]["q"]
    assert locations.geocode_cep("04002-003") == loc
    assert len(viacep.calls) == 1 and len(here.calls) == 1


def test_location_token_round_trip_and_forgery():
    from penhas_api.core.errors import PenhasError

    token = locations.location_token(locations.Location(-23.5, -46.6, "x", 3550308))
    assert locations.read_location_token(token) == locations.Location(-23.5, -46.6, None, 3550308)
    with pytest.raises(PenhasError) as err:
        locations.read_location_token(token[:-2] + "xx")
    assert err.value.field == "location_token"


def test_without_a_provider_only_cached_answers_and_a_miss_is_unavailable(db):
    from datetime import timedelta

    from penhas_api.core import clock
    from penhas_api.core.adapters.geocoder import GeoResult

    g = Geocoder([], MemoryStore())
    with pytest.raises(GeocoderUnavailable, match="no geocoder configured"):
        g.geocode("Rua Tutóia, 04002-003")
    g.remember("rua tutóia, 04002-003", json.dumps({"latitude": -23.57, "longitude": -46.65, "label": "x"}))
    assert g.geocode("Rua Tutóia, 04002-003") == GeoResult(-23.57, -46.65, "x")
    GeoCache.create(key="rua sem saída", value="", created_at=clock.now(),
                    valid_until=clock.now() + timedelta(hours=1))
    assert Geocoder([], MemoryStore()).geocode("Rua sem saída") is None
