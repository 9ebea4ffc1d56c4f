"""GET /me/tarefas and POST /me/tarefas/sync (backend-rules §9.8; the original's 140-cliente-tarefa scenario)."""
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.models import MfClienteTarefa
from penhas_api.core.services import mf_tasks
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error


def _list(client, headers, since=0):
    r = client.get("/me/tarefas", query_string={"modificado_apos": since}, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_list_and_sync(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    assert _list(client, headers)["tarefas"] == []
    mf_tasks.add_tasks(user.id, ["T1", "T9", "NOPE"])
    body = _list(client, headers)
    assert [t["tipo"] for t in body["tarefas"]] == ["checkbox", "checkbox_contato"]
    task, contact = body["tarefas"]
    assert task["checkbox_feito"] == 0 and task["campo_livre"] is None and task["agrupador"] == "Itens Básicos"
    r = client.post("/me/tarefas/sync", query_string={"id": task["id"], "checkbox_feito": 1}, headers=headers)
    assert r.status_code == 204
    row = MfClienteTarefa.get_by_id(task["id"])
    assert row.checkbox_feito and row.checkbox_feito_checked_first_updated_at
    clock.set_now(clock.now() + timedelta(seconds=5))
    client.post("/me/tarefas/sync", query_string={"id": task["id"], "checkbox_feito": 0}, headers=headers)
    row = MfClienteTarefa.get_by_id(task["id"])
    assert not row.checkbox_feito and row.checkbox_feito_unchecked_last_updated_at
    # Only what changed since the last query comes back.
    since = _list(client, headers)["consultado_em"]
    assert _list(client, headers, since + 1)["tarefas"] == []
    # Contact tasks keep their list; a plain task's campo_livre is ignored.
    r = client.post("/me/tarefas/sync", query_string={"id": contact["id"], "checkbox_feito": 1,
                                                      "campo_livre": '[{"id":1,"name":"Ana","phone":"11"}]'},
                    headers=headers)
    assert r.status_code == 204
    client.post("/me/tarefas/sync", query_string={"id": task["id"], "checkbox_feito": 1, "campo_livre": "{}"},
                headers=headers)
    listed = {t["id"]: t for t in _list(client, headers)["tarefas"]}
    assert listed[contact["id"]]["campo_livre"] == [{"id": 1, "name": "Ana", "phone": "11"}]
    assert listed[task["id"]]["campo_livre"] is None
    assert_error(client.post("/me/tarefas/sync", query_string={"id": task["id"], "checkbox_feito": 1,
                                                               "campo_livre": "{x"}, headers=headers),
                 400, "form_error", "campo_livre")
    # Remove: gone from the list, its id among the removed.
    r = client.post("/me/tarefas/sync", query_string={"id": task["id"], "remove": 1}, headers=headers)
    assert r.status_code == 204
    body = _list(client, headers)
    assert task["id"] not in [t["id"] for t in body["tarefas"]] and body["tarefas_removidas"] == [task["id"]]
    assert_error(client.post("/me/tarefas/sync", query_string={"id": task["id"], "remove": 1}, headers=headers),
                 400, "mfclientetarefa_id_not_found")
    # An answer that adds it again brings it back unticked.
    mf_tasks.add_tasks(user.id, ["T1"])
    assert task["id"] in [t["id"] for t in _list(client, headers)["tarefas"]]


def test_errors_and_isolation(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    mf_tasks.add_tasks(user.id, ["T1"])
    (task,) = _list(client, headers)["tarefas"]
    assert_error(client.get("/me/tarefas", headers=headers), 400, "form_error", "modificado_apos")
    assert_error(client.get("/me/tarefas?modificado_apos=abc", headers=headers), 400, "form_error", "modificado_apos")
    assert _list(client, headers, 99999999999)["tarefas"] == []
    assert_error(client.post("/me/tarefas/sync", query_string={"id": task["id"]}, headers=headers), 400,
                 "form_error", "checkbox_feito")
    other = make_user()
    other_headers = auth_headers(app, other)
    assert_error(client.post("/me/tarefas/sync", query_string={"id": task["id"], "checkbox_feito": 1},
                             headers=other_headers), 400, "mfclientetarefa_id_not_found")
    assert _list(client, other_headers)["tarefas"] == []
    man = make_user(genero="Masculino")
    assert_error(client.get("/me/tarefas?modificado_apos=0", headers=auth_headers(app, man)), 400, "missing_module")
