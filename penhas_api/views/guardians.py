"""Guardians, panic alert, police button (mobile-contract §2.10) and the guardian's web page (backend-rules §4.4)."""
from flask import Blueprint, g, render_template, request

from penhas_api.auth import require_user
from penhas_api.core.errors import PenhasError
from penhas_api.core.services import guardians as service
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field, get_params, validate

bp = Blueprint("guardians", __name__)


@bp.get("/me/guardioes")
@require_user
def list_guardians():
    return service.list_guardians(g.user)


@bp.post("/me/guardioes")
@require_user
def invite():
    params = validate({"nome": Field("str", required=True, max_length=200),
                       "celular": Field("str", required=True, max_length=200)})
    return service.invite(g.user, params["nome"].strip(), params["celular"])


@bp.put("/me/guardioes/<guardian_id>")
@require_user
def edit(guardian_id):
    params = validate({"nome": Field("str", required=True, max_length=200)})
    return service.edit(g.user, guardian_id, params["nome"].strip())


@bp.delete("/me/guardioes/<guardian_id>")
@require_user
def delete(guardian_id):
    # 200 {} rather than the original 204: the app decodes the body strictly (contract §1.8).
    return service.delete(g.user, guardian_id)


@bp.post("/me/guardioes/alert")
@require_user
def alert():
    params = validate({"gps_lat": Field("str", max_length=100), "gps_long": Field("str", max_length=100)})
    return service.alert(g.user, params.get("gps_lat"), params.get("gps_long"), ip=request.remote_addr)


@bp.post("/me/call-police-pressed")
@require_user
def call_police_pressed():
    return service.police_pressed(g.user)


def _wants_html() -> bool:
    return "html" in request.headers.get("Accept", "")


@bp.route("/web/guardiao", methods=["GET", "POST"])
@limiter.limit("100/hour", key_func=lambda: "G" + ip_key())
def guardian_page():
    """JSON for API clients; for a browser, one plain HTML page (no JavaScript) with two buttons and the FAQ."""
    params = get_params()
    token, done = params.get("token"), None
    try:
        if request.method == "POST":
            guardian = service.guardian_action(token, params.get("action"), request.remote_addr)
            done = params.get("action")
        else:
            guardian = service.guardian_by_token(token)
    except PenhasError as err:
        if not _wants_html():
            raise
        return render_template("guardiao.html", error=err.message, faq=service.faq()), err.status
    data = service.page_data(guardian)
    if not _wants_html():
        return data
    return render_template("guardiao.html", data=data, token=guardian.token, done=done, faq=service.faq())
