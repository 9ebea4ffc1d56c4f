"""CPF: keyed hashing for storage, and the verifier that checks a CPF at sign-up (``CPF_VERIFIER``).

``checksum`` (default) accepts any CPF with valid check digits. ``http`` asks the iWebService registry whether
the CPF exists with that birth date and compares the holder's name (backend-rules §3.5), caching answers by
HMAC and counting failed matches per IP for 24 hours.

CPFs are never stored in clear: ``clientes.cpf_hash`` is an HMAC keyed with a secret derived from
HMAC_KEY (a CPF has only ~10⁹ values, so an unkeyed digest is reversible by brute force).
"""
import hashlib
import hmac
import logging
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

import requests

from penhas_api.core import clock
from penhas_api.core.cpf_digits import cpf_is_valid
from penhas_api.core.errors import PenhasError, form_error
from penhas_api.core.keys import keyed_digest
from penhas_api.core.retry import with_backoff
from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.cpf")

HMAC_PREFIX = "h1:"
MAX_CPF_ERRORS_IN_24H = 20
NOT_FOUND = "404"
NOT_FOUND_RETRY_SECONDS = 300


def cpf_hash(cpf: str) -> str:
    """What ``clientes.cpf_hash`` holds for this CPF (11 digits)."""
    return HMAC_PREFIX + keyed_digest("cpf", cpf)


def legacy_cpf_hash(cpf: str) -> str:
    """The unsalted SHA-256 rows imported from the original database carry; checked for uniqueness only."""
    return hashlib.sha256(cpf.encode()).hexdigest()


def cpf_prefix(cpf: str) -> str:
    return cpf[:4]


def name_key(name: str) -> str:
    """Upper case, accents removed, spaces collapsed: how a typed name is compared with the registry's."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.upper().split())


def name_hash(name: str) -> str:
    return keyed_digest("cpf-name", name_key(name))


def cpf_not_match(not_found: bool) -> PenhasError:
    message = "Data de nascimento não confere com o CPF."
    if not_found:
        message += " Caso os dados estejam corretos, tente novamente após 5 minutos."
    return PenhasError("cpf_not_match", message, 400)


def name_not_match() -> PenhasError:
    return PenhasError("name_not_match",
                       "O nome não confere com o titular do CPF. Preencha exatamente como estão no documento.",
                       400, field="nome_completo", reason="invalid")


def cpf_offline() -> PenhasError:
    return PenhasError("cpf_offline", "Não conseguimos consultar o seu CPF no momento, tente novamente mais tarde.",
                       400)


class ChecksumVerifier:
    name = "checksum"

    def verify(self, cpf: str, dt_nasc: date, nome_completo: str, remote_ip: str) -> None:
        if not cpf_is_valid(cpf):
            raise form_error("cpf", "invalid")


class RegistryUnavailable(Exception):
    pass


class HttpVerifier:
    name = "http"

    def __init__(self, url: str, key: str | None, session: requests.Session | None = None):
        self.url = url
        self.key = key or ""
        self.http = session or requests.Session()

    def verify(self, cpf: str, dt_nasc: date, nome_completo: str, remote_ip: str) -> None:
        from penhas_api.core.models import CpfErro

        now = clock.now()
        errors = sum(e.count for e in CpfErro.select().where(CpfErro.remote_ip == remote_ip, CpfErro.reset_at > now))
        if errors > MAX_CPF_ERRORS_IN_24H:
            raise PenhasError("too_many_requests", "Você fez muitos acessos recentemente. Aguarde e tente novamente.",
                              429)
        cached = self._lookup(cpf, dt_nasc)
        if cached.nome_hashed == NOT_FOUND:
            self._count_error(cpf, remote_ip)
            raise cpf_not_match(not_found=True)
        if not hmac.compare_digest(cached.nome_hashed, name_hash(nome_completo)):
            self._count_error(cpf, remote_ip)
            raise name_not_match()

    def _lookup(self, cpf: str, dt_nasc: date):
        from penhas_api.core.models import CpfCache

        key = cpf_hash(cpf)
        now = clock.now()
        row = CpfCache.get_or_none(CpfCache.cpf_hashed == key, CpfCache.dt_nasc == dt_nasc)
        if row is not None and row.nome_hashed == NOT_FOUND \
                and now - row.created_at > timedelta(seconds=NOT_FOUND_RETRY_SECONDS):
            row.delete_instance()
            row = None
        if row is not None:
            return row
        try:
            answer = with_backoff(lambda: self._ask(cpf, dt_nasc), attempts=3,
                                  retry_on=(requests.ConnectionError, requests.Timeout, RegistryUnavailable))
        except (requests.RequestException, RegistryUnavailable, ValueError):
            log.warning("cpf registry unavailable")
            raise cpf_offline() from None
        values = dict(nome_hashed=NOT_FOUND, situacao=None, genero=None)
        titular = answer.get("DadosTitular") or {}
        if str((answer.get("msg") or {}).get("Resultado")) == "1" and titular.get("Titular"):
            values = dict(nome_hashed=name_hash(titular["Titular"]),
                          situacao=(str(titular.get("Situacao") or "") or None),
                          genero=(str(titular.get("Genero") or "") or None))
        return CpfCache.create(cpf_hashed=key, dt_nasc=dt_nasc, created_at=now, **values)

    def _ask(self, cpf: str, dt_nasc: date) -> dict:
        response = self.http.get(self.url, timeout=10, params={
            "chave": self.key, "cpf": cpf, "dataNascimento": dt_nasc.strftime("%d/%m/%Y"), "formato": "JSON"})
        if response.status_code >= 500:
            raise RegistryUnavailable(str(response.status_code))
        if response.status_code >= 400 and response.status_code != 404:
            # A refused request (bad key, 422) will not get better by repeating it.
            raise requests.HTTPError(str(response.status_code))
        body = response.json() if response.content else {}
        return (body or {}).get("RetornoCpf") or {}

    def _count_error(self, cpf: str, remote_ip: str) -> None:
        from penhas_api.core.models import CpfErro

        now = clock.now()
        key = cpf_hash(cpf)
        updated = (CpfErro.update(count=CpfErro.count + 1)
                   .where(CpfErro.cpf_hash == key, CpfErro.remote_ip == remote_ip, CpfErro.reset_at > now)
                   .execute())
        if not updated:
            CpfErro.create(cpf_hash=key, cpf_start=cpf_prefix(cpf), remote_ip=remote_ip,
                           reset_at=now + timedelta(days=1), count=1)


@lru_cache(maxsize=4)
def _verifier_for(kind: str, url: str | None, key: str | None):
    if kind == "http":
        if not url:
            raise RuntimeError("CPF_VERIFIER=http needs CPF_VERIFIER_URL")
        return HttpVerifier(url, key)
    return ChecksumVerifier()


def get_cpf_verifier():
    s = get_settings()
    return _verifier_for(s.cpf_verifier, s.cpf_verifier_url, s.cpf_verifier_key)
