"""The signed-in user's own account: profile, modes, deletion, preferences, notifications (contract §2.1–2.6)."""
from flask import Blueprint, g

from penhas_api.auth import require_user
from penhas_api.core.passwords import STRENGTH_ERRORS
from penhas_api.core.services import accounts, notifications, profile, quiz
from penhas_api.declarations import declare
from penhas_api.params import Field, get_params, validate
from penhas_api.schemas import ANY, BOOL01, EMPTY, INT, OBJECT, PAGINATED, STR, arr, json, nullable, obj, one_of
from penhas_api.views.quiz_schemas import QUIZ_REPLY, QUIZ_SESSION

bp = Blueprint("me", __name__)

# §2.2.4: the badges of her own profile.
BADGE = obj({"code": STR, "name": STR, "description": STR, "image_url": STR, "popup": INT, "show_description": INT,
             "style": STR})
USER_PROFILE = obj({
    "dt_nasc": {"type": "string", "format": "date"},
    "email": nullable(STR), "apelido": nullable(STR), "avatar_url": nullable(STR), "nome_completo": nullable(STR),
    "minibio": nullable(STR), "raca": nullable(STR), "genero": nullable(STR),
    "modo_camuflado_ativo": BOOL01, "modo_anonimo_ativo": BOOL01, "ja_foi_vitima_de_violencia": BOOL01,
    "skills?": arr(INT, "skill ids (GET /filter-skills)"), "badges?": arr(BADGE),
    "cep?": nullable(STR), "cpf_prefix?": nullable(STR), "nome_social?": nullable(STR),
})
# §2.2.3: the app skips elements without a `code` (its fixtures have some).
MODULE = obj({"code?": STR, "meta?": ANY})
# §2.2.1: the app state, also the answer of PUT /me.
APP_STATE = obj({"user_profile": USER_PROFILE, "qtde_guardioes_ativos": INT, "modules": arr(MODULE),
                 "quiz_session?": QUIZ_SESSION, "analytics_props?": OBJECT, "anonymous_avatar_url?": STR})
PREFERENCES = obj({"preferences": arr(obj({"key": STR, "label": STR, "value": {"type": "string", "enum": ["0", "1"]},
                                          "type": STR}))})
# The keys the shipped data defines (fixtures/100_preferences.json, mobile-contract §2.5.2); the view checks the
# account's own list, so a key she cannot see is ignored.
PREFERENCE_KEYS = ("NOTIFY_CHAT_NEW_MESSAGES", "NOTIFY_LIKES_POSTS_CREATED", "NOTIFY_LIKES_POSTS_COMMENTED",
                   "NOTIFY_COMMENTS_POSTS_CREATED", "NOTIFY_COMMENTS_POSTS_COMMENTED",
                   "NOTIFY_POST_FROM_BADGE_HOLDER_IN_MY_CITY", "NOTIFY_POST_FROM_BADGE_HOLDER_FOR_LINKED_CITY",
                   "POST_AS_PENHAS")
NOTIFICATION = obj({"time": STR, "content": nullable(STR), "icon": STR, "title": nullable(STR), "name": STR,
                    "expand_screen?": STR})
SENHA_ATUAL = Field("str", max_length=200)


def _me_checks():
    # Answered inside the session query: after onboarding, and without badges, GET /me is that one query.
    return profile.holds_badges_check(), quiz.unfinished_check()


@bp.get("/me")
@require_user(along=_me_checks)
@declare("The app state: profile, modules and a pending quiz", "me",
         description="While a quiz is pending the app shows only the quiz (mobile-contract §2.2.1, §2.3): the "
                     "answer may hold only `quiz_session`.",
         ok=json(one_of(APP_STATE, QUIZ_REPLY)))
def me(_v):
    holds_badges, quiz_left = g.session.along
    body = profile.me_payload(g.user, holds_badges=holds_badges)
    return quiz.apply_to_me(g.user, body) if quiz_left else body


