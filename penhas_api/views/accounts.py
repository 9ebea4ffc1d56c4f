"""Sign-up, login, password reset, reactivation and logout (mobile-contract §2.1)."""
from flask import Blueprint, g, request

from penhas_api.auth import open_session, require_session
from penhas_api.core.services import accounts, profile
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field, validate

bp = Blueprint("accounts", __name__)

APP_VERSION = Field("str", required=True, min_length=1, max_length=800)


def _counted(_response) -> bool:
    """Per-IP limits of /signup and /login count only requests that got past the input checks (as the original)."""
    return bool(g.get("rate_counted"))


def _count_this_request() -> None:
    g.rate_counted = True


def _remote_ip() -> str:
    return request.remote_addr or ""


def _session_body(user) -> dict:
    _, token = open_session(user)
    # `senha_falsa` is a legacy key the app ignores; kept so responses match the app's fixtures.
    body = {"senha_falsa": 0, "session": token}
    if user.status == "deleted_scheduled":
        body["deleted_scheduled"] = 1
    return body


@bp.post("/signup")
@limiter.limit("3 per minute", key_func=ip_key, deduct_when=_counted)
def signup():
    v = validate({
        "dry": Field("int", required=True),
        "nome_completo": Field("nome", required=True, min_length=5, max_length=200),
        "dt_nasc": Field("date", required=True),
        "cpf": Field("cpf", required=True),
        "cep": Field("cep", required=True),
        "app_version": APP_VERSION,
    })
    dry = v["dry"] != 0
    if not dry:
        v.update(validate({
            "email": Field("email", required=True, max_length=200),
            "genero": Field("genero", required=True),
            "nome_social": Field("str", min_length=1, max_length=200),
            "raca": Field("raca", required=True),
            "apelido": Field("str", required=True, min_length=2, max_length=40),
            "senha": Field("str", required=True, max_length=200),
            "genero_outro": Field("str", max_length=200),
        }))
        accounts.check_signup_fields(v)
    # Step 3 of the spec's order: before the per-IP limit counts the request (as the original).
    accounts.check_signup_cep(v["cep"])
    _count_this_request()
    user = accounts.signup(v, _remote_ip(), v["app_version"], dry)
    if user is None:
        return {"continue": 1}
    return _session_body(user)


@bp.post("/login")
@limiter.limit("3 per minute", key_func=ip_key, deduct_when=_counted)
def login():
    v = validate({
        "email": Field("email", required=True, max_length=200),
        "senha": Field("str", required=True, max_length=200),
        "app_version": APP_VERSION,
    })
    accounts.reject_weak_login_password(v["senha"])
    _count_this_request()
    user = accounts.login(v["email"], v["senha"], _remote_ip(), v["app_version"])
    return _session_body(user)


@bp.post("/reset-password/request-new")
@limiter.limit("5 per hour", key_func=ip_key)
def reset_request():
    v = validate({"email": Field("email", required=True, max_length=200), "app_version": APP_VERSION})
    return accounts.request_password_reset(v["email"], _remote_ip())


@bp.post("/reset-password/write-new")
@limiter.limit("30 per hour", key_func=ip_key)
def reset_write():
    v = validate({
        "email": Field("email", required=True, max_length=200),
        "token": Field("str", required=True, min_length=6, max_length=100),
        "dry": Field("int", required=True),
        "app_version": APP_VERSION,
    })
    dry = v["dry"] != 0
    senha = None
    if not dry:
        senha = validate({"senha": Field("str", required=True, max_length=200)})["senha"]
    return accounts.write_new_password(v["email"], v["token"], dry, senha, _remote_ip())


@bp.post("/reactivate")
@require_session
def reactivate():
    v = validate({"app_version": APP_VERSION})
    accounts.reactivate(g.user, v["app_version"])
    return {}


@bp.post("/logout")
@require_session
def logout():
    accounts.revoke_sessions(g.user.id)
    return {}


@bp.get("/filter-skills")
@require_session
def filter_skills():
    return {"skills": profile.published_skills()}
