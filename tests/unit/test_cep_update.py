"""The ``cliente_update_cep`` job and its housekeeping sweep (backend-rules §1.1, §10), against the ViaCEP fake."""
import pytest

from penhas_api.core.adapters.cep import CepUnavailable
from penhas_api.core.models import Cliente
from penhas_api.core.services import accounts
from tests.factories import make_user
from tests.fakes.geo import geo  # noqa: F401  (fixture)


def _cep_columns(user_id):
    user = Cliente.get_by_id(user_id)
    return user.cep_cidade, user.cep_estado, user.cep_ibge


def test_job_fills_city_state_and_municipality_and_is_idempotent(db, geo):
    viacep = geo[2]
    user = make_user(cep="69901000", cep_estado="")
    assert accounts.update_cep(user.id) == "updated"
    assert _cep_columns(user.id) == ("Rio Branco", "AC", "1200401")
    assert accounts.update_cep(user.id) == "resolved"
    assert len(viacep.calls) == 1
    assert accounts.update_cep(user.id + 1000) == "missing"


def test_legacy_row_with_city_but_no_municipality_is_completed(db, geo):
    user = make_user(cep="04002003", cep_cidade="Sao Paulo", cep_estado="SP")
    assert accounts.update_cep(user.id) == "updated"
    assert _cep_columns(user.id) == ("São Paulo", "SP", "3550308")


def test_job_raises_for_the_queue_to_retry_and_leaves_the_row_alone(db, geo):
    viacep = geo[2]
    unknown = make_user(cep="01203777", cep_estado="")
    with pytest.raises(accounts.CepNotResolved):
        accounts.update_cep(unknown.id)
    viacep.RequestHandlerClass.fail = 503
    known = make_user(cep="01310100", cep_estado="")
    with pytest.raises(CepUnavailable):
        accounts.update_cep(known.id)
    assert _cep_columns(unknown.id) == _cep_columns(known.id) == (None, "", None)


def test_sweep_queues_only_lookups_never_queued(db, geo):
    legacy = make_user(cep="01310100")  # cep_estado NULL: never looked up
    queued = make_user(cep="04002003", cep_estado="")  # a job is already on it
    assert accounts.queue_missing_cep_updates() == 1
    # Immediate mode: the queued job has run.
    assert _cep_columns(legacy.id) == ("São Paulo", "SP", "3550308")
    assert _cep_columns(queued.id) == (None, "", None)
    assert accounts.queue_missing_cep_updates() == 0


def test_sweep_works_in_batches(db, geo):
    users = [make_user(cep="01310100") for _ in range(3)]
    assert accounts.queue_missing_cep_updates(batch=2) == 2
    assert accounts.queue_missing_cep_updates(batch=2) == 1
    assert all(_cep_columns(u.id)[2] == "3550308" for u in users)
