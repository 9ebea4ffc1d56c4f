"""Guardians, panic alert, police button (mobile-contract §2.10) and the guardian's web page (backend-rules §4.4)."""
from flask import Blueprint, g, render_template, request

from penhas_api.auth import require_user
from penhas_api.core.errors import PenhasError
from penhas_api.core.services import guardians as service
from penhas_api.declarations import declare
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field, get_params
from penhas_api.schemas import BOOL01, HTML, EMPTY, INT, STR, arr, json, nullable, obj

bp = Blueprint("guardians", __name__)

GROUP_META = obj({"can_edit": BOOL01, "can_delete": BOOL01, "can_resend": BOOL01, "delete_warning": STR,
                  "description": STR, "header": STR, "layout": STR})
GUARDIAN_ROW = obj({"id": INT, "nome": STR, "celular": STR, "subtexto": STR})
GUARDIAN_LIST = obj({"guards": arr(obj({"meta": GROUP_META, "rows": arr(GUARDIAN_ROW)})),
                     "remaing_invites": INT, "invites_max": INT})
GUARDIAN = obj({"id": INT, "nome": STR, "celular_formatted_as_national": STR, "is_accepted": BOOL01,
                "is_pending": BOOL01, "is_expired": BOOL01, "created_at": STR, "expires_at": STR})
GUARDIAN_ID = {"guardian_id": Field("int", description="the guardian's id (`data.id` of the invite)")}
# The guardian's own invite and only the inviter's apelido.
PAGE_DATA = obj({
    "guardiao": obj({"celular": STR, "is_accepted": BOOL01, "is_pending": BOOL01, "is_expired": BOOL01, "nome": STR,
                     "refused_at": nullable(STR), "created_at": STR, "accepted_at": nullable(STR)}),
    "cliente": obj({"apelido": nullable(STR)}),
})


@bp.get("/me/guardioes")
@require_user
@declare("Her guardians, grouped by invite status", "guardians", ok=json(GUARDIAN_LIST))
def list_guardians(_v):
    return service.list_guardians(g.user)


@bp.post("/me/guardioes")
@require_user
@declare(
    "Invite a guardian by SMS (or resend an expired invite)", "guardians",
    query={"nome": Field("str", required=True, max_length=200),
           "celular": Field("str", required=True, max_length=200,
                            description="Brazilian with area code, or + and the country code")},
    ok=json(obj({"title?": STR, "message": STR, "data": GUARDIAN})),
    errors={400: ("parser_error", "contry_not_allowed", "number_is_not_mobile", "recent_refused",
                  "max_invites_reached", "too_many_invites")},
    links={"edit": ("guardians.edit", {"guardian_id": "$response.body#/data/id"}),
           "delete": ("guardians.delete", {"guardian_id": "$response.body#/data/id"})},
)
def invite(v):
    return service.invite(g.user, v["nome"].strip(), v["celular"])


@bp.put("/me/guardioes/<guardian_id>")
@require_user
@declare("Rename a guardian", "guardians", path=GUARDIAN_ID,
         query={"nome": Field("str", required=True, max_length=200)},
         ok=json(obj({"message": STR, "data": GUARDIAN})), errors={404: ("item_not_found",)})
def edit(v, guardian_id):
    return service.edit(g.user, guardian_id, v["nome"].strip())


@bp.delete("/me/guardioes/<guardian_id>")
@require_user
@declare("Remove a guardian or cancel the invite", "guardians", path=GUARDIAN_ID, ok=json(EMPTY),
         errors={404: ("item_not_found",)})
def delete(_v, guardian_id):
    # 200 {} rather than the original 204: the app decodes the body strictly (contract §1.8).
    return service.delete(g.user, guardian_id)


@bp.post("/me/guardioes/alert")
@require_user
@declare("Send the panic alert to her accepted guardians", "guardians",
         query={"gps_lat": Field("str", max_length=100, description="0.0 when the app has no location"),
                "gps_long": Field("str", max_length=100)},
         ok=json(obj({"title": STR, "message": STR})),
         # A database failure while recording the SMS rows is a 500 and the alert is marked failed, so that
         # pressing again is not refused as already sent.
         errors={400: ("gps_position_invalid", "too_many_alerts"), 500: ("Internal server error",)})
def alert(v):
    return service.alert(g.user, v.get("gps_lat"), v.get("gps_long"), ip=request.remote_addr)


@bp.post("/me/call-police-pressed")
@require_user
@declare("Count a call to the police", "guardians", ok=json(EMPTY))
def call_police_pressed(_v):
    return service.police_pressed(g.user)


def _wants_html() -> bool:
    return "html" in request.headers.get("Accept", "")


@bp.route("/web/guardiao", methods=["GET", "POST"])
@limiter.limit("100/hour", key_func=lambda: "G" + ip_key())
@declare(
    "The guardian's page: see the invite (GET), accept or refuse it (POST)", "guardians",
    # Read by the view: a bad token is the page's own error, shown in HTML to a browser.
    documented={"token": Field("str", required=True, description="the code of the SMS link"),
                "action": Field("str", description="POST: `accept` or `refuse`")},
    description="JSON for API clients; a browser (`Accept` with `html`) gets one plain HTML page, errors "
                "included, with the same statuses.",
    ok=json(PAGE_DATA), alternatives={HTML: STR},
    errors={400: ("token_invalid_format", "token_invalid_hash", "action_invalid", "guard_invite_expired"),
            404: ("item_not_found",)},
    error_pages={400: "the error's message", 404: "the error's message"},
    limited=True,
)
def guardian_page(_v):
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
