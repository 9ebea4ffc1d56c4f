"""The issue's acceptance journey, only through the wire as the app speaks it (contract §1.4, §2.1, §2.2, §2.5):
sign-up → login → GET /me → toggles → PUT /me (e-mail, then password, with senha_atual) → logout → every old
token refused. Runs on the embedded default and, with DATABASE_URL/REDIS_URL set, on PostgreSQL + Redis."""
from tests.api.test_accounts import UA, signup
from tests.helpers import assert_error

FIRST_PASSWORD = "Segura#2024x"
NEW_PASSWORD = "Trocada&2025+"


def app_login(client, email, senha):
    # The app's login body is raw and form-encoded, with the app version in the query.
    return client.post("/login", query_string={"app_version": UA}, data=f"email={email}&senha={senha}",
                       content_type="application/x-www-form-urlencoded; charset=utf-8")


def me(client, token):
    return client.get("/me?", headers={"X-Api-Key": token, "Content-Type": "application/json; charset=utf-8"})


def test_signup_login_me_toggles_put_me_logout(client):
    r = signup(client, senha=FIRST_PASSWORD, email="journey@example.com")
    assert r.status_code == 200, r.get_json()
    signup_token = r.get_json()["session"]

    r = app_login(client, "journey@example.com", FIRST_PASSWORD)
    assert r.status_code == 200 and "deleted_scheduled" not in r.get_json()
    token = r.get_json()["session"]
    assert token != signup_token

    body = me(client, token).get_json()
    assert body["user_profile"]["email"] == "journey@example.com"
    assert body["user_profile"]["modo_camuflado_ativo"] == 0

    for path in ("/me/modo-camuflado-toggle", "/me/modo-anonimo-toggle", "/me/ja-foi-vitima-de-violencia-toggle"):
        r = client.post(path, query_string={"active": "1"}, headers={"X-Api-Key": token})
        assert r.status_code == 200 and r.get_json() == {}
    profile = me(client, token).get_json()["user_profile"]
    assert (profile["modo_camuflado_ativo"], profile["modo_anonimo_ativo"],
            profile["ja_foi_vitima_de_violencia"]) == (1, 1, 1)

    r = client.put("/me", query_string={"email": "nova.journey@example.com", "senha_atual": FIRST_PASSWORD},
                   headers={"X-Api-Key": token})
    assert r.status_code == 200 and r.get_json()["user_profile"]["email"] == "nova.journey@example.com"
    # "&" and "+" travel encoded in PUT /me's query string.
    r = client.put("/me", query_string={"senha": NEW_PASSWORD, "senha_atual": FIRST_PASSWORD},
                   headers={"X-Api-Key": token})
    assert r.status_code == 200 and "user_profile" in r.get_json()
    # The password change ended the sign-up's session; the device that changed it stays in.
    assert_error(me(client, signup_token), 403, "jwt_logout")
    assert me(client, token).status_code == 200

    # The old e-mail has no account any more: the same answer as a wrong password.
    assert_error(app_login(client, "journey@example.com", FIRST_PASSWORD), 400, "wrongpassword")
    assert_error(app_login(client, "nova.journey@example.com", FIRST_PASSWORD), 400, "wrongpassword")
    r = client.post("/login", query_string={"app_version": UA},
                    data={"email": "nova.journey@example.com", "senha": NEW_PASSWORD})
    assert r.status_code == 200
    second_device = r.get_json()["session"]

    r = client.post("/logout", headers={"X-Api-Key": token})
    assert r.status_code == 200 and r.get_json() == {}
    for old in (token, second_device, signup_token):
        assert_error(me(client, old), 403, "jwt_logout")
        assert_error(client.post("/me/modo-camuflado-toggle", query_string={"active": "0"},
                                 headers={"X-Api-Key": old}), 403, "jwt_logout")
