"""People (contract §2.8; backend-rules §2.3, §8.2): user search, public profiles, profile reports, timeline blocks."""
from flask import Blueprint, g

from penhas_api.auth import require_user
from penhas_api.core.errors import PenhasError
from penhas_api.core.services import people
from penhas_api.core.services.modules import user_modules
from penhas_api.params import Field, validate

bp = Blueprint("people", __name__)


def _require_people_module():
    # The same rule as GET /me's modules: people search lives in the chat tab, shown only with chat_privado.
    if "chat_privado" not in user_modules(g.user):
        raise PenhasError("form_error", "Seu perfil não tem permissão para utilizar este recurso.")


@bp.get("/search-users")
@require_user
def search_users():
    _require_people_module()
    v = validate({
        "rows": Field("int", max_length=9),
        "skills": Field("int_list", max_length=2000, empty_is_valid=True),
        "next_page": Field("str", max_length=9999, empty_is_valid=True),
        "name": Field("str", min_length=2, max_length=100),
    })
    return people.search_users(g.user, v.get("rows"), v.get("skills"), v.get("name"), v.get("next_page"))


@bp.get("/profile")
@require_user
def profile():
    _require_people_module()
    v = validate({"cliente_id": Field("int", required=True, max_length=19)})
    return people.get_profile(g.user, v["cliente_id"])


@bp.post("/report-profile")
@require_user
def report_profile():
    v = validate({"reason": Field("str", required=True, max_length=200),
                  "cliente_id": Field("int", required=True, max_length=19)})
    return people.report_profile(g.user, v["cliente_id"], v["reason"])


@bp.post("/block-profile")
@require_user
def block_profile():
    v = validate({"cliente_id": Field("int", required=True, max_length=19), "remove": Field("str", max_length=1)})
    return people.block_profile(g.user, v["cliente_id"], v.get("remove") == "1")
