"""CEP → address through ViaCEP (``GET <VIACEP_URL>/<cep>/json/``).

``lookup`` answers ``None`` for a CEP ViaCEP does not know (``{"erro": true}`` or HTTP 400) and raises
``CepUnavailable`` when ViaCEP itself cannot answer (timeouts, 5xx), so callers can tell "no such CEP" from
"try again later".
"""
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import requests

from penhas_api.core.retry import with_backoff
from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.cep")
TIMEOUT = (3, 5)


@lru_cache(maxsize=1)
def _http() -> requests.Session:
    """The process's one ViaCEP session: pooled connections skip a TLS handshake on every sign-up."""
    return requests.Session()


class CepUnavailable(Exception):
    pass


@dataclass(frozen=True)
class CepAddress:
    cep: str
    logradouro: str
    complemento: str
    bairro: str
    localidade: str
    uf: str
    ibge: int | None

    def search_text(self) -> str:
        """An address line a geocoder understands, most specific part first."""
        parts = [p for p in (self.logradouro, self.bairro) if p]
        parts.append(f"{self.localidade} - {self.uf}" if self.localidade else self.uf)
        parts.append(format_cep(self.cep))
        parts.append("Brasil")
        return ", ".join(p for p in parts if p)


def clean_cep(value: str | None) -> str | None:
    digits = re.sub(r"\D", "", value or "")
    return digits if len(digits) == 8 and digits != "00000000" else None


def format_cep(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 8 else digits


def lookup(cep: str, attempts: int = 2, sleep=None) -> CepAddress | None:
    digits = clean_cep(cep)
    if digits is None:
        return None
    url = f"{get_settings().viacep_url}/{digits}/json/"

    def call():
        try:
            resp = _http().get(url, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise CepUnavailable(f"ViaCEP unreachable: {exc.__class__.__name__}") from exc
        if resp.status_code == 400:
            return None
        if resp.status_code != 200:
            raise CepUnavailable(f"ViaCEP answered HTTP {resp.status_code}")
        try:
            return resp.json()
        except ValueError as exc:
            raise CepUnavailable("ViaCEP answered something that is not JSON") from exc

    kwargs = {"sleep": sleep} if sleep else {}
    data = with_backoff(call, attempts=attempts, retry_on=(CepUnavailable,), **kwargs)
    # ViaCEP has answered both `"erro": true` and `"erro": "true"` over the years.
    if not isinstance(data, dict) or data.get("erro") in (True, "true") or not data.get("uf"):
        return None
    ibge = str(data.get("ibge") or "")
    return CepAddress(
        cep=digits,
        logradouro=(data.get("logradouro") or "").strip(),
        complemento=(data.get("complemento") or "").strip(),
        bairro=(data.get("bairro") or "").strip(),
        localidade=(data.get("localidade") or "").strip(),
        uf=(data.get("uf") or "").strip().upper(),
        ibge=int(ibge) if ibge.isdigit() else None,
    )
