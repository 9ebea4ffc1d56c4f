"""Guardians (contract §2.10.1–2.10.4) and the guardian's web page (backend-rules §4.4)."""
import json
import os
from pathlib import Path

import pytest

from penhas_api.core.models import Cliente, Guardian, SentSms
from penhas_api.core.services.guardians import check_token, new_token
from penhas_api.core.settings import load_settings, reset_settings
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error, key_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app" / "help_center"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def user(app):
    return make_user(nome_completo="Júlia Conceição da Silva", apelido="juju")


@pytest.fixture
def headers(app, user):
    return auth_headers(app, user)


def invite(client, headers, celular, nome="Maria"):
    return client.post("/me/guardioes", query_string={"nome": nome, "celular": celular}, headers=headers)


def guardian_page(client, token, **extra):
    return client.get("/web/guardiao", query_string={"token": token, **extra})


def act(client, token, action):
    return client.post("/web/guardiao", query_string={"token": token, "action": action})


def test_empty_list_is_the_contract_fixture(client, headers):
    r = client.get("/me/guardioes", headers=dict(headers, **{"Content-Type": "application/json"}))
    assert r.status_code == 200
    assert r.get_json() == fixture("guardian_empty_list.json")


def test_invite_sends_sms_with_a_working_link_and_lists_pending(client, headers, user, frozen_clock):
    r = invite(client, headers, "+14842918467", nome="test nome")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    expected = fixture("guardian_create_successful.json")
    assert body["message"] == expected["message"] and body["title"] == "Convite enviado!"
    assert set(body["data"]) == set(expected["data"])
    assert body["data"] | {"id": 0} == {
        "id": 0, "nome": "test nome", "celular_formatted_as_national": "+1 484-291-8467", "is_accepted": 0,
        "is_pending": 1, "is_expired": 0, "created_at": "2026-11-23T12:00:00", "expires_at": "2026-12-23T12:00:00"}

    sent = SentSms.get()
    assert (sent.phonenumber, sent.kind, sent.status, sent.attempts) == ("+14842918467", "invite", "sent", 1)
    # Whichever backend this run uses (log embedded, SNS on the real-services run), its message id is kept.
    assert sent.sns_message_id and sent.guardiao_id == body["data"]["id"]
    # The name is cut so the whole text fits one SMS (150 characters with the link).
    assert sent.message.startswith("PenhaS: Julia Conceicao convidou vc ser guardiao dela. p/ aceitar e mais")
    assert len(sent.message) <= 150 and sent.message.isascii()
    token = sent.message.rsplit("token=", 1)[1]
    assert guardian_page(client, token).get_json()["guardiao"]["is_pending"] == 1

    listing = client.get("/me/guardioes", headers=headers).get_json()
    assert (listing["remaing_invites"], listing["invites_max"]) == (4, 5)
    accepted, pending = listing["guards"]
    golden = fixture("guardian_list.json")["guards"]
    assert accepted["meta"] == golden[0]["meta"] and pending["meta"] == golden[1]["meta"]
    assert accepted["rows"] == []
    assert pending["rows"] == [{"id": body["data"]["id"], "nome": "test nome", "celular": "+1 484-291-8467",
                                "subtexto": "Convite enviado há pouco tempo"}]
    assert Cliente.get_by_id(user.id).qtde_guardioes_ativos == 0


@pytest.mark.parametrize("celular, error, message_part", [
    ("abc", "parser_error", None),
    ("11 9191-0101", "parser_error", None),
    ("1133334444", "number_is_not_mobile", "O número +55 1133334444 não pode ser usado para envio de SMS."),
    ("+390612345678", "number_is_not_mobile", "+39 0612345678"),
])
def test_bad_numbers_are_refused_with_the_contract_errors(client, headers, celular, error, message_part):
    body = assert_error(invite(client, headers, celular), 400, error, field="celular", reason="invalid")
    if error == "parser_error":
        assert body == fixture("guardian_bad_celular_number.json")
    else:
        assert message_part in body["message"]
    assert SentSms.select().count() == 0


def test_country_codes_can_be_restricted(client, headers):
    reset_settings(load_settings(dict(os.environ, GUARDS_ALLOWED_COUNTRY_CODES=",55,39,")))
    try:
        body = assert_error(invite(client, headers, "+14842918467"), 400, "contry_not_allowed", field="celular")
        assert body["message"].startswith("O pais (1 US") and "não está liberado para uso" in body["message"]
        assert invite(client, headers, "+393123456789").status_code == 200
    finally:
        reset_settings(None)


def test_national_formats_and_resending_the_same_number(client, headers):
    first = invite(client, headers, "021 11 912341234").get_json()
    assert first["data"]["celular_formatted_as_national"] == "(11) 91234-1234"
    again = invite(client, headers, "+5511912341234").get_json()
    assert again["title"] == "Número já existe!" and again["data"]["id"] == first["data"]["id"]
    assert "já tem um convite aguardando ativação" in again["message"]
    assert SentSms.select().count() == 1


