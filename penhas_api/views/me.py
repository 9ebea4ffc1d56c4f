"""The signed-in user's own account: profile, modes, deletion, preferences, notifications (contract §2.1–2.6)."""
from flask import Blueprint, g

from penhas_api.auth import require_user
from penhas_api.core.services import accounts, notifications, profile, quiz
from penhas_api.params import Field, get_params, validate

bp = Blueprint("me", __name__)


@bp.get("/me")
@require_user
def me():
    return quiz.apply_to_me(g.user, profile.me_payload(g.user))


@bp.put("/me")
@require_user
def update_me():
    v = validate({
        "skills": Field("int_list", max_length=2000, empty_is_valid=True),
        "skills_remove": Field("bool"),
        "apelido": Field("str", min_length=2, max_length=40),
        "senha": Field("str", max_length=200),
        "minibio": Field("str", max_length=2200),
        "email": Field("email", max_length=200),
        "raca": Field("raca"),
        "senha_atual": Field("str", max_length=200),
    })
    user = profile.update_profile(g.user, v, g.session.id)
    return profile.me_payload(user)


@bp.delete("/me")
@require_user
def delete_me():
    v = validate({
        "senha_atual": Field("str", required=True, min_length=6, max_length=200),
        "app_version": Field("str", required=True, min_length=1, max_length=800),
    })
    accounts.delete_me(g.user, v["senha_atual"], v["app_version"])
    return {}


@bp.get("/me/delete-text")
@require_user
def delete_text():
    return {"text": profile.delete_text()}


def _toggle(which: str):
    v = validate({"active": Field("int", required=True, max_length=1)})
    profile.toggle(g.user, which, v["active"])
    return {}


@bp.post("/me/modo-camuflado-toggle")
@require_user
def toggle_camuflado():
    return _toggle("modo_camuflado")


@bp.post("/me/modo-anonimo-toggle")
@require_user
def toggle_anonimo():
    return _toggle("modo_anonimo")


@bp.post("/me/ja-foi-vitima-de-violencia-toggle")
@require_user
def toggle_vitima():
    return _toggle("ja_foi_vitima_de_violencia")


@bp.post("/me/inc-login-offline")
@require_user
def inc_login_offline():
    v = validate({"inc_by": Field("int", required=True, max_length=4)})
    profile.inc_login_offline(g.user, v["inc_by"])
    return {}


@bp.get("/me/preferences")
@require_user
def preferences():
    return {"preferences": profile.list_preferences(g.user)}


@bp.post("/me/preferences")
@require_user
def set_preferences():
    names = profile.preference_names(g.user)
    # Only the keys sent are checked (each must be 0 or 1); unknown keys are ignored.
    sent = get_params()
    v = validate({name: Field("bool", required=True) for name in names if name in sent}, sent)
    return {"preferences": profile.set_preferences(g.user, v)}


@bp.get("/me/unread-notif-count")
@require_user
def unread_notif_count():
    return {"count": notifications.unread_count(g.user)}


@bp.get("/me/notifications")
@require_user
def list_notifications():
    v = validate({"rows": Field("int", max_length=9), "next_page": Field("str", max_length=9999)})
    return notifications.list_notifications(g.user.id, v.get("rows"), v.get("next_page"))
