"""CPF_VERIFIER=http: sign-up checks the CPF registry (iWebService wire format) as backend-rules §3.5."""
import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from penhas_api.core.adapters.cpf import MAX_CPF_ERRORS_IN_24H, cpf_hash
from penhas_api.core.models import CpfCache, CpfErro
from penhas_api.core.settings import load_settings, reset_settings
from tests.api.test_accounts import CPF, make_cpf, signup
from tests.fakes.http import FakeHandler, fake_server
from tests.helpers import assert_error

HOLDER = "MARIA APARECIDA SOUZA"
BIRTH = "17/05/1990"


class Registry(FakeHandler):
    """Answers like ws.iwebservice.digital/CPF: found only for CPF + birth date of the one known holder."""

    def route(self, method, path, query):
        if self.server.status != 200:
            return self.server.status, {"erro": "indisponível"}
        if query.get("chave") != "chave-teste":
            return 401, {"erro": "chave inválida"}
        if query.get("cpf") == CPF and query.get("dataNascimento") == BIRTH:
            return 200, {"RetornoCpf": {"msg": {"Resultado": 1, "ResultTxt": "OK"},
                                        "DadosTitular": {"Titular": HOLDER, "Situacao": "REGULAR",
                                                         "Genero": "F"}}}
        return 200, {"RetornoCpf": {"msg": {"Resultado": 0, "ResultTxt": "CPF não encontrado"}}}


@contextmanager
def http_verifier(key="chave-teste"):
    with fake_server(Registry) as server:
        server.status = 200
        reset_settings(load_settings(dict(os.environ, CPF_VERIFIER="http", CPF_VERIFIER_URL=server.url + "/CPF/",
                                          CPF_VERIFIER_KEY=key)))
        try:
            yield server
        finally:
            reset_settings(None)


def step1(client, **over):
    return signup(client, dry="1", **over)


def test_matching_holder_passes_and_is_cached(client):
    with http_verifier() as server:
        # Accents and case do not matter; the name typed is compared with the registry's.
        assert step1(client, nome_completo="Maria Aparecida Souza").get_json() == {"continue": 1}
        assert step1(client, nome_completo="María  Aparecida Souza").get_json() == {"continue": 1}
        assert len(server.calls) == 1
        method, path, query = server.calls[0]
        assert path == "/CPF/" and query["formato"] == "JSON" and query["dataNascimento"] == BIRTH
        row = CpfCache.get()
        assert row.cpf_hashed == cpf_hash(CPF) and HOLDER not in row.nome_hashed and row.situacao == "REGULAR"
        assert signup(client).status_code == 200


def test_name_not_match_is_the_app_fixture(client):
    with http_verifier():
        r = step1(client, nome_completo="Joana Souza")
    gold = json.loads((Path(__file__).resolve().parents[1] / "fixtures/app/authentication/name_not_match.json")
                      .read_text())
    assert r.status_code == 400 and r.get_json() == gold
    assert CpfErro.get().count == 1


def test_unknown_cpf_or_wrong_birth_date(client, frozen_clock):
    with http_verifier() as server:
        body = assert_error(step1(client, dt_nasc="1991-05-17"), 400, "cpf_not_match")
        assert body["message"].startswith("Data de nascimento não confere com o CPF.")
        # The negative answer is cached for 5 minutes, then asked again.
        step1(client, dt_nasc="1991-05-17")
        assert len(server.calls) == 1
        frozen_clock.advance(seconds=301)
        step1(client, dt_nasc="1991-05-17")
        assert len(server.calls) == 2
        assert CpfErro.get().count == 3


def test_too_many_cpf_errors_from_one_ip(client):
    with http_verifier():
        other = make_cpf("111444777")
        for _ in range(MAX_CPF_ERRORS_IN_24H + 1):
            assert_error(step1(client, cpf=other), 400, "cpf_not_match")
        body = assert_error(step1(client), 429, "too_many_requests")
        assert body["message"] == "Você fez muitos acessos recentemente. Aguarde e tente novamente."


@pytest.mark.parametrize("status", [500, 401])
def test_registry_down_or_refusing(client, status):
    with http_verifier() as server:
        server.status = status
        assert_error(step1(client), 400, "cpf_offline")
        # Server errors are retried, refusals are not.
        assert len(server.calls) == (3 if status == 500 else 1)
    assert CpfCache.select().count() == 0
