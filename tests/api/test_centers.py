"""Support-center endpoints against the contract (§2.12) and the app's fixtures."""
import json
from pathlib import Path

import pytest

from penhas_api.core.models import Center, CenterRating, CenterSuggestion, GeoCache, KeywordLog
from tests.center_factories import make_center
from tests.factories import auth_headers, make_user
from tests.fakes.geo import geo  # noqa: F401  (fixture)
from tests.helpers import assert_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app" / "support_center"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def shape_problems(got, want, path="$") -> list[str]:
    """Every key of the app's fixture present with a JSON type the app accepts (a null in the fixture accepts
    anything); each item of a fixture list must look like some item of the answer."""
    if want is None:
        return []
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: not an object"]
        out = []
        for key, value in want.items():
            if key == "_debug":
                continue
            if key not in got:
                out.append(f"{path}.{key} missing")
            else:
                out += shape_problems(got[key], value, f"{path}.{key}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list):
            return [f"{path}: not a list"]
        out = []
        for w in want:
            tries = [shape_problems(g, w, f"{path}[]") for g in got]
            if tries and all(tries):
                out += min(tries, key=len)
        return out
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        ok = got is None or (isinstance(got, (int, float)) and not isinstance(got, bool))
        return [] if ok else [f"{path}: {got!r} is not a number"]
    return [] if got is None or isinstance(got, str) else [f"{path}: {got!r} is not a string"]


def assert_shape(got, want):
    problems = shape_problems(got, want)
    assert not problems, problems


@pytest.fixture
def user(app):
    return make_user(cep="04002003")


@pytest.fixture
def headers(app, user):
    return auth_headers(app, user)


def test_auxiliary_data_matches_the_fixture(client):
    r = client.get("/pontos-de-apoio-dados-auxiliares?projeto=Penhas")
    assert r.status_code == 200
    body = r.get_json()
    assert_shape(body, fixture("support_center_meta_data.json"))
    assert body["projetos"] == [] and len(body["categorias"]) == 13
    assert {"id": 5, "label": "Delegacia da Mulher"} in body["categorias"]
    labels = [p["label"] for p in client.get("/pontos-de-apoio-dados-auxiliares").get_json()["projetos"]]
    assert labels == ["Mapa Delegacia", "Penhas"]
    assert_error(client.get("/pontos-de-apoio-dados-auxiliares?projeto=Outro"), 400, "form_error", field="projeto")


def test_user_list_matches_the_fixture_and_contract_types(client, headers):
    c = make_center(-23.557338, -46.625331, nome="1ª Delegacia de Defesa da Mulher - São Paulo")
    make_center(-23.60, -46.70, projects=(2,))
    r = client.get("/me/pontos-de-apoio?projeto=Penhas&full_list=1&latitude=-23.52901&longitude=-46.6504",
                   headers=headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert_shape(body, fixture("support_center_list_of_place.json"))
    assert (body["latitude"], body["longitude"], body["avaliacao_maxima"]) == ("-23.52901", "-46.6504", "5")
    assert body["has_more"] == 0 and body["next_page"] is None
    [row] = body["rows"]
    assert row["id"] == c.id and row["distancia"] == "4" and row["avaliacao"] == "n/a"
    assert row["categoria"] == {"id": 5, "nome": "Delegacia da Mulher", "cor": "#F982B4"}
    assert row["cliente_avaliacao"] is None


def test_no_gps_when_the_account_cep_cannot_be_located(client, app):
    user = make_user(cep="01203777")
    r = client.get("/me/pontos-de-apoio?projeto=Penhas&full_list=1", headers=auth_headers(app, user))
    body = assert_error(r, 400, "no-gps")
    assert body == fixture("support_center_no_gps.json")


def test_no_cep_when_the_account_cep_is_not_valid(client, app):
    user = make_user(cep="123")
    assert_error(client.get("/me/pontos-de-apoio", headers=auth_headers(app, user)), 400, "no-cep")


def test_search_without_gps_uses_the_account_cep(client, headers, geo):
    near = make_center(-23.575, -46.651)
    body = client.get("/me/pontos-de-apoio?projeto=Penhas&full_list=1", headers=headers).get_json()
    assert (body["latitude"], body["longitude"]) == ("-23.57276", "-46.65084")
    assert [r["id"] for r in body["rows"]] == [near.id] and body["rows"][0]["distancia"] == "0"


def test_geocode_then_search_with_the_location_token(client, headers, geo):
    r = client.get("/me/geocode?address=01203001", headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert_shape(body, fixture("support_center_geocode.json"))
    assert body["label"] == "República, São Paulo, SP, Brasil"
    regional = make_center(-23.0, -45.0, abrangencia="Regional", cod_ibge=3550308)
    local = make_center(-23.53, -46.65)
    rows = client.get(f"/me/pontos-de-apoio?projeto=Penhas&location_token={body['location_token']}"
                      f"&latitude=1.5&longitude=1.5", headers=headers).get_json()["rows"]
    # The token wins over GPS, and carries the CEP's municipality for Regional centers.
    assert [r["id"] for r in rows] == [local.id, regional.id]
    # The public geocoder answers the same way, from the cache.
    calls = len(geo[0].calls)
    assert client.get("/geocode?address=01203-001").get_json()["label"] == body["label"]
    assert len(geo[0].calls) == calls and GeoCache.select().count() >= 1


def test_geocode_not_found_matches_the_fixture(client, headers, geo):
    r = client.get("/me/geocode?address=99999999", headers=headers)
    assert_error(r, 400, "location_not_found", field="address")
    assert r.get_json() == fixture("support_center_geocode_error.json")
    assert_error(client.get("/geocode?address=Rua+Inexistente"), 400, "location_not_found")


def test_forged_location_token_is_refused(client, headers):
    assert_error(client.get("/me/pontos-de-apoio?location_token=abc.def", headers=headers), 400, "form_error",
                 field="location_token")


def test_detail_for_the_app_and_the_public_map(client, headers):
    c = make_center(-23.482957, -46.730177, nome="9º Delegacia", numero=286, telefone1=39748890, ddd=11,
                    dias_funcionamento="dias_uteis", horario_inicio="09:00", horario_fim="18:00",
                    observacao="<script>alert(1)</script> veja https://exemplo.org/a?b=1")
    r = client.get(f"/me/pontos-de-apoio/{c.id}", headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert_shape(body, fixture("support_center_place_detail.json"))
    place = body["ponto_apoio"]
    assert place["natureza"] == "Público" and place["dias_funcionamento"] == "Dias úteis"
    assert place["cep"] == "01305000" and place["eh_24h"] is None and place["numero_sem_numero"] == 0
    assert "<script>" not in place["content_html"] and "&lt;script&gt;" in place["content_html"]
    assert 'href="https://exemplo.org/a?b=1"' in place["content_html"]
    assert 'href="tel:+551139748890"' in place["content_html"]
    public = client.get(f"/pontos-de-apoio/{c.id}").get_json()
    assert "cliente_avaliacao" not in public and "content_html" not in public["ponto_apoio"]
    assert public["ponto_apoio"]["avaliacao"] == "n/a"
    hidden = make_center(status="disabled")
    assert_error(client.get(f"/pontos-de-apoio/{hidden.id}"), 404, "item_not_found")
    assert_error(client.get(f"/me/pontos-de-apoio/{hidden.id}", headers=headers), 404, "item_not_found")
    assert_error(client.get("/pontos-de-apoio/abc"), 400, "form_error", field="ponto_apoio_id")
    assert_error(client.get("/pontos-de-apoio/%C2%B2"), 400, "form_error", field="ponto_apoio_id")
    assert_error(client.get("/me/pontos-de-apoio/%D9%A1", headers=headers), 400, "form_error", field="ponto_apoio_id")


def test_rating_flow_and_only_own_rating_is_shown(client, app, headers, user):
    c = make_center()
    other = make_user()
    other_headers = auth_headers(app, other)
    assert client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&rating=4", headers=headers).get_json() == {}
    assert client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&rating=5", headers=headers).status_code == 200
    client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&rating=2", headers=other_headers)
    c = Center.get_by_id(c.id)
    assert (c.avaliacao, c.qtde_avaliacao) == (3.5, 2)
    mine = client.get(f"/me/pontos-de-apoio/{c.id}", headers=headers).get_json()
    theirs = client.get(f"/me/pontos-de-apoio/{c.id}", headers=other_headers).get_json()
    assert (mine["cliente_avaliacao"], theirs["cliente_avaliacao"]) == (5, 2)
    assert mine["ponto_apoio"]["avaliacao"] == "3,5"
    rows = client.get("/me/pontos-de-apoio?latitude=-23.55&longitude=-46.63", headers=other_headers).get_json()["rows"]
    assert rows[0]["cliente_avaliacao"] == 2
    # Removing her rating touches only hers.
    client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&remove=1", headers=other_headers)
    assert CenterRating.select().where(CenterRating.cliente == user.id).count() == 1
    assert Center.get_by_id(c.id).qtde_avaliacao == 1
    assert_error(client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&rating=6", headers=headers),
                 400, "form_error", field="rating")
    assert_error(client.post("/me/avaliar-pontos-de-apoio?ponto_apoio_id=999999&rating=3", headers=headers),
                 400, "form_error", field="ponto_apoio_id")
    assert_error(client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}", headers=headers),
                 400, "form_error", field="rating", reason="is_required")


SUGGESTION = {"nome": "Casa Abrigo", "categoria": "577", "nome_logradouro": "Rua Tutóia", "observacao": "obs",
              "cep": "04002-003", "abrangencia": "Local", "complemento": "", "bairro": "Vila Mariana",
              "municipio": "São Paulo", "uf": "sp", "email": "", "numero": "10", "horario": "8h às 18h",
              "ddd1": "11", "telefone1": "0911223344", "ddd2": "", "telefone2": "", "is24h": "Sim",
              "hasWhatsapp": "Não"}


def test_suggestion_keeps_every_answer_the_app_sends(client, headers, user, geo):
    r = client.post("/me/sugerir-pontos-de-apoio-completo", data=SUGGESTION, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert_shape(r.get_json(), fixture("alert_model_response.json"))
    assert r.get_json()["title"] == "Sugestão recebida"
    s = CenterSuggestion.get()
    assert (s.cliente_id, s.cep, s.uf, s.telefone1, s.ddd2) == (user.id, "04002003", "SP", 911223344, None)
    assert (s.eh_24h, s.has_whatsapp, s.horario, s.status) == (True, False, "8h às 18h", "awaiting-moderation")
    # The original form's spellings are accepted too.
    legacy = dict(SUGGESTION, eh_24h="Não", has_whatsapp="Sim")
    del legacy["is24h"], legacy["hasWhatsapp"]
    client.post("/me/sugerir-pontos-de-apoio-completo", data=legacy, headers=headers)
    s = CenterSuggestion.select().order_by(CenterSuggestion.id.desc()).first()
    assert (s.eh_24h, s.has_whatsapp) == (False, True)


def test_suggestion_validation(client, headers, geo):
    url = "/me/sugerir-pontos-de-apoio-completo"
    assert_error(client.post(url, data=dict(SUGGESTION, nome=""), headers=headers), 400, "form_error", field="nome",
                 reason="is_required")
    assert_error(client.post(url, data=dict(SUGGESTION, cep="99999-999"), headers=headers), 400, "cep_invalid",
                 field="cep")
    assert_error(client.post(url, data=dict(SUGGESTION, categoria="12345"), headers=headers), 400, "form_error",
                 field="categoria")
    assert_error(client.post(url, data=dict(SUGGESTION, telefone1="abc"), headers=headers), 400, "form_error",
                 field="telefone1")
    ok = client.post(url, data=dict(SUGGESTION, cep=""), headers=headers)
    assert ok.status_code == 200 and CenterSuggestion.get().cep is None


def test_public_list_needs_a_location_and_validates_distance(client):
    near = make_center(-23.56, -46.64)
    make_center(-23.90, -46.64)
    assert_error(client.get("/pontos-de-apoio"), 400, "location_token")
    body = client.get("/pontos-de-apoio?latitude=-23.55&longitude=-46.63&max_distance=10").get_json()
    assert [r["id"] for r in body["rows"]] == [near.id] and "cliente_avaliacao" not in body["rows"][0]
    assert_error(client.get("/pontos-de-apoio?latitude=-23.55&longitude=-46.63&max_distance=5001"), 400,
                 "form_error", field="max_distance")
    assert_error(client.get("/pontos-de-apoio?latitude=-23.55&longitude=-46.63&max_distance=0"), 400,
                 "form_error", field="max_distance")
    assert_error(client.get("/pontos-de-apoio?latitude=99&longitude=-46.63"), 400, "form_error", field="latitude")
    web = client.get("/pontos-de-apoio?is_web=1").get_json()
    assert len(web["rows"]) == 2 and web["latitude"] is None and web["rows"][0]["distancia"] is None


def test_public_list_pages_with_signed_tokens(client):
    ids = [make_center(-23.55 - i * 0.01, -46.63).id for i in range(5)]
    first = client.get("/pontos-de-apoio?latitude=-23.55&longitude=-46.63&rows=3").get_json()
    assert [r["id"] for r in first["rows"]] == ids[:3] and first["has_more"] == 1
    second = client.get(f"/pontos-de-apoio?latitude=-23.55&longitude=-46.63&rows=3&next_page={first['next_page']}")
    assert [r["id"] for r in second.get_json()["rows"]] == ids[3:] and second.get_json()["next_page"] is None
    assert_error(client.get("/pontos-de-apoio?latitude=-23.55&longitude=-46.63&next_page=forged"), 400, "form_error",
                 field="next_page")


def test_public_csv_download(client):
    make_center(nome="Centro, com vírgula", eh_24h=True)
    r = client.get("/pontos-de-apoio?as_csv=1")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "lista-pontos-apoios-" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.splitlines()[0].startswith("Nome,Sigla,Natureza,Categoria")
    assert '"Centro, com vírgula"' in text and ",Sim," in text


def test_keywords_are_logged_for_the_user(client, headers, user):
    make_center(nome="Casa Kazu")
    rows = client.get("/me/pontos-de-apoio?latitude=-23.55&longitude=-46.63&keywords=Kazu",
                      headers=headers).get_json()["rows"]
    assert len(rows) == 1
    assert KeywordLog.get().cliente_id == user.id and KeywordLog.get().keywords == "kazu"


def test_me_routes_need_a_session(client):
    assert_error(client.get("/me/pontos-de-apoio"), 401, "missing_jwt")
    assert_error(client.post("/me/sugerir-pontos-de-apoio-completo", data=SUGGESTION), 401, "missing_jwt")


def test_user_list_rate_limit(client, headers, rate_limits):
    for _ in range(10):
        assert client.get("/me/pontos-de-apoio?latitude=-23.55&longitude=-46.63", headers=headers).status_code == 200
    assert_error(client.get("/me/pontos-de-apoio?latitude=-23.55&longitude=-46.63", headers=headers), 429,
                 "too_many_requests")


def test_user_limits_count_requests_with_bad_parameters(client, headers, rate_limits):
    for _ in range(10):
        assert_error(client.get("/me/pontos-de-apoio?rows=x", headers=headers), 400, "form_error", field="rows")
    assert_error(client.get("/me/pontos-de-apoio?rows=x", headers=headers), 429, "too_many_requests")


def test_erasing_a_user_takes_her_ratings_out_of_the_averages(client, app, headers, user):
    from penhas_api.core.services.accounts import erase_user

    c = make_center()
    other = make_user()
    client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&rating=1", headers=headers)
    client.post(f"/me/avaliar-pontos-de-apoio?ponto_apoio_id={c.id}&rating=5", headers=auth_headers(app, other))
    assert Center.get_by_id(c.id).qtde_avaliacao == 2
    assert erase_user(user.id, "operator")
    c = Center.get_by_id(c.id)
    assert (c.avaliacao, c.qtde_avaliacao) == (5.0, 1)
    assert client.get(f"/pontos-de-apoio/{c.id}").get_json()["ponto_apoio"]["avaliacao"] == "5,0"
