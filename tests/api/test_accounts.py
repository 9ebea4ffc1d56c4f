"""Sign-up, login, lockout, logout, reactivation: mobile-contract §2.1 and backend-rules §2.2, §3."""
import hashlib
from datetime import timedelta

import pytest

from penhas_api.core.adapters.cpf import cpf_hash, legacy_cpf_hash
from penhas_api.core.models import Cliente, ClienteSession, LoginErro, LoginLog
from penhas_api.core.passwords import verify_password
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.helpers import assert_error

UA = "Android 14/Google Pixel 7/3.7.4"
PASSWORD = "Segura#2024x"


def make_cpf(base9: str) -> str:
    digits = base9
    for size in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:size], range(size + 1, 1, -1)))
        digits += str((total * 10) % 11 % 10)
    return digits


CPF = make_cpf("529982247")


def signup_params(**over):
    params = dict(app_version=UA, dry="0", nome_completo="Maria Aparecida Souza", dt_nasc="1990-05-17", cpf=CPF,
                  cep="01310-100", apelido="Cida", genero="Feminino", raca="pardo", email="Cida@Example.com",
                  senha=PASSWORD)
    params.update(over)
    return {k: v for k, v in params.items() if v is not None}


def signup(client, **over):
    return client.post("/signup", query_string=signup_params(**over))


def login(client, email, senha, **extra):
    # The app sends the login body raw, as a form.
    return client.post("/login", query_string={"app_version": UA, **extra},
                       data={"email": email, "senha": senha})


def test_signup_dry_steps_then_real_signup_logs_in(client):
    step1 = dict(dry="1", apelido=None, genero=None, raca=None, email=None, senha=None)
    r = signup(client, **step1)
    assert r.status_code == 200 and r.get_json() == {"continue": 1}
    r = signup(client, dry="1", email=None, senha=None)
    assert r.get_json() == {"continue": 1}
    assert Cliente.select().count() == 0
    r = signup(client)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert isinstance(body["session"], str) and "deleted_scheduled" not in body
    user = Cliente.get()
    assert user.email == "cida@example.com" and user.status == "active"
    assert user.cep == "01310100" and user.nome_social == "" and user.cpf_prefix == CPF[:4]
    # Neither the CPF nor an unkeyed digest of it is stored.
    assert user.cpf_hash == cpf_hash(CPF) and CPF not in user.cpf_hash and legacy_cpf_hash(CPF) != user.cpf_hash
    assert user.senha_hash.startswith("scrypt$") and verify_password(PASSWORD, user.senha_hash) == (True, False)
    assert LoginLog.select().where(LoginLog.cliente == user).count() == 1
    me = client.get("/me", headers={"X-Api-Key": body["session"]})
    assert me.status_code == 200 and me.get_json()["user_profile"]["apelido"] == "Cida"


def test_signup_errors_in_contract_order(client):
    assert_error(signup(client, cpf="52998224700"), 400, "form_error", "cpf", "invalid")
    assert_error(signup(client, cpf="11111111111"), 400, "form_error", "cpf", "invalid")
    assert_error(signup(client, cpf=None), 400, "form_error", "cpf", "is_required")
    assert_error(signup(client, cep="123"), 400, "form_error", "cep", "invalid")
    assert_error(signup(client, dt_nasc="17/05/1990"), 400, "form_error", "dt_nasc", "invalid")
    assert_error(signup(client, nome_completo="Maria"), 400, "form_error", "nome_completo", "invalid")
    assert_error(signup(client, nome_completo="M" * 201), 400, "form_error", "nome_completo", "invalid_max_length")
    assert_error(signup(client, dry="x"), 400, "form_error", "dry", "invalid")
    assert_error(signup(client, app_version=None), 400, "form_error", "app_version", "is_required")
    assert_error(signup(client, email="not-an-email"), 400, "form_error", "email", "invalid")
    assert_error(signup(client, genero="Mulher"), 400, "form_error", "genero", "invalid")
    assert_error(signup(client, apelido="C"), 400, "form_error", "apelido", "invalid_min_length")
    assert_error(signup(client, genero="MulherTrans"), 400, "form_error", "nome_social", "is_required")
    assert_error(signup(client, senha="Segura#2024x "), 400, "warning_space_password", "senha")
    assert_error(signup(client, senha="3As344578a"), 400, "pass_too_weak/char", "senha")
    assert_error(signup(client, senha="12345678901"), 400, "pass_too_weak", "senha")
    assert_error(signup(client, senha="99345678"), 400, "pass_too_weak/letter", "senha")
    assert_error(signup(client, senha="abcdefgh!"), 400, "pass_too_weak/number", "senha")
    assert_error(signup(client, senha="a1!b2"), 400, "pass_too_weak/size", "senha")
    # Inner spaces count as special characters.
    assert signup(client, senha="ARU 55 PASS").status_code == 200
    assert Cliente.select().count() == 1


