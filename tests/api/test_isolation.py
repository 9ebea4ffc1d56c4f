"""One account can never read, change, delete or download another's data.

Feature tests already try the obvious doors (another user's guardian, recording, rating, notification cursor).
These tests are the net under them, generic over the url map and the models, so a new route or a new per-user
table is covered the day it appears: user B calls EVERY route with A's ids, tokens and cursors wherever an id
can go, and then (1) no answer B got carries any of A's private data, (2) every row of A's in every table that
references clientes is exactly as it was. A's revoked session, sent as ``api_key`` or header, opens nothing.
"""
import re
import uuid

import peewee
import pytest

from penhas_api.core.models import Cliente, all_models
from penhas_api.core.services.notifications import notify_users
from tests.audio_samples import aac, upload
from tests.center_factories import make_center
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.fakes.geo import geo  # noqa: F401  (fixture: ViaCEP and the geocoders, on loopback)
from tests.helpers import assert_error

UA = "Penhas/1.0 (Android 14)"
# Strings only A's data holds: none may reach B.
SECRET_GUARDIAN = "Guardiã Secreta"
SECRET_CENTER_SUGGESTION = "Casa Sigilosa da Ana"
SECRET_NOTIFICATION = "Mensagem só para Ana"


def _rows_of(cliente_id: int) -> dict:
    """Every row that belongs to ``cliente_id`` in every table referencing clientes, plus her clientes row."""
    out = {"clientes": list(Cliente.select().where(Cliente.id == cliente_id).dicts())}
    for model in all_models():
        for field in model._meta.sorted_fields:
            if isinstance(field, peewee.ForeignKeyField) and field.rel_model is Cliente:
                rows = model.select().where(field == cliente_id).order_by(*model._meta.sorted_fields[:1]).dicts()
                out[f"{model._meta.table_name}.{field.column_name}"] = list(rows)
    return out


@pytest.fixture
def world(app, client, frozen_clock, geo):
    """A with data in every per-user feature, created through the API; B with a session of her own."""
    a = make_user(apelido="ana_a", email="ana-a@example.com")
    b = make_user(apelido="bia_b", email="bia-b@example.com")
    ha, hb = auth_headers(app, a), auth_headers(app, b)

    r = client.post("/me/guardioes", data={"nome": SECRET_GUARDIAN, "celular": "11987654321"}, headers=ha)
    assert r.status_code == 200, r.get_json()
    guardian_id = str(r.get_json()["data"]["id"])
    assert client.post("/me/guardioes/alert", data={"gps_lat": "-23.5", "gps_long": "-46.6"},
                       headers=ha).status_code == 200
    assert client.post("/me/call-police-pressed", headers=ha).status_code == 200

    event = str(uuid.uuid4())
    assert upload(client, ha, event, 1, aac(1, 440)).status_code == 200
    assert upload(client, ha, event, 2, aac(1, 550)).status_code == 200

    center = make_center()
    assert client.post("/me/avaliar-pontos-de-apoio", data={"ponto_apoio_id": center.id, "rating": "5"},
                       headers=ha).status_code == 200
    suggestion = {"nome": SECRET_CENTER_SUGGESTION, "categoria": "5", "nome_logradouro": "Rua Tutóia",
                  "abrangencia": "Local", "numero": "10", "municipio": "São Paulo", "uf": "SP", "cep": "04002-003"}
    assert client.post("/me/sugerir-pontos-de-apoio-completo", data=suggestion, headers=ha).status_code == 200

    for i in range(12):
        notify_users([a.id], f"n{i}", SECRET_NOTIFICATION)
    cursor = client.get("/me/notifications", query_string={"rows": "10"}, headers=ha).get_json()["next_page"]
    notify_users([a.id], "nova", SECRET_NOTIFICATION)  # one unread left, which B must not mark as read

    assert client.post("/me/preferences", data={"NOTIFY_CHAT_NEW_MESSAGES": "0"}, headers=ha).status_code == 200
    assert client.post("/me/modo-anonimo-toggle", data={"active": "1"}, headers=ha).status_code == 200
    assert client.put("/me", data={"minibio": "bio da Ana"}, headers=ha).status_code == 200

    for _ in range(3):
        upload(client, ha, str(uuid.uuid4()), 1, aac(1, 440))
    audio_cursor = client.get("/me/audios", query_string={"rows": "2"}, headers=ha).get_json()["next_page"]
    assert audio_cursor and cursor

    return dict(a=a, b=b, ha=ha, hb=hb, guardian_id=guardian_id, event=event, center=str(center.id),
                cursor=cursor, audio_cursor=audio_cursor)


