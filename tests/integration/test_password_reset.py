"""Password reset end to end through a real SMTP server on loopback (contract §2.1.3–2.1.4)."""
import re
from datetime import timedelta
from email.header import decode_header, make_header

from penhas_api.core.models import Cliente, EmailOutbox, ResetPassword
from penhas_api.core.passwords import verify_password
from penhas_api.core.services.accounts import MAX_RESET_ATTEMPTS, RESET_ANSWER
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.helpers import assert_error

UA = "Android 14/Google Pixel 7/3.7.4"
NEW_PASSWORD = "Trocada#2025"


def request_code(client, email):
    return client.post("/reset-password/request-new", query_string={"email": email, "app_version": UA})


def write_new(client, email, token, dry, senha=None):
    params = {"email": email, "token": token, "dry": dry, "app_version": UA}
    if senha is not None:
        params["senha"] = senha
    return client.post("/reset-password/write-new", query_string=params)


def code_from(message) -> str:
    return re.search(r"Seu código: (\d{6})", message.get_payload(decode=True).decode()).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1000000:06d}"


def test_code_by_mail_wrong_attempts_kill_it_right_code_resets_and_revokes(client, app, smtp_server, frozen_clock):
    user = make_user()
    old_session = auth_headers(app, user)
    r = request_code(client, user.email.upper())
    assert r.status_code == 200
    assert r.get_json() == RESET_ANSWER
    assert len(smtp_server) == 1 and smtp_server[0]["To"] == user.email
    assert str(make_header(decode_header(smtp_server[0]["Subject"]))) == "PenhaS - Recuperação de senha"
    code = code_from(smtp_server[0])
    row = ResetPassword.get()
    # Neither the database nor the outbox copy of an SMTP message holds the code.
    assert code not in row.token and EmailOutbox.get().body == ""

    # Asking again soon sends nothing new.
    frozen_clock.advance(minutes=10)
    again = request_code(client, user.email).get_json()
    assert again == RESET_ANSWER and len(smtp_server) == 1

    # N wrong codes kill it: afterwards even the right code is refused.
    for _ in range(MAX_RESET_ATTEMPTS):
        body = assert_error(write_new(client, user.email, wrong(code), "1"), 400, "invalid_token", "token", "invalid")
        assert body["message"] == "Número não confere."
    assert_error(write_new(client, user.email, code, "1"), 400, "invalid_token")

    # A dead code does not block a new one.
    request_code(client, user.email)
    assert len(smtp_server) == 2
    code = code_from(smtp_server[1])
    assert write_new(client, user.email, code, "1").get_json() == {"continue": 1}
    assert_error(write_new(client, user.email, code, "0"), 400, "form_error", "senha", "is_required")
    assert_error(write_new(client, user.email, code, "0", "fraca"), 400, "pass_too_weak/size", "senha")
    assert_error(write_new(client, user.email, code, "0", DEFAULT_PASSWORD), 400, "pass_same_as_before", "senha")
    r = write_new(client, user.email, code, "0", NEW_PASSWORD)
    assert r.status_code == 200 and r.get_json() == {"success": 1}
    assert verify_password(NEW_PASSWORD, Cliente.get_by_id(user.id).senha_hash)[0]
    assert_error(client.get("/me", headers=old_session), 403, "jwt_logout")
    # Single use.
    assert_error(write_new(client, user.email, code, "0", "Outra#Senha9"), 400, "invalid_token")
    assert ResetPassword.select().where(ResetPassword.used_at.is_null(False)).count() == 1
    r = client.post("/login", query_string={"app_version": UA}, data={"email": user.email, "senha": NEW_PASSWORD})
    assert r.status_code == 200


def test_code_expires_after_an_hour(client, smtp_server, frozen_clock):
    user = make_user()
    request_code(client, user.email)
    code = code_from(smtp_server[0])
    frozen_clock.advance(seconds=3601)
    assert_error(write_new(client, user.email, code, "1"), 400, "invalid_token")
    # An expired code does not hold back a new one.
    request_code(client, user.email)
    assert len(smtp_server) == 2


def test_unknown_email_and_bad_input(client):
    # An unknown e-mail gets the answer a known one gets (tests/api/test_account_privacy.py).
    assert request_code(client, "ninguem@example.com").get_json() == RESET_ANSWER
    assert_error(write_new(client, "ninguem@example.com", "123456", "1"), 400, "invalid_token", "token")
    assert_error(write_new(client, "a@b.com", "123", "1"), 400, "form_error", "token", "invalid_min_length")
    assert_error(write_new(client, "a@b.com", "123456", "x"), 400, "form_error", "dry", "invalid")
    assert_error(request_code(client, "no-at-sign"), 400, "form_error", "email", "invalid")

def test_reset_rate_limits_per_ip(client, rate_limits):
    user = make_user()
    for _ in range(5):
        assert request_code(client, user.email).status_code == 200
    assert_error(request_code(client, user.email), 429, "too_many_requests")
    for _ in range(30):
        write_new(client, user.email, "000000", "1")
    assert_error(write_new(client, user.email, "000000", "1"), 429, "too_many_requests")


def test_reset_does_not_touch_other_accounts(client, smtp_server, frozen_clock):
    user, other = make_user(), make_user()
    request_code(client, user.email)
    code = code_from(smtp_server[0])
    # Her code is worthless for another e-mail.
    assert_error(write_new(client, other.email, code, "1"), 400, "invalid_token")
    frozen_clock.advance(minutes=1)
    assert ResetPassword.select().where(ResetPassword.cliente == other).count() == 0
    assert ResetPassword.get().valid_until == frozen_clock.now - timedelta(minutes=1) + timedelta(hours=1)