def test_signup_duplicates(client):
    assert signup(client).status_code == 200
    body = assert_error(signup(client, cpf=make_cpf("123456789")), 400, "email_already_exists", "email", "duplicate")
    assert "Esqueci minha senha" in body["message"]
    assert_error(signup(client, email="outra@example.com"), 400, "cpf_already_exists")
    # Dry runs check the CPF too (the app's step 1).
    assert_error(signup(client, dry="1"), 400, "cpf_already_exists")


def test_signup_refuses_a_cpf_imported_with_the_legacy_digest(client):
    make_user(cpf_hash=legacy_cpf_hash(CPF))
    assert_error(signup(client), 400, "cpf_already_exists")


def test_trans_and_outro_need_nome_social_and_keep_it(client):
    r = signup(client, genero="MulherTrans", nome_social="Ana Clara")
    assert r.status_code == 200
    assert Cliente.get().nome_social == "Ana Clara"


def test_login_success_wrong_password_and_unknown(client):
    user = make_user()
    r = login(client, user.email.upper(), DEFAULT_PASSWORD)
    assert r.status_code == 200
    assert r.get_json()["senha_falsa"] == 0 and isinstance(r.get_json()["session"], str)
    assert Cliente.get_by_id(user.id).qtde_login_senha_normal == 2
    body = assert_error(login(client, user.email, "Outra-Senha-1"), 400, "wrongpassword", "password", "invalid")
    assert body["message"] == "E-mail ou senha inválida."
    assert_error(login(client, "ninguem@example.com", DEFAULT_PASSWORD), 400, "wrongpassword", "password")
    assert_error(login(client, user.email, "fraca"), 400, "wrongpassword_tooweak", "password")
    assert_error(login(client, "", DEFAULT_PASSWORD), 400, "form_error", "email", "is_required")
    assert_error(login(client, user.email, "x" * 201), 400, "form_error", "senha", "invalid_max_length")


def test_login_upgrades_legacy_sha256_and_md5_hashes(client):
    sha_user = make_user(senha_hash=hashlib.sha256(b"Legada#123").hexdigest())
    md5_user = make_user(senha_hash=hashlib.md5(b"Legada#456").hexdigest())
    assert_error(login(client, sha_user.email, "Legada#999"), 400, "wrongpassword")
    assert not Cliente.get_by_id(sha_user.id).senha_hash.startswith("scrypt$")
    assert login(client, sha_user.email, "Legada#123").status_code == 200
    assert login(client, md5_user.email, "Legada#456").status_code == 200
    for u, pw in ((sha_user, "Legada#123"), (md5_user, "Legada#456")):
        stored = Cliente.get_by_id(u.id).senha_hash
        assert stored.startswith("scrypt$") and verify_password(pw, stored) == (True, False)
        assert login(client, u.email, pw).status_code == 200


