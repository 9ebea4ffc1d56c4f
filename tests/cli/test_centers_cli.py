"""`penhas centers …` on the real 2020 dataset, a 2022 sample and broken files."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from penhas_api.core.models import AuditLog, Center, CenterProjectLink, CenterSuggestion
from penhas_cli.main import app
from tests.center_factories import make_center
from tests.factories import make_user
from tests.fakes.geo import geo  # noqa: F401  (fixture)

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "delegacias-2020.csv"
SAMPLE_2022 = DATA / "centers-2022-sample.csv"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["centers", *map(str, args)])


def test_import_real_2020_file_twice_changes_nothing_the_second_time():
    r = invoke("import", REAL, "--json")
    assert r.exit_code == 0, r.output
    first = json.loads(r.output)
    assert (first["layout"], first["valid"], first["invalid"], first["inserted"]) == ("2020", 429, 0, 429)
    assert Center.select().count() == 429
    before = {c.id: c.updated_at for c in Center.select()}
    second = json.loads(invoke("import", REAL, "--json").output)
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, 429)
    assert {c.id: c.updated_at for c in Center.select()} == before
    assert CenterProjectLink.select().where(CenterProjectLink.project == 2).count() == 429
    assert AuditLog.select().where(AuditLog.action == "centers.import").count() == 2
    c = Center.get(Center.nome == "Delegacia das Mulheres - Maceió")
    assert (c.cep, c.uf, c.latitude, c.longitude, c.eh_24h, c.natureza) == (
        "57081457", "AL", -9.5621809, -35.7579245, False, "publico")
    sn = Center.get(Center.nome.startswith("Delegacia Especial de Atendimento à Mulher - Salvador")
                    & (Center.cep == "40301110"))
    assert sn.numero is None and sn.numero_sem_numero is True


def test_import_prints_tallies_and_progress():
    r = invoke("import", REAL, "--dry-run")
    assert r.exit_code == 0
    assert "Delegacia da Mulher" in r.output and "339" in r.output and "dry run" in r.output
    assert Center.select().count() == 0


def test_reimport_updates_a_changed_row(tmp_path):
    invoke("import", REAL)
    changed = tmp_path / "changed.csv"
    changed.write_text(REAL.read_text().replace(";32214799;", ";32219999;"))
    out = json.loads(invoke("import", changed, "--json").output)
    assert (out["inserted"], out["updated"], out["unchanged"]) == (0, 1, 428)
    assert Center.select().where(Center.telefone1 == 32219999).count() == 1


def _with_field(line: str, index: int, value: str) -> str:
    fields = line.split(";")
    fields[index] = value
    return ";".join(fields)


def _broken(tmp_path):
    lines = REAL.read_text().split("\n")
    # Lines 7-8 and 10-11 are single records whose quoted name spans two lines.
    bad = lines[:8] + [_with_field(lines[8], 12, "5702-110")] + lines[9:11]
    bad.append("Delegacia X;DEAM;público;Delegacia da Mulher;mapa_delegacia;Rua;A;12a;;B;C;SP;01001-000;11;;;;Talvez;"
               ";;;;;;;-23,5;-46,6;Não;;;;;;")
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(bad) + "\n")
    return path


def test_broken_file_reports_lines_and_columns_and_imports_nothing(tmp_path):
    path = _broken(tmp_path)
    r = invoke("import", path, "--json")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert [(e["line"], e["column"]) for e in out["errors"]] == [(9, "cep"), (12, "numero"), (12, "24horas")]
    assert out["valid"] == 7 and out["inserted"] == 0
    assert Center.select().count() == 0
    r = invoke("import", path)
    assert r.exit_code == 1 and "nothing imported" in r.output
    r = invoke("import", path, "--skip-invalid", "--json")
    assert r.exit_code == 0
    assert json.loads(r.output)["inserted"] == Center.select().count() == 7


def test_line_numbers_follow_multi_line_fields(tmp_path):
    lines = REAL.read_text().split("\n")
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines[:11] + [_with_field(lines[11], 25, "abc")]) + "\n")
    out = json.loads(invoke("import", path, "--json").output)
    assert [(e["line"], e["column"], e["value"]) for e in out["errors"]] == [(12, "latitude", "abc")]


def test_duplicate_rows_in_one_file_are_reported(tmp_path):
    lines = REAL.read_text().split("\n")
    path = tmp_path / "dup.csv"
    path.write_text("\n".join(lines[:3] + [lines[1]]) + "\n")
    out = json.loads(invoke("import", path, "--json").output)
    assert [(e["line"], e["column"]) for e in out["errors"]] == [(4, "nome")]
    assert "line 2" in out["errors"][0]["message"]


def test_import_2022_layout_sample():
    r = invoke("import", SAMPLE_2022, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["layout"], out["valid"], out["skipped"], out["inserted"]) == ("2022", 4, 1, 4)
    ddm = Center.get(Center.sigla == "DDM")
    assert ddm.descricao == "Atendimento a mulheres\nem situação de violência"
    assert (ddm.telefone1, ddm.telefone2, ddm.horario_inicio, ddm.horario_fim) == (32413328, 31011700, "00:00", "23:59")
    assert (ddm.uf, ddm.cod_ibge, ddm.fonte, ddm.eh_whatsapp) == ("SP", 3550308, "mapa_delegacias", False)
    assert sorted(p for (p,) in CenterProjectLink.select(CenterProjectLink.project)
                  .where(CenterProjectLink.center == ddm.id).tuples()) == [1, 2]
    assert Center.get(Center.sigla == "CMB").abrangencia == "Regional"
    national = Center.get(Center.abrangencia == "Nacional")
    assert (national.categoria_id, national.latitude, national.cep, national.telefone1) == (581, None, "", 180)
    ong = Center.get(Center.natureza == "ong")
    assert (ong.numero_sem_numero, ong.ramal1, ong.dias_funcionamento, ong.eh_whatsapp) == (
        True, 12, "seg_a_sab", True)


def test_unknown_header_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a;b;c\n1;2;3\n")
    r = invoke("import", path)
    assert r.exit_code == 1 and "unknown header" in r.output


def test_geocode_fills_missing_coordinates_with_a_failure_summary(geo):
    here, google, _ = geo
    found = make_center(None, None, tipo_logradouro="Avenida", nome_logradouro="Paulista", cep="01310100",
                        bairro="Bela Vista")
    lost = make_center(None, None, nome_logradouro="Sem Nome", cep="99999999", nome="Perdido")
    done = make_center(-1.0, -1.0)
    r = invoke("geocode", "--missing")
    assert r.exit_code == 0, r.output
    assert "1 geocoded, 1 not found" in r.output and "Perdido" in r.output
    found = Center.get_by_id(found.id)
    assert (found.latitude, found.longitude) == (-23.5630994, -46.6565712)
    assert Center.get_by_id(lost.id).latitude is None and Center.get_by_id(done.id).latitude == -1.0
    calls = len(here.calls) + len(google.calls)
    invoke("geocode")
    assert len(here.calls) + len(google.calls) == calls, "the second run is answered by the cache"
    assert AuditLog.select().where(AuditLog.action == "centers.geocode").count() == 2


def test_export_csv_and_geojson(tmp_path):
    invoke("import", SAMPLE_2022)
    r = invoke("export", "--format", "geojson", "--output", tmp_path / "c.geojson")
    assert r.exit_code == 0
    data = json.loads((tmp_path / "c.geojson").read_text())
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 4
    point = next(f for f in data["features"] if f["geometry"])
    assert point["geometry"]["type"] == "Point" and point["geometry"]["coordinates"][0] < -40
    r = invoke("export", "--format", "csv")
    assert r.exit_code == 0 and r.output.startswith("Nome,Sigla,Natureza,Categoria")
    assert invoke("export", "--format", "xml").exit_code == 1


def test_show_and_search():
    invoke("import", REAL)
    r = invoke("search", "--lat", "-23.5503", "--lng", "-46.6339", "--radius", "10", "--json")
    rows = json.loads(r.output)
    assert rows[0]["nome"] == "1ª Delegacia de Defesa da Mulher - São Paulo" and rows[0]["distancia"] == "1"
    r = invoke("show", rows[0]["id"])
    assert r.exit_code == 0 and "Mapa Delegacia" in r.output
    assert invoke("show", 999999).exit_code == 1
    r = invoke("search", "--lat", "-23.5503", "--lng", "-46.6339", "--projeto", "Penhas")
    assert r.exit_code == 0 and "0 shown" in r.output


@pytest.fixture
def suggestion():
    user = make_user()
    return CenterSuggestion.create(
        cliente=user, created_at=user.created_on, nome="Casa Abrigo", categoria=577, nome_logradouro="Avenida Paulista",
        cep="01310100", abrangencia="local", numero="1000", municipio="Sao Paulo", uf="sp", ddd1=11,
        telefone1=33334444, eh_24h=True, has_whatsapp=None, horario="8h-18h", metainfo={"ip": "10.0.0.1"})


def test_suggestion_review_and_approval(geo, suggestion):
    r = invoke("suggestions", "list", "--json")
    assert [s["id"] for s in json.loads(r.output)] == [suggestion.id]
    r = invoke("suggestions", "show", suggestion.id, "--json")
    draft = json.loads(r.output)["draft"]
    assert (draft["tipo_logradouro"], draft["nome_logradouro"], draft["cod_ibge"], draft["municipio"]) == (
        "Avenida", "Paulista", "3550308", "São Paulo")
    r = invoke("suggestions", "approve", suggestion.id)
    assert r.exit_code == 1 and "natureza: required" in r.output
    r = invoke("suggestions", "approve", suggestion.id, "--set", "natureza=público")
    assert r.exit_code == 0, r.output
    center = Center.get(Center.nome == "Casa Abrigo")
    assert (center.abrangencia, center.uf, center.eh_24h, center.ja_passou_por_moderacao, center.status) == (
        "Local", "SP", True, True, "active")
    assert (center.latitude, center.cliente_id, center.categoria_id) == (-23.5630994, suggestion.cliente_id, 577)
    assert "Horário: 8h-18h" in center.observacao
    s = CenterSuggestion.get_by_id(suggestion.id)
    assert (s.status, s.created_ponto_apoio_id, s.metainfo["ponto_apoio_id"]) == ("approved", center.id, center.id)
    assert AuditLog.get(AuditLog.action == "centers.suggestion.approve").target_id == str(suggestion.id)
    assert invoke("suggestions", "reject", suggestion.id).exit_code == 1


def test_suggestion_reject(suggestion):
    r = invoke("suggestions", "reject", suggestion.id)
    assert r.exit_code == 0
    assert CenterSuggestion.get_by_id(suggestion.id).status == "reproved"
    assert AuditLog.select().where(AuditLog.action == "centers.suggestion.reject").count() == 1
    assert json.loads(invoke("suggestions", "list", "--json").output) == []
    assert invoke("suggestions", "show", 424242).exit_code == 1


def test_app_sees_the_2020_stations_only_when_linked_to_penhas(app, client):
    """The app always lists projeto=Penhas; the 2020 survey belongs to the web map (Mapa Delegacia) alone."""
    from tests.factories import auth_headers

    headers = auth_headers(app, make_user(cep="04002003"))
    url = "/me/pontos-de-apoio?projeto=Penhas&full_list=1&latitude=-23.5503&longitude=-46.6339"
    invoke("import", REAL)
    assert client.get(url, headers=headers).get_json()["rows"] == []

    out = json.loads(invoke("import", REAL, "--add-project", "penhas", "--json").output)
    assert (out["inserted"], out["updated"]) == (0, 429)
    rows = client.get(url, headers=headers).get_json()["rows"]
    assert len(rows) == 429 and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    sede = next(r for r in rows if r["nome"] == "1ª Delegacia de Defesa da Mulher - São Paulo")
    assert (sede["distancia"], sede["latitude"], sede["avaliacao"]) == ("1", "-23.557338", "n/a")
    again = json.loads(invoke("import", REAL, "--add-project", "Penhas", "--json").output)
    assert (again["updated"], again["unchanged"]) == (0, 429)
    assert AuditLog.select().where(AuditLog.action == "centers.import").count() == 3

    # The file and the options define the projects: importing without the option unlinks Penhas again.
    assert json.loads(invoke("import", REAL, "--json").output)["updated"] == 429
    assert client.get(url, headers=headers).get_json()["rows"] == []

    r = invoke("import", REAL, "--add-project", "Outro")
    assert r.exit_code == 1 and "unknown project 'Outro'" in r.output


def test_geocode_without_a_provider_says_so():
    make_center(None, None, nome="Sem coordenadas")
    r = invoke("geocode")
    assert r.exit_code == 1, "every lookup failed"
    assert "0 geocoded, 0 not found, 1 failed" in r.output and "no geocoder configured" in r.output
    assert "every lookup failed" in r.output and "GEOCODER" in r.output


def test_search_without_a_radius_limit_is_still_nearest_first_and_paged():
    far = make_center(40.4168, -3.7038, nome="Madrid")  # ~8 000 km away: inside "no limit"
    near = [make_center(-23.55 + d, -46.63, nome=f"Perto {d}") for d in (0.3, 0.1, 0.2)]
    r = invoke("search", "--lat", "-23.55", "--lng", "-46.63", "--radius", "5000", "--rows", "2", "--json")
    assert r.exit_code == 0, r.output
    assert [row["id"] for row in json.loads(r.output)] == [near[1].id, near[2].id]
    r = invoke("search", "--lat", "-23.55", "--lng", "-46.63", "--radius", "5000", "--rows", "10", "--json")
    assert [row["id"] for row in json.loads(r.output)] == [near[1].id, near[2].id, near[0].id, far.id]
    r = invoke("search", "--lat", "-23.55", "--lng", "-46.63", "--radius", "5000", "--rows", "2")
    assert "2 shown (more available)" in r.output


def test_real_2022_file_shape_imports_every_real_center(tmp_path):
    """backend-rules §12: 1 127 rows, 4 'tirar' skipped, 1 123 imported; CRAS pairs sharing a town-wide CEP are two
    centers, and a row with only the IBGE code gets its town's name."""
    from tests.center_files import CRAS, EMPTY_TOWN_CODE, dataset_2022

    path = tmp_path / "2022.mapeamento.pontoapoio.csv"
    path.write_text(dataset_2022(), encoding="utf-8")
    r = invoke("import", path, "--json")
    assert r.exit_code == 0, r.output[:2000]
    out = json.loads(r.output)
    assert (out["valid"], out["invalid"], out["skipped"], out["inserted"]) == (1123, 0, 4, 1123)
    assert Center.select().where(Center.nome == CRAS).count() == 6
    assert Center.get(Center.cod_ibge == EMPTY_TOWN_CODE).municipio == "Salvador"
    tally = {c: Center.select().where(Center.natureza == c).count() for c in ("publico", "ong")}
    assert tally == {"publico": 1104, "ong": 19}
    scopes = {a: Center.select().where(Center.abrangencia == a).count() for a in ("Local", "Regional", "Nacional")}
    assert scopes == {"Local": 1049, "Regional": 71, "Nacional": 3}
    assert CenterProjectLink.select().where(CenterProjectLink.project == 2).count() == 427
    again = json.loads(invoke("import", path, "--json").output)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 1123)


