"""Transport rules every endpoint shares: error shape, parameters, auth errors, limits, request ids."""
from flask import Blueprint, g

from penhas_api.auth import require_session, require_user
from penhas_api.core.errors import PenhasError
from penhas_api.params import Field, get_params, validate
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error

probe = Blueprint("probe", __name__)


@probe.route("/_probe/params", methods=["GET", "POST", "PUT", "DELETE"])
def _params():
    return {"params": dict(get_params())}


@probe.post("/_probe/validate")
def _validate():
    return {"ok": validate({"n": Field(type="int", required=True, max_length=5)}) and 1}


@probe.get("/_probe/crash")
def _crash():
    raise RuntimeError("secret detail that must not leak")


@probe.get("/_probe/me")
@require_user
def _me():
    return {"id": g.user.id}


@probe.post("/_probe/session")
@require_session
def _session():
    return {"id": g.user.id}


@probe.get("/_probe/domain-error")
def _domain():
    raise PenhasError("x_error", "Mensagem", 404, field="f", reason="r")


_probe_app = None


def _app_with_probe(app):
    """A second app built the same way, with probe routes registered before its first request."""
    global _probe_app
    if _probe_app is None:
        from penhas_api import create_app

        _probe_app = create_app(config={"TESTING": True})
        _probe_app.register_blueprint(probe)
    return _probe_app.test_client()


def test_unknown_path_is_json_404(client):
    body = assert_error(client.get("/nope/nothing"), 404, "Page not found")
    assert body["message"] == "Página ou item não existe"


def test_wrong_method_is_json_405(client):
    response = client.delete("/health")
    assert response.status_code == 405 and response.is_json
    assert response.get_json()["error"] == "method_not_allowed"


def test_crash_is_json_500_without_details(app):
    c = _app_with_probe(app)
    response = c.get("/_probe/crash")
    body = assert_error(response, 500, "Internal server error")
    assert "secret" not in response.get_data(as_text=True)
    assert body["message"] == "Erro interno"


def test_domain_error_renders_every_key_as_string(app):
    c = _app_with_probe(app)
    assert assert_error(c.get("/_probe/domain-error"), 404, "x_error", "f", "r")["message"] == "Mensagem"


def test_params_merge_query_and_form_for_every_method(app):
    c = _app_with_probe(app)
    for method in ("post", "put", "delete"):
        r = getattr(c, method)("/_probe/params?a=1&b=query", data={"b": "body", "c": "3"})
        assert r.get_json()["params"] == {"a": "1", "b": "body", "c": "3"}
    # A bare trailing '?' is fine, and GET with a form content type and empty body too.
    r = c.get("/_probe/params?", content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert r.status_code == 200 and r.get_json()["params"] == {}
    assert c.get("/_probe/params?q=a+b%C3%A9").get_json()["params"] == {"q": "a bé"}


def test_validation_error_shape(app):
    c = _app_with_probe(app)
    assert_error(c.post("/_probe/validate"), 400, "form_error", "n", "is_required")
    assert_error(c.post("/_probe/validate?n=abcdef"), 400, "form_error", "n", "invalid_max_length")
    assert_error(c.post("/_probe/validate?n=x"), 400, "form_error", "n", "invalid")
    assert c.post("/_probe/validate?n=12").get_json() == {"ok": 1}


def test_auth_errors(app):
    c = _app_with_probe(app)
    assert_error(c.get("/_probe/me"), 401, "missing_jwt")
    assert_error(c.get("/_probe/me", headers={"X-Api-Key": ""}), 401, "missing_jwt")
    assert_error(c.get("/_probe/me", headers={"X-Api-Key": "garbage.token.here"}), 400, "expired_jwt")
    assert_error(c.get("/_probe/me", headers={"X-Api-Key": "x" * 5000}), 400, "expired_jwt")
    user = make_user()
    headers = auth_headers(app, user)
    assert c.get("/_probe/me", headers=headers).get_json() == {"id": user.id}
    # The api_key parameter wins over the header (POST /reactivate relies on it).
    assert c.get("/_probe/me?api_key=" + headers["X-Api-Key"], headers={"X-Api-Key": ""}).status_code == 200
    from penhas_api.core.models import ClienteSession

    ClienteSession.delete().where(ClienteSession.cliente == user.id).execute()
    assert_error(c.get("/_probe/me", headers=headers), 403, "jwt_logout")


def test_inactive_user_passes_session_guard_but_not_user_guard(app):
    c = _app_with_probe(app)
    user = make_user(status="deleted_scheduled")
    headers = auth_headers(app, user)
    assert_error(c.get("/_probe/me", headers=headers), 404, "Page not found")
    assert c.post("/_probe/session", headers=headers).get_json() == {"id": user.id}


def test_expired_session_is_refused(app, frozen_clock):
    c = _app_with_probe(app)
    user = make_user()
    headers = auth_headers(app, user)
    frozen_clock.advance(days=366)
    assert_error(c.get("/_probe/me", headers=headers), 400, "expired_jwt")


def test_per_user_rate_limit_answers_contract_429(app, rate_limits):
    c = _app_with_probe(app)
    user = make_user()
    headers = auth_headers(app, user)
    statuses = [c.get("/_probe/me", headers=headers).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    body = assert_error(c.get("/_probe/me", headers=headers), 429, "too_many_requests")
    assert body["message"].startswith("Você fez muitos acessos")


def test_request_id_on_every_response(client):
    r = client.get("/health")
    assert len(r.headers["X-Request-Id"]) == 32
    assert client.get("/x", headers={"X-Request-Id": "abc"}).headers["X-Request-Id"] == "abc"


def test_forwarded_for_is_ignored_without_trusted_proxies(app, rate_limits):
    from penhas_api.limits import ip_key

    with app.test_request_context("/", headers={"X-Forwarded-For": "6.6.6.6"},
                                  environ_base={"REMOTE_ADDR": "10.1.1.1"}):
        assert ip_key() == "10.1.1.1"