def test_fifteen_wrong_passwords_lock_login_for_a_day(client, frozen_clock):
    user = make_user()
    for _ in range(14):
        assert_error(login(client, user.email, "Errada#123"), 400, "wrongpassword")
    assert Cliente.get_by_id(user.id).login_status == "OK"
    assert_error(login(client, user.email, "Errada#123"), 400, "wrongpassword")
    assert Cliente.get_by_id(user.id).login_status == "NOK"
    assert LoginErro.select().count() == 15
    body = assert_error(login(client, user.email, DEFAULT_PASSWORD), 400, "login_status_nok")
    assert body["message"] == "Logon para este e-mail está suspenso temporariamente."
    frozen_clock.advance(hours=23, minutes=59)
    assert_error(login(client, user.email, DEFAULT_PASSWORD), 400, "login_status_nok")
    frozen_clock.advance(minutes=2)
    assert login(client, user.email, DEFAULT_PASSWORD).status_code == 200
    fresh = Cliente.get_by_id(user.id)
    assert fresh.login_status == "OK" and fresh.login_status_last_blocked_at is None


def test_errors_older_than_an_hour_do_not_count(client, frozen_clock):
    user = make_user()
    for _ in range(14):
        login(client, user.email, "Errada#123")
    frozen_clock.advance(minutes=61)
    login(client, user.email, "Errada#123")
    assert Cliente.get_by_id(user.id).login_status == "OK"


def test_blocked_and_banned_accounts(client):
    blocked = make_user(login_status="BLOCK")
    banned = make_user(status="banned")
    assert_error(login(client, blocked.email, DEFAULT_PASSWORD), 400, "login_status_block")
    assert_error(login(client, banned.email, DEFAULT_PASSWORD), 400, "ban", "email")
    # A banned account with the wrong password learns nothing more than anyone else.
    assert_error(login(client, banned.email, "Errada#123"), 400, "wrongpassword")


