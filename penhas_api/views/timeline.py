"""Feed (contract §2.7; backend-rules §7): GET /timeline, posts, comments, likes, reports, filter tags."""
import re

from flask import Blueprint, g, request

from penhas_api.auth import require_module, require_user
from penhas_api.core.errors import item_not_found
from penhas_api.core.services import timeline
from penhas_api.core.services.modules import user_modules
from penhas_api.core.settings import get_settings
from penhas_api.params import Field, validate

bp = Blueprint("timeline", __name__)

TWEET_ID = re.compile(r"[0-9]{6}T[0-9]{10}")


def _tweet_id(value: str) -> str:
    if not TWEET_ID.fullmatch(value or ""):
        raise item_not_found()
    return value


def _content_field() -> Field:
    return Field("str", required=True, max_length=get_settings().tweet_max_length)


@bp.get("/timeline")
@require_user
def list_timeline():
    v = validate({
        "rows": Field("int", max_length=9),
        "after": Field("tweet_id", max_length=20),
        "before": Field("tweet_id", max_length=20),
        "parent_id": Field("tweet_id", max_length=20),
        "id": Field("tweet_id", max_length=20),
        "tags": Field("int_list", max_length=2000, empty_is_valid=True),
        "next_page": Field("str", max_length=10000, empty_is_valid=True),
        "category": Field("timeline_category"),
    })
    return timeline.list_timeline(
        g.user, user_modules(g.user), rows=v.get("rows"), after=v.get("after"), before=v.get("before"),
        parent_id=v.get("parent_id"), tweet_id=v.get("id"), tags=v.get("tags"), category=v.get("category"),
        next_page=v.get("next_page"), user_agent=request.headers.get("User-Agent"))


@bp.post("/me/tweets")
@require_user
def create_tweet():
    require_module("tweets")
    v = validate({"content": _content_field()})
    tweet = timeline.create_tweet(g.user, v["content"])
    return timeline.render_tweets(g.user, [tweet])[0]


@bp.delete("/me/tweets")
@require_user
def delete_tweet():
    require_module("tweets")
    v = validate({"id": Field("tweet_id", required=True, max_length=20)})
    timeline.delete_tweet(g.user, v["id"])
    # A JSON object, not 204: the app decodes the body with no fallback (contract §2.7.3).
    return {}


@bp.post("/timeline/<tweet_id>/comment")
@require_user
def comment(tweet_id):
    require_module("tweets")
    tweet_id = _tweet_id(tweet_id)
    v = validate({"content": _content_field()})
    tweet = timeline.create_tweet(g.user, v["content"], reply_to=tweet_id)
    return timeline.render_tweets(g.user, [tweet])[0]


@bp.post("/timeline/<tweet_id>/like")
@require_user
def like(tweet_id):
    require_module("tweets")
    tweet_id = _tweet_id(tweet_id)
    v = validate({"remove": Field("str", max_length=1)})
    timeline.like(g.user, tweet_id, remove=v.get("remove") == "1")
    return {"tweet": timeline.render_one(g.user, tweet_id)}


@bp.post("/timeline/<tweet_id>/report")
@require_user
def report(tweet_id):
    require_module("tweets")
    tweet_id = _tweet_id(tweet_id)
    v = validate({"reason": Field("str", required=True, max_length=200)})
    return timeline.report(g.user, tweet_id, v["reason"])


@bp.get("/filter-tags")
@require_user
def filter_tags():
    return timeline.filter_tags(user_modules(g.user))
