"""Factories for users and sessions. Build data through the real models, never mocks of our database layer."""
import functools
import itertools
import secrets
from datetime import date

from penhas_api.core import clock
from penhas_api.core.adapters.cpf import HMAC_PREFIX
from penhas_api.core.models import Cliente
from penhas_api.core.passwords import hash_password

_seq = itertools.count(1)
DEFAULT_PASSWORD = "Senha-Forte-123"


def make_user(password: str | None = None, **overrides) -> Cliente:
    """An active woman with a real scrypt password hash (``DEFAULT_PASSWORD`` unless ``password`` is given)."""
    n = next(_seq)
    values = dict(
        status="active",
        created_on=clock.now(),
        cpf_hash=HMAC_PREFIX + secrets.token_hex(32),
        cpf_prefix="1234",
        dt_nasc=date(1990, 1, 1),
        email=f"user{n}-{secrets.token_hex(3)}@example.com",
        cep="01310100",
        genero="Feminino",
        nome_completo="Maria da Silva",
        apelido=f"maria{n}",
        senha_hash=password_hash(password or DEFAULT_PASSWORD),
        salt_key=secrets.token_hex(5),
        skills_cached=[],
    )
    values.update(overrides)
    return Cliente.create(**values)


@functools.lru_cache(maxsize=8)
def password_hash(password: str) -> str:
    # Cached: scrypt takes a quarter of a second by design, and tests create many users.
    return hash_password(password)


def auth_headers(app, user: Cliente) -> dict:
    """Open a real session for ``user`` and return the header the app sends."""
    from penhas_api.auth import open_session

    with app.app_context():
        _, token = open_session(user)
    return {"X-Api-Key": token}