def test_centers_imported_under_the_old_identity_are_updated_not_copied():
    from penhas_api.core.services.center_import import legacy_import_key

    invoke("import", SAMPLE_2022)
    for c in Center.select():
        Center.update(import_key=legacy_import_key(c.__data__)).where(Center.id == c.id).execute()
    out = json.loads(invoke("import", SAMPLE_2022, "--json").output)
    assert (out["inserted"], out["unchanged"]) == (0, 4)
    assert json.loads(invoke("import", SAMPLE_2022, "--json").output)["unchanged"] == 4
    assert Center.select().count() == 4


def test_exported_csv_reimports_cleanly(tmp_path):
    invoke("import", REAL, "--add-project", "Penhas")
    exported = tmp_path / "export.csv"
    assert invoke("export", "--format", "csv", "-o", exported).exit_code == 0
    r = invoke("import", exported, "--json")
    assert r.exit_code == 0, r.output[:2000]
    out = json.loads(r.output)
    assert (out["layout"], out["invalid"], out["inserted"], out["updated"], out["unchanged"]) == (
        "export", 0, 0, 0, 429)
    assert CenterProjectLink.select().count() == 2 * 429, "the export has no projects: they are kept"

    Center.delete().execute()  # into an empty database: the same centers, with new ids
    out = json.loads(invoke("import", exported, "--json").output)
    assert (out["inserted"], out["invalid"]) == (429, 0)
    again = tmp_path / "again.csv"
    invoke("export", "--format", "csv", "--all", "-o", again)

    def without_ids(p):
        return sorted(line.rsplit(",", 1)[0] for line in p.read_text(encoding="utf-8").splitlines())

    assert without_ids(again) == without_ids(exported)


def test_empty_file_and_wrong_field_counts_say_so(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = invoke("import", empty)
    assert r.exit_code == 1 and "the file is empty" in r.output
    header_only = tmp_path / "header.csv"
    header_only.write_text(SAMPLE_2022.read_text(encoding="utf-8").split("\n")[0] + "\n")
    r = invoke("import", header_only)
    assert r.exit_code == 1 and "a header but no rows" in r.output
    lines = REAL.read_text().split("\n")
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:3] + [";".join(lines[3].split(";")[:20]), lines[1] + ";extra"]) + "\n")
    out = json.loads(invoke("import", short, "--json").output)
    assert [(e["line"], e["column"], e["message"]) for e in out["errors"]] == [
        (4, "(row)", "20 fields, the header has 34"), (5, "(row)", "35 fields, the header has 34")]


def test_operator_errors_say_what_was_not_found_in_english():
    r = invoke("suggestions", "reject", 99)
    assert r.exit_code == 1 and "suggestion 99 not found" in r.output and "permissão" not in r.output
