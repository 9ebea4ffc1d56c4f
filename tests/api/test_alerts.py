"""Panic alert and police button (contract §2.10.5–2.10.6, backend-rules §4.5)."""
import json
from pathlib import Path

import pytest
from peewee import OperationalError

from penhas_api.core.models import Cliente, Guardian, PanicAlert, PoliceCall, SentSms
from penhas_api.core.services import sms
from penhas_api.core.queue import PRIORITY_ALERT
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error
from tests.sms_helpers import add_guardian

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app" / "help_center"


@pytest.fixture
def user(app):
    return make_user(nome_completo="Maria Aparecida dos Santos Conceição Pereira", apelido="cida")


@pytest.fixture
def headers(app, user):
    return auth_headers(app, user)


def alert(client, headers, **gps):
    return client.post("/me/guardioes/alert", query_string=gps, headers=headers)


def alert_sms():
    return list(SentSms.select().where(SentSms.kind == "alert").order_by(SentSms.id))


def test_alert_with_gps_reaches_every_accepted_guardian(client, headers, user, frozen_clock):
    accepted = [add_guardian(client, headers, f"+55119123400{n}{n}") for n in range(3)]
    add_guardian(client, headers, "+5511912349999", accept=False)
    refused = add_guardian(client, headers, "+5511912348888")
    client.post("/web/guardiao", query_string={"token": Guardian.get_by_id(refused).token, "action": "refuse"})

    r = alert(client, headers, gps_lat="-23.5505199", gps_long="-46.633308")
    assert r.status_code == 200
    assert r.get_json() == {"title": "3 alertas enviados!",
                            "message": "Alerta com localização  disparado com sucesso para 3 guardiões."}
    sent = alert_sms()
    assert sorted(s.guardiao_id for s in sent) == accepted
    assert {s.status for s in sent} == {"sent"} and {s.priority for s in sent} == {PRIORITY_ALERT}
    assert sent[0].message == ("PenhaS: Maria Aparecida dos Santos C adicionou um pedido de socorro. Entre em contato. "
                               "Veja sua localizacao no mapa maps.google.com/maps?q=-23.55052%2C-46.63331")
    assert len(sent[0].message) <= 160

    record = PanicAlert.get()
    assert (record.gps_lat, record.gps_long, record.sms_enviados, record.status) == (
        "-23.5505199", "-46.633308", 3, "accepted")
    assert [c["id"] for c in record.alert_sent_to["celulares"]] == accepted
    assert {g["status"]: g["qtde"] for g in record.alert_sent_to["guardioes"]} == {
        "accepted": 3, "pending": 1, "refused": 1}
    assert {s.alert_id for s in sent} == {record.id}


@pytest.mark.parametrize("gps", [{}, {"gps_lat": "0.0", "gps_long": "0.0"}, {"gps_lat": "-23.55"}])
def test_alert_without_location(client, headers, gps):
    add_guardian(client, headers, "+5511912340000")
    r = alert(client, headers, **gps)
    assert r.get_json() == {"title": "Alerta enviado!",
                            "message": "Alerta SEM LOCALIZAÇÃO disparado com sucesso para 1 guardião."}
    (sms,) = alert_sms()
    assert sms.status == "sent" and sms.message.endswith("Entre em contato. A localizacao nao foi recebida.")
    record = PanicAlert.get()
    assert (record.gps_lat, record.gps_long) == (None, None)


def test_alert_without_guardians_says_nobody_was_alerted(client, headers):
    add_guardian(client, headers, "+5511912340000", accept=False)
    r = alert(client, headers, gps_lat="-23.5", gps_long="-46.6")
    assert r.status_code == 200
    assert r.get_json() == {"title": "Atenção ❗", "message": "Não há guardiões cadastrados! Nenhum alerta foi enviado."}
    assert alert_sms() == [] and PanicAlert.get().sms_enviados == 0
    assert r.get_json()["message"] == json.loads((FIXTURES / "guardian_alert_warning.json").read_text())["message"]


