"""The account's CEP end to end: ViaCEP checks it at sign-up (backend-rules §2.2 step 3), the ``cliente_update_cep``
job fills city, state and municipality (§10), and the support-center search and preferences use them (§6.1, §2.5).
ViaCEP, HERE and Google are the loopback fakes of tests/fakes/geo.py."""
import pytest

from penhas_api.core import clock
from penhas_api.core.models import Badge, Cliente, FailedJob, LoginLog
from tests.api.test_accounts import signup
from tests.center_factories import make_center
from tests.factories import make_user
from tests.fakes.geo import geo  # noqa: F401  (fixture)
from tests.helpers import assert_error
from tests.sms_helpers import run_scheduled_retries

SAO_PAULO = 3550308
CAMPINAS = 3509502
# Avenida Paulista (CEP 01310-100) and points about 100 km south of it, outside the default 50 km radius.
HOME = (-23.5630994, -46.6565712)
FAR = (-24.47, -46.66)


def _search(client, headers, **params):
    r = client.get("/me/pontos-de-apoio", headers=headers, query_string=params)
    assert r.status_code == 200, r.get_json()
    return {row["id"]: row for row in r.get_json()["rows"]}


def test_unknown_cep_is_refused_in_both_steps_in_the_contract_order(client, geo):
    viacep = geo[2]
    dry = dict(dry="1", apelido=None, genero=None, raca=None, email=None, senha=None)
    body = assert_error(signup(client, cep="01203-777", **dry), 400, "cep_invalid", "cep", "invalid")
    assert body["message"] == "Não conseguimos localizar o endereço do CEP 01203777!"
    assert viacep.calls[-1][1] == "/ws/01203777/json/"
    assert_error(signup(client, cep="01203777"), 400, "cep_invalid", "cep", "invalid")
    # Malformed CEPs and the fields of step 2 come first; ViaCEP is not asked then.
    calls = len(viacep.calls)
    assert_error(signup(client, cep="0120377", **dry), 400, "form_error", "cep", "invalid")
    assert_error(signup(client, cep="01203777", senha="fraca"), 400, "pass_too_weak/size", "senha")
    assert len(viacep.calls) == calls
    # ... and it comes before the e-mail check of step 5.
    make_user(email="cida@example.com")
    assert_error(signup(client, cep="01203777"), 400, "cep_invalid", "cep")
    assert_error(signup(client), 400, "email_already_exists", "email")
    assert Cliente.select().count() == 1 and LoginLog.select().count() == 0


def test_cep_invalid_is_not_counted_by_the_signup_rate_limit(client, geo, rate_limits):
    dry = dict(dry="1", apelido=None, genero=None, raca=None, email=None, senha=None)
    for _ in range(5):
        assert_error(signup(client, cep="01203777", **dry), 400, "cep_invalid")
    assert signup(client, **dry).get_json() == {"continue": 1}


def test_signup_fills_city_state_and_municipality_through_the_job(client, geo):
    viacep = geo[2]
    r = signup(client, cep="01310-100")
    assert r.status_code == 200, r.get_json()
    user = Cliente.get()
    assert (user.cep, user.cep_cidade, user.cep_estado, user.cep_ibge) == ("01310100", "São Paulo", "SP",
                                                                           str(SAO_PAULO))
    # One lookup to check the CEP at sign-up, one by the job (immediate mode).
    assert [c[1] for c in viacep.calls] == ["/ws/01310100/json/"] * 2
    me = client.get("/me", headers={"X-Api-Key": r.get_json()["session"]})
    assert me.status_code == 200 and me.get_json()["user_profile"]["cep"] == "01310100"


def test_viacep_down_does_not_block_signup_and_the_job_retries_with_backoff(client, geo):
    viacep = geo[2]
    viacep.RequestHandlerClass.fail = 502
    dry = dict(dry="1", apelido=None, genero=None, raca=None, email=None, senha=None)
    assert signup(client, cep="01310100", **dry).get_json() == {"continue": 1}
    r = signup(client, cep="01310100")
    assert r.status_code == 200, r.get_json()
    user = Cliente.get()
    # Still marked "lookup queued": the housekeeping sweep leaves her to the job's retries.
    assert (user.cep_cidade, user.cep_estado, user.cep_ibge) == (None, "", None)
    viacep.RequestHandlerClass.fail = 0
    assert run_scheduled_retries() == [16]
    user = Cliente.get()
    assert (user.cep_cidade, user.cep_estado, user.cep_ibge) == ("São Paulo", "SP", str(SAO_PAULO))