def _routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule))
    # Her own account's end comes last, after she has tried everything else.
    return sorted(out, key=lambda mr: {("DELETE", "/me"): 1, ("POST", "/logout"): 2}.get(mr, 0))


def _fill(rule: str, w: dict) -> str:
    ids = {"guardian_id": w["guardian_id"], "event_id": w["event"], "ponto_apoio_id": w["center"]}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids.get(m.group(1), str(w["a"].id)), rule)


def test_b_using_a_ids_everywhere_reaches_nothing_of_a(app, client, world):
    w = world
    a, b = w["a"], w["b"]
    before = _rows_of(a.id)
    secrets_of_a = [SECRET_GUARDIAN, SECRET_CENTER_SUGGESTION, SECRET_NOTIFICATION, w["event"], a.email,
                    "bio da Ana", "98765-4321", "987654321"]
    # Every place an id, a cursor or an owner can be named. The guardian's invite token is not here: it is the
    # capability the guardian herself receives by SMS, and whoever holds it may answer the invite by design.
    params = {
        "id": w["guardian_id"], "guardian_id": w["guardian_id"], "cliente_id": str(a.id), "user_id": str(a.id),
        "event_id": w["event"], "audio_sequences": "all", "ponto_apoio_id": w["center"], "remove": "1",
        "next_page": w["cursor"], "nome": "Trocado pela B", "active": "0", "inc_by": "1",
        "NOTIFY_CHAT_NEW_MESSAGES": "1", "senha_atual": DEFAULT_PASSWORD, "app_version": UA,
    }
    seen = []
    for method, rule in _routes(app):
        path = _fill(rule, w)
        for extra in ({}, {"next_page": w["audio_cursor"]}):
            sent = dict(params, **extra)
            kwargs = {"query_string": sent} if method == "GET" else {"data": sent}
            r = client.open(path, method=method, headers=w["hb"], **kwargs)
            assert r.status_code < 500, (method, path, r.get_data(as_text=True))
            text = r.get_data(as_text=True)
            leaked = [s for s in secrets_of_a if s in text]
            assert not leaked, (method, path, leaked, text[:300])
            seen.append((method, rule, r.status_code))
            if "<" in rule:
                # Naming one of A's items in the path never succeeds for B (public content aside: the center
                # map, the FAQ pages and the shipped images, which belong to no user).
                public = rule.endswith("<ponto_apoio_id>") or rule.startswith(("/web/faq/", "/avatar/", "/i/"))
                assert r.status_code in (400, 404) or public, (method, path, r.status_code)

    assert _rows_of(a.id) == before
    # B really did act as herself: her own logout and deletion went through.
    assert ("DELETE", "/me", 200) in seen and Cliente.get_by_id(b.id).status != "active"
    # A's session survived all of it, and she still has her one unread notification.
    assert client.get("/me/unread-notif-count", headers=w["ha"]).get_json() == {"count": 1}
    mine = client.get(f"/me/pontos-de-apoio/{w['center']}", headers=w["ha"]).get_json()
    assert mine["cliente_avaliacao"] == 5


def test_a_revoked_session_opens_nothing_even_beside_a_valid_one(app, client, world):
    w = world
    assert client.post("/logout", headers=w["ha"]).get_json() == {}
    revoked = w["ha"]["X-Api-Key"]
    before = _rows_of(w["a"].id)
    guarded = 0
    for method, rule in _routes(app):
        path = _fill(rule, w)
        if client.open(path, method=method).status_code != 401:
            continue  # a public route
        guarded += 1
        sent = {"api_key": revoked, "audio_sequences": "all", "app_version": UA}
        kwargs = {"query_string": sent} if method == "GET" else {"data": sent}
        assert_error(client.open(path, method=method, **kwargs), 403, "jwt_logout")
        assert_error(client.open(path, method=method, headers={"X-Api-Key": revoked}), 403, "jwt_logout")
        # The api_key parameter wins over the header: B's valid session beside it changes nothing.
        assert_error(client.open(path, method=method, headers=w["hb"], **kwargs), 403, "jwt_logout")
    assert guarded >= 25
    # Every /me route is guarded.
    unguarded = [(m, r) for m, r in _routes(app) if (r == "/me" or r.startswith("/me/"))
                 and client.open(_fill(r, w), method=m).status_code != 401]
    assert unguarded == []
    assert _rows_of(w["a"].id) == before