def test_invalid_coordinates(client, headers):
    body = assert_error(alert(client, headers, gps_lat="-23.5", gps_long="-46." + "1" * 18), 400,
                        "gps_position_invalid", field="gps_long", reason="invalid")
    assert body["message"] == r"gps_long não passa na regexp: (?^a:^-?\d{1,3}(?:\.\d{1,17})?$)"
    assert_error(alert(client, headers, gps_lat="abc", gps_long="1"), 400, "gps_position_invalid", field="gps_lat")
    assert_error(alert(client, headers, gps_lat="1" * 101), 400, "form_error", reason="invalid_max_length")
    assert PanicAlert.select().count() == 0


def test_one_alert_per_minute_and_ten_per_day(client, headers, frozen_clock):
    add_guardian(client, headers, "+5511912340000")
    assert alert(client, headers).status_code == 200
    frozen_clock.advance(seconds=30)
    body = assert_error(alert(client, headers), 400, "too_many_alerts")
    assert body["message"] == "Os alertas já foram enviados no último minuto!"
    # Refused presses are still recorded, but do not count against later ones.
    assert [a.status for a in PanicAlert.select().order_by(PanicAlert.id)] == ["accepted", "too_many_alerts"]
    for _ in range(9):
        frozen_clock.advance(minutes=2)
        assert alert(client, headers).status_code == 200
    frozen_clock.advance(minutes=2)
    body = assert_error(alert(client, headers), 400, "too_many_alerts")
    assert body["message"] == "Você atingiu o limite de alertas no período de 24h."
    assert len(alert_sms()) == 10
    frozen_clock.advance(hours=24)
    assert alert(client, headers).status_code == 200
    assert len(alert_sms()) == 11


def test_alerts_reach_only_her_own_guardians(client, app, headers, user, frozen_clock):
    mine = add_guardian(client, headers, "+5511912340000")
    other = make_user(nome_completo="Outra Pessoa", apelido="outra")
    other_headers = auth_headers(app, other)
    r = alert(client, other_headers)
    assert r.get_json()["title"] == "Atenção ❗" and alert_sms() == []
    theirs = add_guardian(client, other_headers, "+5511912341111")
    frozen_clock.advance(minutes=2)
    assert alert(client, other_headers).status_code == 200
    assert [s.guardiao_id for s in alert_sms()] == [theirs]
    assert [a.cliente_id for a in PanicAlert.select()] == [other.id, other.id]
    assert alert(client, headers).status_code == 200
    assert [s.guardiao_id for s in alert_sms()] == [theirs, mine]


def test_police_button(client, headers, user):
    for _ in range(2):
        r = client.post("/me/call-police-pressed", headers=headers)
        assert (r.status_code, r.get_json()) == (200, {})
    assert Cliente.get_by_id(user.id).qtde_ligar_para_policia == 2
    assert PoliceCall.select().where(PoliceCall.cliente == user.id).count() == 2


def test_alert_needs_a_session(client):
    assert_error(client.post("/me/guardioes/alert"), 401, "missing_jwt")
    assert_error(client.post("/me/call-police-pressed"), 401, "missing_jwt")


def test_an_alert_whose_sms_cannot_be_recorded_is_all_or_nothing_and_can_be_pressed_again(
        client, headers, frozen_clock, monkeypatch):
    for n in range(3):
        add_guardian(client, headers, f"+55119123400{n}{n}")
    real_log_sms, calls = sms.log_sms, []

    def database_fails_on_the_second_row(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_log_sms(*args, **kwargs)

    monkeypatch.setattr(sms, "log_sms", database_fails_on_the_second_row)
    assert alert(client, headers).status_code == 500
    # No guardian got a message while the others silently did not: the first row was rolled back too.
    assert alert_sms() == []
    assert PanicAlert.get().status == "failed"

    monkeypatch.setattr(sms, "log_sms", real_log_sms)
    frozen_clock.advance(seconds=10)
    r = alert(client, headers)  # pressing again at once is not refused as "already sent"
    assert r.status_code == 200 and r.get_json()["title"] == "3 alertas enviados!"
    assert [s.status for s in alert_sms()] == ["sent"] * 3