def test_login_rate_limit_three_per_minute_per_ip(client, rate_limits):
    user = make_user()
    # Weak passwords are refused before they count.
    for _ in range(5):
        assert_error(login(client, user.email, "fraca"), 400, "wrongpassword_tooweak")
    for _ in range(3):
        assert_error(login(client, user.email, "Errada#123"), 400, "wrongpassword")
    body = assert_error(login(client, user.email, DEFAULT_PASSWORD), 429, "too_many_requests")
    assert "Aguarde um minuto" in body["message"]
    # Another address has its own bucket.
    r = client.post("/login", query_string={"app_version": UA}, data={"email": user.email, "senha": DEFAULT_PASSWORD},
                    environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert r.status_code == 200


def test_signup_rate_limit(client, rate_limits):
    for _ in range(3):
        assert signup(client, dry="1").status_code == 200
    assert_error(signup(client, dry="1"), 429, "too_many_requests")


def test_logout_revokes_every_session_at_once(client, app):
    user = make_user()
    first = auth_headers(app, user)
    second = auth_headers(app, user)
    other = auth_headers(app, make_user())
    assert client.post("/logout", headers=first).get_json() == {}
    assert_error(client.get("/me", headers=first), 403, "jwt_logout")
    assert_error(client.get("/me", headers=second), 403, "jwt_logout")
    assert client.get("/me", headers=other).status_code == 200


def test_garbage_tokens_are_refused(client):
    assert_error(client.get("/me"), 401, "missing_jwt")
    assert_error(client.get("/me", headers={"X-Api-Key": "garbage"}), 400, "expired_jwt")
    assert_error(client.post("/logout", headers={"X-Api-Key": "a.b.c"}), 400, "expired_jwt")
    assert_error(client.post("/reactivate", query_string={"api_key": "x", "app_version": UA}), 400, "expired_jwt")
    assert_error(client.get("/filter-skills", headers={"X-Api-Key": ""}), 401, "missing_jwt")


def test_a_verified_token_is_checked_once_and_still_expires_and_is_still_revoked(client, app, monkeypatch):
    import time

    import jwt
    from flask_jwt_extended import create_access_token

    from penhas_api import auth

    user = make_user()
    with app.app_context():
        session, _ = auth.open_session(user)
        token = create_access_token(identity=str(session.id), additional_claims={"ses": session.id, "typ": "usr"},
                                    expires_delta=timedelta(seconds=30))
    headers = {"X-Api-Key": token}
    assert client.get("/me", headers=headers).status_code == 200
    decoded = []
    real_decode = jwt.decode
    monkeypatch.setattr(auth.jwt, "decode", lambda *a, **kw: decoded.append(1) or real_decode(*a, **kw))
    assert client.get("/me", headers=headers).status_code == 200
    assert decoded == []  # the signature was checked by the first request
    # Another key never accepts it, remembered or not.
    assert auth._verified_claims(token, app.config["JWT_SECRET_KEY"])["ses"] == session.id
    with pytest.raises(jwt.InvalidSignatureError):
        auth._verified_claims(token, "another key of at least thirty-two bytes")
    # Its expiry still holds...
    later = time.time() + 60
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert_error(client.get("/me", headers=headers), 400, "expired_jwt")
    monkeypatch.undo()
    # ...and so does revocation: the session row is read on every request.
    assert client.post("/logout", headers=headers).get_json() == {}
    assert_error(client.get("/me", headers=headers), 403, "jwt_logout")


def test_delete_me_then_login_reactivate(client, app, frozen_clock):
    user = make_user()
    headers = auth_headers(app, user)
    assert "30 dias" in client.get("/me/delete-text", headers=headers).get_json()["text"]
    assert_error(client.delete("/me", headers=headers, query_string={"app_version": UA}), 400, "form_error",
                 "senha_atual", "is_required")
    assert_error(client.delete("/me", headers=headers, query_string={"app_version": UA, "senha_atual": "12345"}),
                 400, "form_error", "senha_atual", "invalid_min_length")
    body = assert_error(client.delete("/me", headers=headers,
                                      query_string={"app_version": UA, "senha_atual": "Errada#123"}),
                        400, "form_error", "senha_atual", "invalid")
    assert body["message"] == "Senha atual não confere."
    r = client.delete("/me", headers=headers, query_string={"app_version": UA, "senha_atual": DEFAULT_PASSWORD})
    assert r.status_code == 200 and r.get_json() == {}
    fresh = Cliente.get_by_id(user.id)
    assert fresh.status == "deleted_scheduled"
    assert fresh.perform_delete_at == frozen_clock.now + timedelta(days=30)
    assert ClienteSession.select().where(ClienteSession.cliente == user).count() == 0
    assert_error(client.get("/me", headers=headers), 403, "jwt_logout")

    r = login(client, user.email, DEFAULT_PASSWORD)
    assert r.status_code == 200 and r.get_json()["deleted_scheduled"] == 1
    token = r.get_json()["session"]
    assert_error(client.get("/me", headers={"X-Api-Key": token}), 404, "Page not found")
    # The app passes the token as `api_key` while X-Api-Key holds the old (empty) value.
    r = client.post("/reactivate", query_string={"api_key": token, "app_version": UA}, headers={"X-Api-Key": ""})
    assert r.status_code == 200 and r.get_json() == {}
    fresh = Cliente.get_by_id(user.id)
    assert fresh.status == "active" and fresh.perform_delete_at is None
    assert fresh.deleted_scheduled_meta["reactivate"] == 1 and fresh.deleted_scheduled_meta["previous"]["delete"] == 1
    assert client.get("/me", headers={"X-Api-Key": token}).status_code == 200
    # Reactivating an active account is not a thing.
    assert_error(client.post("/reactivate", query_string={"api_key": token, "app_version": UA}), 404,
                 "Page not found")


def test_reactivate_needs_app_version(client, app):
    user = make_user(status="deleted_scheduled")
    headers = auth_headers(app, user)
    assert_error(client.post("/reactivate", headers=headers), 400, "form_error", "app_version", "is_required")


@pytest.mark.parametrize("path", ["/signup", "/login", "/reset-password/request-new", "/reset-password/write-new"])
def test_public_endpoints_answer_400_on_empty_input(client, path):
    r = client.post(path)
    assert r.status_code == 400 and r.get_json()["error"] == "form_error"
