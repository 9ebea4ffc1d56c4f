"""Fakes of HERE Geocoding & Search v7, Google Geocoding and ViaCEP speaking their real JSON, on loopback.

Each fake knows a few places (matched by a lower-cased fragment of the query) and can be switched to failing
(``server.RequestHandlerClass.fail = <HTTP status>``) to exercise retries, fallback and the circuit breaker.
"""
import os
from contextlib import contextmanager

import pytest

from tests.fakes.http import FakeHandler, fake_server

# fragment of the query → (lat, lng, label)
PLACES = {
    "01310-100": (-23.5630994, -46.6565712, "Avenida Paulista, Bela Vista, São Paulo - SP, 01310-100, Brasil"),
    "04002-003": (-23.57276, -46.65084, "Rua Tutóia, Vila Mariana, São Paulo - SP, 04002-003, Brasil"),
    "01203-001": (-23.52901, -46.6504, "República, São Paulo, SP, Brasil"),
    "rua teste": (-23.55597, -46.66266, "Rua Teste, São Paulo - SP, Brasil"),
}

# CEP → ViaCEP answer
CEPS = {
    "01310100": {"logradouro": "Avenida Paulista", "complemento": "de 612 a 1510 - lado par", "bairro": "Bela Vista",
                 "localidade": "São Paulo", "uf": "SP", "ibge": "3550308", "ddd": "11"},
    "04002003": {"logradouro": "Rua Tutóia", "complemento": "", "bairro": "Vila Mariana",
                 "localidade": "São Paulo", "uf": "SP", "ibge": "3550308", "ddd": "11"},
    "01203001": {"logradouro": "Rua dos Gusmões", "complemento": "", "bairro": "Santa Ifigênia",
                 "localidade": "São Paulo", "uf": "SP", "ibge": "3550308", "ddd": "11"},
    "69901000": {"logradouro": "", "complemento": "", "bairro": "", "localidade": "Rio Branco", "uf": "AC",
                 "ibge": "1200401", "ddd": "68"},
}


def _find(query: str):
    q = (query or "").lower()
    for fragment, place in PLACES.items():
        if fragment in q:
            return place
    return None


class HereHandler(FakeHandler):
    fail = 0
    api_key = "here-key"

    def route(self, method, path, query):
        if self.fail:
            return self.fail, {"status": self.fail, "title": "Service Unavailable"}
        if path != "/v1/geocode":
            return 404, {"status": 404, "title": "Not Found"}
        if query.get("apiKey") != self.api_key:
            return 401, {"error": "Unauthorized", "error_description": "apiKey invalid. apiKey not found."}
        if not query.get("q"):
            return 400, {"status": 400, "title": "Illegal input for parameter 'q'", "cause": "q is empty"}
        place = _find(query["q"])
        if place is None:
            return 200, {"items": []}
        lat, lng, label = place
        return 200, {"items": [{
            "title": label, "id": "here:af:street:abc", "resultType": "street",
            "address": {"label": label, "countryCode": "BRA", "countryName": "Brasil", "stateCode": "SP"},
            "position": {"lat": lat, "lng": lng},
            "access": [{"lat": lat, "lng": lng}],
            "mapView": {"west": lng - 0.01, "south": lat - 0.01, "east": lng + 0.01, "north": lat + 0.01},
            "scoring": {"queryScore": 1.0, "fieldScore": {"streets": [1.0]}},
        }]}


class GoogleHandler(FakeHandler):
    fail = 0  # an HTTP status, or -1 for Google's "200 + OVER_QUERY_LIMIT"
    api_key = "google-key"

    def route(self, method, path, query):
        if self.fail == -1:
            return 200, {"results": [], "status": "OVER_QUERY_LIMIT",
                         "error_message": "You have exceeded your daily request quota for this API."}
        if self.fail:
            return self.fail, b"<html>Server Error</html>"
        if path != "/maps/api/geocode/json":
            return 404, b"<html>Not Found</html>"
        if query.get("key") != self.api_key:
            return 200, {"results": [], "status": "REQUEST_DENIED", "error_message": "The provided API key is invalid."}
        place = _find(query.get("address"))
        if place is None:
            return 200, {"results": [], "status": "ZERO_RESULTS"}
        lat, lng, label = place
        return 200, {"results": [{
            "address_components": [{"long_name": "São Paulo", "short_name": "São Paulo",
                                    "types": ["administrative_area_level_2", "political"]}],
            "formatted_address": label,
            "geometry": {"location": {"lat": lat, "lng": lng}, "location_type": "GEOMETRIC_CENTER",
                         "viewport": {"northeast": {"lat": lat + 0.01, "lng": lng + 0.01},
                                      "southwest": {"lat": lat - 0.01, "lng": lng - 0.01}}},
            "place_id": "ChIJfake", "types": ["route"],
        }], "status": "OK"}


class ViaCepHandler(FakeHandler):
    fail = 0

    def route(self, method, path, query):
        if self.fail:
            return self.fail, b"<html>Bad Gateway</html>"
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "ws" or parts[2] != "json":
            return 404, b"<html>Not Found</html>"
        cep = parts[1]
        if not (len(cep) == 8 and cep.isdigit()):
            return 400, b"<html><h2>Http 400</h2><h3>Verifique a sua URL (Bad Request)</h3></html>"
        data = CEPS.get(cep)
        if data is None:
            return 200, {"erro": "true"}
        return 200, {"cep": f"{cep[:5]}-{cep[5:]}", "unidade": "", "gia": "1004", "siafi": "7107", **data}


def _handler(base, **attrs):
    return type(base.__name__, (base,), dict(attrs))


@contextmanager
def geo_fakes(geocoder: str = "here,google"):
    """Start the three fakes and point the settings at them; yields ``(here, google, viacep)`` servers."""
    from penhas_api.core.settings import load_settings, reset_settings

    with fake_server(_handler(HereHandler)) as here, fake_server(_handler(GoogleHandler)) as google, \
            fake_server(_handler(ViaCepHandler)) as viacep:
        reset_settings(load_settings(dict(
            os.environ, GEOCODER=geocoder,
            HERE_API_KEY=HereHandler.api_key, HERE_GEOCODE_URL=f"{here.url}/v1/geocode",
            GOOGLE_API_KEY=GoogleHandler.api_key, GOOGLE_GEOCODE_URL=f"{google.url}/maps/api/geocode/json",
            VIACEP_URL=f"{viacep.url}/ws")))
        try:
            yield here, google, viacep
        finally:
            reset_settings(None)


@pytest.fixture
def geo():
    """Here (first) and Google (fallback) and ViaCEP fakes wired into the settings."""
    with geo_fakes() as servers:
        yield servers
