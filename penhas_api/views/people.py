"""People (contract §2.8; backend-rules §2.3, §8.2): user search, public profiles, profile reports, timeline blocks."""
from flask import Blueprint, g

from penhas_api.auth import require_user
from penhas_api.core.errors import PenhasError
from penhas_api.core.services import people
from penhas_api.core.services.modules import user_modules
from penhas_api.declarations import before, declare
from penhas_api.params import Field
from penhas_api.schemas import BOOL01, INT, MESSAGE, STR, arr, json, nullable, obj

bp = Blueprint("people", __name__)

CLIENTE_ID = Field("int", required=True, max_length=19)


def badge(image_url: dict) -> dict:
    """A badge as the app parses it (contract §2.2.4); ``image_url`` may be null in tweets only."""
    return obj({"code": STR, "name": STR, "description": STR, "image_url": image_url, "style": STR,
                "popup": BOOL01, "show_description": BOOL01, "image_url_black?": STR})


# A profile card (search rows and /profile): the keys the golden fixtures always carry are required. `skills` is
# the skill names joined by commas, not a list.
_PERSON = {"cliente_id": INT, "apelido": STR, "avatar_url": STR, "skills": STR, "activity?": STR,
           "badges?": arr(badge(STR))}


def _require_people_module(**_):
    # The same rule as GET /me's modules: people search lives in the chat tab, shown only with chat_privado.
    if "chat_privado" not in user_modules(g.user):
        raise PenhasError("form_error", "Seu perfil não tem permissão para utilizar este recurso.")


@bp.get("/search-users")
@require_user
@before(_require_people_module)
@declare(
    "Search the women who use the app (module chat_privado)", "people",
    query={
        "rows": Field("int", max_length=9, description="10 to 100, else 10"),
        "skills": Field("int_list", max_length=2000, empty_is_valid=True),
        "next_page": Field("str", max_length=9999, empty_is_valid=True),
        "name": Field("str", min_length=2, max_length=100, description="a prefix of the apelido"),
    },
    ok=json(obj({"rows": arr(obj({**_PERSON, "minibio?": STR})), "has_more": BOOL01, "next_page": nullable(STR)})),
)
def search_users(v):
    return people.search_users(g.user, v.get("rows"), v.get("skills"), v.get("name"), v.get("next_page"))


@bp.get("/profile")
@require_user
@before(_require_people_module)
@declare("A woman's public profile (module chat_privado)", "people", query={"cliente_id": CLIENTE_ID},
         ok=json(obj({"is_myself": BOOL01, "profile": obj({**_PERSON, "minibio": STR})})),
         errors={404: ("cliente_id_invalid",)})
def profile(v):
    return people.get_profile(g.user, v["cliente_id"])


@bp.post("/report-profile")
@require_user
@declare("Report a profile to the moderators", "people",
         query={"reason": Field("str", required=True, max_length=200), "cliente_id": CLIENTE_ID},
         ok=json(MESSAGE), errors={400: ("cliente_id_not_found",)})
def report_profile(v):
    return people.report_profile(g.user, v["cliente_id"], v["reason"])


@bp.post("/block-profile")
@require_user
@declare("Block (or with remove=1 unblock) a user's posts and chats", "people",
         query={"cliente_id": CLIENTE_ID, "remove": Field("str", max_length=1, description="1: unblock")},
         ok=json(MESSAGE), errors={400: ("cliente_id_not_found", "cliente_id_invalid")})
def block_profile(v):
    return people.block_profile(g.user, v["cliente_id"], v.get("remove") == "1")
