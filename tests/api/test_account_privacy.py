"""Who has an account, and reset codes (issue 11, items 5 and 7): the reset request and the login answer alike
for known and unknown e-mails, codes are capped per account whatever the IP, and the sign-up checks (which the
contract keeps) are behind tight per-IP and per-value limits."""
import os
import statistics
import time

from penhas_api.core.models import ResetPassword
from penhas_api.core.services import accounts
from penhas_api.core.settings import load_settings, reset_settings
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.helpers import assert_error

UA = "Android 12/penhas/3.6.0/test"
CPF = "11144477735"


def request_code(client, email, addr="198.51.100.1"):
    return client.post("/reset-password/request-new", query_string={"email": email, "app_version": UA},
                       environ_base={"REMOTE_ADDR": addr})


def write_new(client, email, token, addr):
    return client.post("/reset-password/write-new",
                       query_string={"email": email, "token": token, "dry": "1", "app_version": UA},
                       environ_base={"REMOTE_ADDR": addr})


def login(client, email, senha):
    return client.post("/login", query_string={"app_version": UA}, data={"email": email, "senha": senha})


def test_reset_request_answers_alike_for_known_unknown_and_pending(client, smtp_server, frozen_clock):
    user = make_user()
    known = request_code(client, user.email)
    unknown = request_code(client, "ninguem@example.com")
    frozen_clock.advance(minutes=10)
    pending = request_code(client, user.email)  # a code is on its way: nothing new is sent
    assert known.status_code == unknown.status_code == pending.status_code == 200
    assert known.get_json() == unknown.get_json() == pending.get_json()
    assert set(known.get_json()) == {"message", "ttl", "digits", "min_ttl_retry"}
    assert len(smtp_server) == 1 and smtp_server[0]["To"] == user.email


def test_mail_server_down_answers_alike_and_leaves_no_live_code(client):
    user = make_user()
    unknown = request_code(client, "ninguem@example.com").get_json()
    reset_settings(load_settings(dict(os.environ, SMTP_HOST="127.0.0.1", SMTP_PORT="1")))
    try:
        r = request_code(client, user.email)
    finally:
        reset_settings(None)
    assert r.status_code == 200 and r.get_json() == unknown
    assert ResetPassword.select().count() == 0


def test_reset_codes_are_capped_per_account_whatever_the_ip(client, smtp_server, frozen_clock):
    """The review's attack: kill each code with wrong guesses, ask again from a new IP, 5 codes in a minute."""
    user = make_user()
    for i in range(6):
        request_code(client, user.email, addr=f"198.51.100.{10 + i}")
        for j in range(accounts.MAX_RESET_ATTEMPTS):
            write_new(client, user.email, "000000", addr=f"203.0.113.{10 * i + j}")
    assert len(smtp_server) == accounts.RESET_CODES_PER_HOUR == 3
    # The hourly cap frees up; the daily one holds.
    for hour in range(6):
        frozen_clock.advance(hours=1, minutes=1)
        for i in range(4):
            request_code(client, user.email, addr=f"192.0.2.{10 * hour + i}")
            for j in range(accounts.MAX_RESET_ATTEMPTS):
                write_new(client, user.email, "000000", addr=f"203.0.113.{100 + j}")
    assert len(smtp_server) == accounts.RESET_CODES_PER_DAY == 10


def test_login_answers_alike_for_an_unknown_email(client):
    user = make_user()
    wrong = login(client, user.email, "Outra-Senha-1").get_json()
    assert login(client, "ninguem@example.com", "Outra-Senha-1").get_json() == wrong


def test_login_takes_as_long_for_an_unknown_email(client):
    user = make_user()
    login(client, "aquecimento@example.com", DEFAULT_PASSWORD)  # warm up (imports, first connection)

    samples = {user.email: [], "ninguem@example.com": []}
    for _ in range(7):
        for email, times in samples.items():  # interleaved, so a busy moment of the machine hits both
            started = time.perf_counter()
            login(client, email, "Outra-Senha-1")
            times.append(time.perf_counter() - started)
    known, unknown = (statistics.median(times) for times in samples.values())
    # Generous: scrypt dominates both (about 0.25 s); before the fix the unknown e-mail answered in ~7 ms.
    assert abs(known - unknown) < 0.4 * known, (known, unknown)


def signup_dry(client, addr, cpf=CPF):
    return client.post("/signup", query_string={
        "dry": "1", "nome_completo": "Maria da Silva", "dt_nasc": "1990-01-01", "cpf": cpf, "cep": "01310-100",
        "app_version": UA}, environ_base={"REMOTE_ADDR": addr})


def signup_email(client, addr, email, cpf):
    return client.post("/signup", query_string={
        "dry": "0", "nome_completo": "Maria da Silva", "dt_nasc": "1990-01-01", "cpf": cpf, "cep": "01310-100",
        "email": email, "genero": "Feminino", "raca": "branco", "apelido": "maria", "senha": DEFAULT_PASSWORD,
        "app_version": UA}, environ_base={"REMOTE_ADDR": addr})


def test_signup_cpf_check_is_limited_per_value_whatever_the_ip(client, rate_limits):
    for i in range(accounts.SIGNUP_CHECKS_PER_VALUE_PER_HOUR):
        assert signup_dry(client, f"198.51.100.{i}").status_code == 200
    assert_error(signup_dry(client, "198.51.100.200"), 429, "too_many_requests")
    # Another CPF is another value.
    assert signup_dry(client, "198.51.100.201", cpf="52998224725").status_code == 200


def test_signup_email_check_is_limited_per_value_whatever_the_ip(client, rate_limits):
    taken = make_user()
    cpfs = ["52998224725", "39053344705", "15350946056", "11144477735", "71428793860", "87748248800"]
    for i in range(accounts.SIGNUP_CHECKS_PER_VALUE_PER_HOUR):
        assert_error(signup_email(client, f"198.51.100.{i}", taken.email, cpfs[i]), 400, "email_already_exists")
    assert_error(signup_email(client, "198.51.100.200", taken.email, cpfs[5]), 429, "too_many_requests")
