"""A 2022-layout dataset shaped like the real file of backend-rules §12 (which is not shipped): 1 127 rows, 4 with
natureza 'tirar', projeto penhas 700 / 'mapa_delegacias, penhas' 427, natureza publico 1 104 / ong 19, abrangência
Local 1 049 / Regional 71 / Nacional 3 — and the real file's hard cases: three pairs of different CRAS units that
share one town-wide CEP, and one row whose municipio is empty but whose cod_IBGE is valid."""
import csv
import io
from pathlib import Path

from penhas_api.core.municipalities import _table

HEADER = (Path(__file__).parent / "data" / "centers-2022-sample.csv").read_text(encoding="utf-8").split("\n")[0]
COLUMNS = HEADER.split(",")
CRAS = "CRAS - Centro de Referência de Assistência Social"
EMPTY_TOWN_CODE = 2927408  # Salvador, BA
SHARED_CEP_TOWNS = [(3100203, "35730-000"), (2900108, "48475-000"), (4300034, "97930-000")]


def _row(**values) -> list[str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(natureza="público", categoria="Assistência Social", abrangencia="Local", tipo_logradouro="Rua", numero="1",
               bairro="Centro", projeto="penhas", fonte="mapa_acolhimento", ddd="11", telefone1="3333-4444",
               **{"24horas": "Não", "dias_funcionamento": "Dias úteis", "presencial": "Sim", "online": "Não"})
    row.update(values)
    return [row[c] for c in COLUMNS]


def dataset_2022() -> str:
    towns = sorted(_table().items())[::4]
    rows = []
    for code, cep in SHARED_CEP_TOWNS:  # two different units, same name and town-wide CEP, different streets
        town, uf = _table()[code]
        for street, numero in (("das Flores", "10"), ("Sete de Setembro", "250")):
            rows.append(_row(nome=CRAS, nome_logradouro=street, numero=numero, municipio=town, cod_IBGE=str(code),
                             uf=uf, cep=cep))
    rows.append(_row(nome="CREAS Salvador", nome_logradouro="Chile", municipio="", cod_IBGE=str(EMPTY_TOWN_CODE),
                     uf="BA", cep="40020-000"))
    for i in range(len(rows), 1123):
        code, (town, uf) = towns[i]
        nature = "ong" if i < 19 + 7 else "público"
        scope = "Nacional" if i >= 1120 else ("Regional" if i >= 1049 else "Local")
        project = "mapa_delegacias, penhas" if i >= 700 - 4 else "penhas"
        rows.append(_row(nome=f"Centro de Atendimento {i}", nome_logradouro=f"Rua {i}", numero=str(i),
                         municipio=town, cod_IBGE=str(code), uf=uf, cep=f"{10000 + i:05d}-{i % 1000:03d}",
                         natureza=nature, abrangencia=scope, projeto=project,
                         latitude=f"-{10 + i % 20},{i:04d}", longitude=f"-{40 + i % 10},{i:04d}"))
    for i in range(4):
        rows.append(_row(nome=f"Registro a remover {i}", natureza="tirar", nome_logradouro="Qualquer",
                         municipio="São Paulo", cod_IBGE="3550308", uf="SP", cep="01001-000"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()
