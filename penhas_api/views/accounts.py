"""Sign-up, login, password reset, reactivation and logout (mobile-contract §2.1)."""
from flask import Blueprint, g, request

from penhas_api.auth import open_session, require_session
from penhas_api.core.keys import keyed_digest
from penhas_api.core.passwords import STRENGTH_ERRORS
from penhas_api.core.services import accounts, profile
from penhas_api.declarations import Group, declare
from penhas_api.limits import check_limit, ip_key, limiter
from penhas_api.params import Field
from penhas_api.schemas import BOOL01, EMPTY, INT, STR, arr, json, obj

bp = Blueprint("accounts", __name__)

APP_VERSION = Field("str", required=True, min_length=1, max_length=800,
                    description="the app's User-Agent string (mobile-contract §1.3)")
EMAIL = Field("email", required=True, max_length=200)
SESSION = obj({"senha_falsa": INT, "session": STR, "deleted_scheduled?": INT})


def _count_for_client(name: str, *limits: str) -> None:
    """Per-IP limits of /signup and /login count only requests that got past the input checks (as the original).

    Counted here, one atomic hit before the work, rather than by the decorator's ``deduct_when`` (which checks
    before the request and counts after it, so parallel requests all pass the check)."""
    for limit in limits:
        check_limit(limit, f"{name}:{limit}:{ip_key()}")


def _limit_signup_check(kind: str, value: str) -> None:
    """Per-value limits of the sign-up checks, whatever the IP; keyed by a digest so no CPF sits in the store."""
    key = f"signup-{kind}:" + keyed_digest("signup-check", f"{kind}:{value}")
    check_limit(f"{accounts.SIGNUP_CHECKS_PER_VALUE_PER_HOUR}/hour", key + ":h")
    check_limit(f"{accounts.SIGNUP_CHECKS_PER_VALUE_PER_DAY}/day", key + ":d")


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
@declare(
    "Sign up (dry=1 checks CPF, name and CEP first)", "accounts",
    query={
        "dry": Field("int", required=True, description="1: check only, 0: create the account"),
        "nome_completo": Field("nome", required=True, min_length=5, max_length=200),
        "dt_nasc": Field("date", required=True),
        "cpf": Field("cpf", required=True),
        "cep": Field("cep", required=True),
        "app_version": APP_VERSION,
    },
    groups={"full": Group("dry=0", {
        "email": EMAIL,
        "genero": Field("genero", required=True),
        "nome_social": Field("str", min_length=1, max_length=200),
        "raca": Field("raca", required=True),
        "apelido": Field("str", required=True, min_length=2, max_length=40),
        "senha": Field("str", required=True, max_length=200),
        "genero_outro": Field("str", max_length=200),
    })},
    ok=json({"anyOf": [obj({"continue": BOOL01}), SESSION]}),
    errors={400: ("cep_invalid", "email_already_exists", "cpf_already_exists", "cpf_not_match", "name_not_match",
                  "cpf_offline") + STRENGTH_ERRORS, 429: ("too_many_requests",)},
    links={"login": ("accounts.login", {"app_version": "$request.query.app_version",
                                        "body.email": "$request.query.email", "body.senha": "$request.query.senha"})},
)
def signup(v):
    dry = v["dry"] != 0
    if not dry:
        accounts.check_signup_fields(v.group("full"))
    # Step 3 of the spec's order: before the per-IP limit counts the request (as the original).
    accounts.check_signup_cep(v["cep"])
    _count_for_client("signup", "3/minute", "20/day")
    _limit_signup_check("cpf", v["cpf"])
    if not dry:
        _limit_signup_check("email", accounts.normalize_email(v["email"]))
    user = accounts.signup(v, _remote_ip(), v["app_version"], dry)
    if user is None:
        return {"continue": 1}
    return _session_body(user)


@bp.post("/login")
@declare(
    "Log in: the session token for X-Api-Key", "accounts",
    query={"app_version": APP_VERSION},
    form={"email": EMAIL, "senha": Field("str", required=True, max_length=200)},
    description="The app sends the body `email=<raw>&senha=<raw>` without percent-encoding (mobile-contract "
                "§1.10); it is decoded as a standard form.",
    ok=json(SESSION),
    errors={400: ("wrongpassword", "wrongpassword_tooweak", "login_status_nok", "login_status_block", "ban"),
            429: ("too_many_requests",)},
)
def login(v):
    accounts.reject_weak_login_password(v["senha"])
    _count_for_client("login", "3/minute")
    user = accounts.login(v["email"], v["senha"], _remote_ip(), v["app_version"])
    return _session_body(user)


@bp.post("/reset-password/request-new")
@limiter.limit("5 per hour", key_func=ip_key)
@declare("Send a password reset code by e-mail", "accounts", query={"email": EMAIL, "app_version": APP_VERSION},
         ok=json(obj({"message": STR, "digits?": INT, "ttl?": INT, "min_ttl_retry?": INT})),
         errors={400: ("email_not_found",)}, limited=True)
def reset_request(v):
    return accounts.request_password_reset(v["email"], _remote_ip())


@bp.post("/reset-password/write-new")
@limiter.limit("30 per hour", key_func=ip_key)
@declare(
    "Check a reset code (dry=1) or set the new password with it (dry=0)", "accounts",
    query={
        "email": EMAIL,
        "token": Field("str", required=True, min_length=6, max_length=100),
        "dry": Field("int", required=True),
        "app_version": APP_VERSION,
    },
    groups={"new": Group("dry=0", {"senha": Field("str", required=True, max_length=200)})},
    ok=json(obj({"message?": STR, "continue?": INT, "success?": INT})),
    errors={400: ("invalid_token", "pass_same_as_before") + STRENGTH_ERRORS}, limited=True,
)
def reset_write(v):
    dry = v["dry"] != 0
    senha = None
    if not dry:
        senha = v.group("new")["senha"]
    return accounts.write_new_password(v["email"], v["token"], dry, senha, _remote_ip())


@bp.post("/reactivate")
@require_session
@declare("Cancel the account's scheduled deletion", "accounts", query={"app_version": APP_VERSION},
         ok=json(EMPTY), errors={404: ("Page not found",)})
def reactivate(v):
    accounts.reactivate(g.user, v["app_version"])
    return {}


@bp.post("/logout")
@require_session
@declare("End every session of the account", "accounts", ok=json(EMPTY))
def logout(_v):
    accounts.revoke_sessions(g.user.id)
    return {}


@bp.get("/filter-skills")
@require_session
@declare("The skills a profile can show", "people", ok=json(obj({"skills": arr(obj({"id": INT, "skill": STR}))})))
def filter_skills(_v):
    return {"skills": profile.published_skills()}