@bp.put("/me")
@require_user
@declare(
    "Update her profile (only the fields sent change)", "me",
    query={
        "skills": Field("int_list", max_length=2000, empty_is_valid=True,
                        description="comma-separated skill ids; empty clears them"),
        "skills_remove": Field("bool", description="1 clears her skills"),
        "apelido": Field("str", min_length=2, max_length=40),
        "senha": Field("str", max_length=200, description="the new password (needs senha_atual)"),
        "minibio": Field("str", max_length=2200),
        "email": Field("email", max_length=200, description="the new e-mail (needs senha_atual)"),
        "raca": Field("raca"),
        "senha_atual": SENHA_ATUAL,
    },
    ok=json(APP_STATE), errors={400: STRENGTH_ERRORS},
)
def update_me(v):
    user = profile.update_profile(g.user, v, g.session.id)
    return profile.me_payload(user)


@bp.delete("/me")
@require_user
@declare("Schedule the deletion of her account (30 days to reactivate)", "me",
         query={"senha_atual": Field("str", required=True, min_length=6, max_length=200),
                "app_version": Field("str", required=True, min_length=1, max_length=800)},
         ok=json(EMPTY))
def delete_me(v):
    accounts.delete_me(g.user, v["senha_atual"], v["app_version"])
    return {}


@bp.get("/me/delete-text")
@require_user
@declare("The HTML text of the account deletion page", "me", ok=json(obj({"text": STR})))
def delete_text(_v):
    return {"text": profile.delete_text()}


def _declare_toggle(what: str):
    return declare(f"Turn {what} on or off", "me", query={"active": Field("int", required=True, max_length=1,
                                                                          description="1 on, 0 off")},
                   ok=json(EMPTY))


def _toggle(v, which: str):
    profile.toggle(g.user, which, v["active"])
    return {}


@bp.post("/me/modo-camuflado-toggle")
@require_user
@_declare_toggle("stealth mode")
def toggle_camuflado(v):
    return _toggle(v, "modo_camuflado")


@bp.post("/me/modo-anonimo-toggle")
@require_user
@_declare_toggle("anonymous mode")
def toggle_anonimo(v):
    return _toggle(v, "modo_anonimo")


@bp.post("/me/ja-foi-vitima-de-violencia-toggle")
@require_user
@_declare_toggle("\"has been a victim of violence\"")
def toggle_vitima(v):
    return _toggle(v, "ja_foi_vitima_de_violencia")


@bp.post("/me/inc-login-offline")
@require_user
@declare("Count logins the app made offline", "me",
         query={"inc_by": Field("int", required=True, max_length=4, description="how many (not negative)")},
         ok=json(EMPTY))
def inc_login_offline(v):
    profile.inc_login_offline(g.user, v["inc_by"])
    return {}


@bp.get("/me/preferences")
@require_user
@declare("Her notification preferences", "me", ok=json(PREFERENCES))
def preferences(_v):
    return {"preferences": profile.list_preferences(g.user)}


@bp.post("/me/preferences")
@require_user
@declare("Change preferences (the keys sent, each 0 or 1); answers the full list", "me",
         documented={name: Field("bool") for name in PREFERENCE_KEYS},
         description="Any key of GET /me/preferences; keys she does not have are ignored.",
         ok=json(PREFERENCES), errors={400: ("form_error",)})
def set_preferences(_v):
    names = profile.preference_names(g.user)
    # Only the keys sent are checked (each must be 0 or 1); unknown keys are ignored.
    sent = get_params()
    v = validate({name: Field("bool", required=True) for name in names if name in sent}, sent)
    return {"preferences": profile.set_preferences(g.user, v)}


@bp.get("/me/unread-notif-count")
@require_user
@declare("How many notifications she has not seen", "me", ok=json(obj({"count": INT})))
def unread_notif_count(_v):
    return {"count": notifications.unread_count(g.user)}


@bp.get("/me/notifications")
@require_user
@declare("Her notifications, newest first (the first page marks them read)", "me",
         query={"rows": Field("int", max_length=9, description="page size"),
                "next_page": Field("str", max_length=9999, description="the previous page's next_page")},
         ok=json(obj({"rows": arr(NOTIFICATION), **PAGINATED})))
def list_notifications(v):
    return notifications.list_notifications(g.user.id, v.get("rows"), v.get("next_page"))
