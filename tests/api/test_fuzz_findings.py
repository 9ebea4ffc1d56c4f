"""Regression tests for what the OpenAPI fuzzer (python -m tests.fuzz, docs/api.md) found, one per finding, written
before the fix. Each names the request the fuzzer's report showed."""
from penhas_api.openapi import SERVER_ERRORS
from tests.helpers import assert_error


def test_a_non_ascii_news_signature_is_refused_not_a_crash(client):
    # seed 20261201: GET /get-proxy?h=%F0%95%BB%85&href=00000 and GET /news-redirect answered 500
    # (hmac.compare_digest raises TypeError on a str holding non-ASCII characters).
    r = client.get("/get-proxy", query_string={"href": "00000", "h": "\U000556c5"})
    assert_error(r, 400, "media_hash_invalid")
    r = client.get("/news-redirect", query_string={"url": "https://example.com/", "nid": "1", "uid": "1",
                                                   "until": "9999999999", "h": "ção"})
    assert r.status_code == 400 and "Location" not in r.headers


def test_the_servers_own_refusals_are_in_every_operation(app):
    from penhas_api.openapi import build_document

    for path, ops in build_document(app)["paths"].items():
        for method, op in ops.items():
            assert {"414", "431"} <= set(op["responses"]), f"{method} {path}"
    # seed 20261201: a request line over 64 KiB is answered 414 by gunicorn itself (penhas_api/web_server.py),
    # on any route: GET /timeline, /me/notifications, POST /me/tarefas/sync... (the server's answer itself is
    # tested in tests/integration/test_web_server.py).
    assert SERVER_ERRORS[414] == ("request_line_too_long",)
    assert SERVER_ERRORS[431] == ("request_headers_too_large",)


def test_an_out_of_range_task_id_in_the_batch_is_a_form_error(client, app):
    # seed 20261201 (CI): POST /me/tarefas/batch with [{"id": -646123503429133008896, "remove": true}] answered 500:
    # a JSON integer was used as the id as it came, and SQLite cannot bind an int beyond 64 bits (OverflowError).
    import json

    from tests.factories import auth_headers, make_user

    headers = {**auth_headers(app, make_user()), "Content-Type": "application/json"}
    for bad_id in (-646123503429133008896, 2 ** 63, -1, True):
        # json.dumps: the app's own encoder (orjson) refuses such an int, the fuzzer's does not.
        r = client.post("/me/tarefas/batch", data=json.dumps([{"id": bad_id, "remove": True}]), headers=headers)
        assert_error(r, 400, "form_error")
        assert r.get_json()["field"] == "id"


def test_a_latitude_with_two_decimal_points_is_a_form_error(client, app):
    # seed 3: GET /me/pontos-de-apoio?latitude=31.68.79834770547&longitude=-180.00000 answered 500: the original's
    # Latitute pattern repeats its "d.ddd" group, so it matched a text float() cannot read.
    from tests.factories import auth_headers, make_user

    headers = auth_headers(app, make_user())
    for latitude in ("31.68.79834770547", "1.1.1", "-23.5.5"):
        r = client.get("/me/pontos-de-apoio", query_string={"latitude": latitude, "longitude": "-180.00000"},
                       headers=headers)
        assert_error(r, 400, "form_error")
        assert r.get_json()["field"] == "latitude"
    r = client.get("/me/pontos-de-apoio", query_string={"latitude": "-23.5505", "longitude": "-46.6333"},
                   headers=headers)
    assert r.status_code == 200