def test_edit_delete_and_reactivate(client, headers, frozen_clock):
    gid = invite(client, headers, "11912341234").get_json()["data"]["id"]
    assert_error(client.put(f"/me/guardioes/{gid}", headers=headers), 400, "form_error", field="nome",
                 reason="is_required")
    r = client.put(f"/me/guardioes/{gid}", query_string={"nome": "Renato Lindão"}, headers=headers)
    assert r.status_code == 200
    assert r.get_json()["message"] == "Editado com sucesso!" and r.get_json()["data"]["nome"] == "Renato Lindão"
    assert set(r.get_json()["data"]) == set(fixture("guardian_update_name.json")["data"])

    r = client.delete(f"/me/guardioes/{gid}", headers=headers)
    assert (r.status_code, r.get_json()) == (200, {})
    row = Guardian.get_by_id(gid)
    assert row.status == "removed_by_user" and row.deleted_at == frozen_clock.now
    assert_error(client.put(f"/me/guardioes/{gid}", query_string={"nome": "x"}, headers=headers), 404,
                 "item_not_found")
    assert_error(client.delete(f"/me/guardioes/{gid}", headers=headers), 404, "item_not_found")

    frozen_clock.advance(hours=2)
    r = invite(client, headers, "11912341234", nome="De Volta").get_json()
    assert r["title"] == "Convite reativado" and r["data"]["id"] == gid and r["data"]["is_pending"] == 1
    assert Guardian.get_by_id(gid).nome == "De Volta"
    assert SentSms.select().count() == 1  # reactivation sends no SMS


def test_quota_of_invites(client, headers):
    for n in range(5):
        assert invite(client, headers, f"+551191234000{n}").status_code == 200
    assert_error(invite(client, headers, "+5511912340009"), 400, "max_invites_reached")
    assert client.get("/me/guardioes", headers=headers).get_json()["remaing_invites"] == 0


def test_accept_refuse_accept_again_and_list_groups(client, headers, user, frozen_clock):
    gid = invite(client, headers, "11912341234", nome="Ana").get_json()["data"]["id"]
    token = Guardian.get_by_id(gid).token
    data = guardian_page(client, token).get_json()
    assert data["cliente"] == {"apelido": "juju"}
    assert data["guardiao"] | {"created_at": None} == {
        "celular": "(11) 91234-1234", "is_accepted": 0, "is_pending": 1, "is_expired": 0, "nome": "Ana",
        "refused_at": None, "created_at": None, "accepted_at": None}

    frozen_clock.advance(minutes=5)
    r = act(client, token, "accept")
    assert r.status_code == 200 and r.get_json()["guardiao"]["is_accepted"] == 1
    assert Cliente.get_by_id(user.id).qtde_guardioes_ativos == 1
    listing = client.get("/me/guardioes", headers=headers).get_json()
    assert [len(g["rows"]) for g in listing["guards"]] == [1, 0]
    assert listing["guards"][0]["rows"][0]["subtexto"] == "Convite aceito em 2026/11/23"

    r = act(client, token, "refuse").get_json()["guardiao"]
    assert (r["is_accepted"], r["refused_at"]) == (0, "2026-11-23T12:05:00")
    assert Cliente.get_by_id(user.id).qtde_guardioes_ativos == 0
    listing = client.get("/me/guardioes", headers=headers).get_json()
    assert [g["meta"]["header"] for g in listing["guards"]] == ["Guardiões", "Pendentes", "Convites recusados"]
    assert listing["guards"][2]["rows"][0]["subtexto"] == "Convite recusado em 2026/11/23"
    assert listing["guards"][2]["meta"]["delete_warning"].startswith("Após apagar um convite recusado")
    body = assert_error(invite(client, headers, "11912341234"), 400, "recent_refused", field="celular")
    assert "recusou seu convite em 23/11/2026" in body["message"]

    assert act(client, token, "accept").get_json()["guardiao"]["is_accepted"] == 1
    assert Guardian.get_by_id(gid).accepted_meta["old_refused_at"] == "2026-11-23T12:05:00"
    assert_error(act(client, token, "foo"), 400, "action_invalid", field="action")