def test_a_cep_viacep_never_resolves_fails_five_times_then_is_dropped(client, geo):
    viacep = geo[2]
    viacep.RequestHandlerClass.fail = 502  # down at sign-up: the unknown CEP gets in unchecked
    assert signup(client, cep="01203777").status_code == 200
    viacep.RequestHandlerClass.fail = 0  # back, and it does not know the CEP
    assert run_scheduled_retries() == [16, 40, 100, 250]
    assert len([c for c in viacep.calls if c[1] == "/ws/01203777/json/"]) == 6
    # Bounded retries with backoff, then dropped: failed_jobs is for work an operator must act on.
    assert FailedJob.select().count() == 0
    assert Cliente.get().cep_cidade is None


def test_a_signed_up_user_finds_the_regional_centers_of_her_municipality(client, geo):
    here, _, viacep = geo
    near = make_center(-23.57, -46.65)
    regional_sp = make_center(*FAR, abrangencia="Regional", cod_ibge=SAO_PAULO)
    regional_other = make_center(*FAR, abrangencia="Regional", cod_ibge=CAMPINAS, municipio="Campinas")
    far_local = make_center(*FAR, cod_ibge=SAO_PAULO)
    r = signup(client, cep="01310-100")
    headers = {"X-Api-Key": r.get_json()["session"]}
    assert Cliente.get().cep_ibge == str(SAO_PAULO)
    # From here on the search must stand on what the job stored, not on a fresh ViaCEP answer.
    viacep.RequestHandlerClass.fail = 502

    # GPS near her home: the point has no municipality of its own, so hers counts (backend-rules §6.1).
    rows = _search(client, headers, latitude=HOME[0], longitude=HOME[1])
    assert set(rows) == {near.id, regional_sp.id}
    assert rows[regional_sp.id]["distancia"].startswith("Regional - 10")
    # Without GPS the search is centred on her account's CEP, with the same municipality.
    rows = _search(client, headers)
    assert set(rows) == {near.id, regional_sp.id}
    assert here.calls, "the account's CEP was geocoded"
    # Anonymous, the same point has no municipality: Regional centers count by distance only.
    r = client.get("/pontos-de-apoio", query_string={"latitude": HOME[0], "longitude": HOME[1]})
    assert {row["id"] for row in r.get_json()["rows"]} == {near.id}
    assert regional_other.id not in rows and far_local.id not in rows


def test_another_users_municipality_does_not_leak_into_her_search(client, app, geo):
    regional_sp = make_center(*FAR, abrangencia="Regional", cod_ibge=SAO_PAULO)
    make_user(cep="01310100", cep_cidade="São Paulo", cep_estado="SP", cep_ibge=str(SAO_PAULO))
    r = signup(client, cep="69901000")  # Rio Branco (AC)
    headers = {"X-Api-Key": r.get_json()["session"]}
    me = Cliente.get(Cliente.cep == "69901000")
    assert (me.cep_cidade, me.cep_estado, me.cep_ibge) == ("Rio Branco", "AC", "1200401")
    assert regional_sp.id not in _search(client, headers, latitude=HOME[0], longitude=HOME[1])


def test_city_preference_appears_once_the_job_filled_her_city(client, geo):
    Badge.create(code="sp", name="São Paulo", description="d", image_url="u", image_url_black="u",
                 linked_cep_cidade="São Paulo", created_on=clock.now())
    r = signup(client, cep="01310100")
    keys = [p["key"] for p in client.get("/me/preferences", headers={"X-Api-Key": r.get_json()["session"]})
            .get_json()["preferences"]]
    assert "NOTIFY_POST_FROM_BADGE_HOLDER_IN_MY_CITY" in keys


@pytest.fixture
def queue_down():
    """The task queue (Redis) unreachable: a real Redis client aimed at a closed port."""
    from huey.storage import RedisStorage

    from penhas_api.core.queue import huey

    huey.immediate = False
    huey.storage = RedisStorage("penhas", url="redis://127.0.0.1:9/0")
    try:
        yield
    finally:
        huey.immediate = True  # back to the in-memory storage of immediate mode


def test_queue_down_at_signup_leaves_the_lookup_to_the_housekeeping_sweep(client, geo, queue_down):
    from penhas_api.core.queue import huey
    from tasks.base import PERIODIC_JOBS

    assert signup(client, cep="01310100").status_code == 200
    assert Cliente.get().cep_estado is None  # not "queued": the sweep must pick her up
    huey.immediate = True
    assert PERIODIC_JOBS["accounts.housekeeping"].fn()["cep_lookups_queued"] == 1
    user = Cliente.get()
    assert (user.cep_cidade, user.cep_estado, user.cep_ibge) == ("São Paulo", "SP", str(SAO_PAULO))
    assert PERIODIC_JOBS["accounts.housekeeping"].fn()["cep_lookups_queued"] == 0