def test_expired_invites_can_be_resent_and_old_links_stop_working(client, headers, frozen_clock):
    gid = invite(client, headers, "11912341234").get_json()["data"]["id"]
    old_token = Guardian.get_by_id(gid).token
    frozen_clock.advance(days=29, hours=1)
    pending = client.get("/me/guardioes", headers=headers).get_json()["guards"][1]
    assert pending["rows"][0]["subtexto"] == "Convite próximo de expirar!"
    frozen_clock.advance(days=1)
    groups = client.get("/me/guardioes", headers=headers).get_json()["guards"]
    assert [g["meta"]["header"] for g in groups] == ["Guardiões", "Pendentes", "Convites expirados"]
    assert groups[2]["meta"]["can_resend"] == 1 and groups[2]["meta"]["can_edit"] == 0
    assert groups[2]["rows"][0]["subtexto"] == "Convite expirou em 2026/12/23"
    assert guardian_page(client, old_token).get_json()["guardiao"]["is_expired"] == 1
    assert_error(act(client, old_token, "accept"), 400, "guard_invite_expired")
    assert_error(act(client, old_token, "refuse"), 400, "guard_invite_expired")

    r = invite(client, headers, "11912341234").get_json()
    assert r["title"] == "Convite enviado!" and r["data"]["id"] != gid
    assert Guardian.get_by_id(gid).deleted_at is not None
    assert_error(guardian_page(client, old_token), 404, "item_not_found")
    assert SentSms.select().count() == 2


def test_tokens_are_checked_before_any_lookup(client, headers):
    invite(client, headers, "11912341234")
    token = Guardian.get().token
    assert check_token(token.lower()) == token
    assert_error(guardian_page(client, "short"), 400, "token_invalid_format", field="token")
    assert_error(guardian_page(client, ""), 400, "token_invalid_format")
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_error(guardian_page(client, forged), 400, "token_invalid_hash")
    assert_error(act(client, forged, "accept"), 400, "token_invalid_hash")
    # Well signed but never issued (or issued under another secret: then the hash check fails).
    assert_error(guardian_page(client, new_token()), 404, "item_not_found")
    reset_settings(load_settings(dict(os.environ, SECRET_KEY=key_for("another-server"))))
    try:
        foreign = new_token()
    finally:
        reset_settings(None)
    assert_error(guardian_page(client, foreign), 400, "token_invalid_hash")


def test_another_users_guardians_are_unreachable(client, app, headers, user):
    gid = invite(client, headers, "11912341234").get_json()["data"]["id"]
    other = make_user(apelido="outra")
    other_headers = auth_headers(app, other)
    assert_error(client.put(f"/me/guardioes/{gid}", query_string={"nome": "x"}, headers=other_headers), 404,
                 "item_not_found")
    assert_error(client.delete(f"/me/guardioes/{gid}", headers=other_headers), 404, "item_not_found")
    assert_error(client.delete("/me/guardioes/abc", headers=other_headers), 404, "item_not_found")
    assert all(g["rows"] == [] for g in client.get("/me/guardioes", headers=other_headers).get_json()["guards"])
    # Her invite of the same number is her own row, with its own token.
    mine = invite(client, other_headers, "11912341234").get_json()
    assert mine["title"] == "Convite enviado!" and mine["data"]["id"] != gid
    g = Guardian.get_by_id(gid)
    assert (g.nome, g.status, g.deleted_at) == ("Maria", "pending", None)
    # The guardian's page names the inviter by apelido only.
    page = client.get("/web/guardiao", query_string={"token": g.token}).get_data(as_text=True)
    assert user.email not in page and "Silva" not in page and '"juju"' in page


def test_html_page_works_without_javascript(client, headers):
    invite(client, headers, "11912341234", nome="Ana <b>")
    token = Guardian.get().token
    html = {"Accept": "text/html,application/xhtml+xml"}
    r = client.get("/web/guardiao", query_string={"token": token}, headers=html)
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "<script" not in page and "juju" in page and "Ana &lt;b&gt;" in page
    assert 'name="action" value="accept"' in page and "O que é um guardião?" in page

    r = client.post("/web/guardiao", data={"token": token, "action": "accept"}, headers=html)
    assert r.status_code == 200 and "Você aceitou o convite" in r.get_data(as_text=True)
    assert Guardian.get().status == "accepted"

    r = client.get("/web/guardiao", query_string={"token": "X"}, headers=html)
    assert r.status_code == 400 and "Confira novamente o link recebido no SMS" in r.get_data(as_text=True)


def test_guardian_page_is_rate_limited_per_address(client, headers, rate_limits):
    for _ in range(100):
        guardian_page(client, "bad")
    assert_error(guardian_page(client, "bad"), 429, "too_many_requests")


def test_subtexto_ages(client, headers, frozen_clock):
    invite(client, headers, "11912341234")
    frozen_clock.advance(hours=5)
    rows = client.get("/me/guardioes", headers=headers).get_json()["guards"][1]["rows"]
    assert rows[0]["subtexto"] == "Convite enviado há 5 horas."
    frozen_clock.advance(days=3)
    rows = client.get("/me/guardioes", headers=headers).get_json()["guards"][1]["rows"]
    assert rows[0]["subtexto"] == "Convite enviado há 3 dias."
