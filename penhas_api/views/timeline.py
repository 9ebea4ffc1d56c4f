"""Feed (contract §2.7; backend-rules §7): GET /timeline, posts, comments, likes, reports, filter tags."""
import re

from flask import Blueprint, g, request

from penhas_api.auth import module_required, require_module, require_user
from penhas_api.core.errors import item_not_found
from penhas_api.core.services import timeline
from penhas_api.core.services.modules import user_modules
from penhas_api.core.settings import get_settings
from penhas_api.declarations import before, declare
from penhas_api.params import TIMELINE_CATEGORIES, Field, validate
from penhas_api.schemas import ANY, BOOL01, EMPTY, INT, MESSAGE, STR, arr, const, json, nullable, obj, one_of
from penhas_api.views.people import badge

bp = Blueprint("timeline", __name__)

TWEET_ID = re.compile(r"[0-9]{6}T[0-9]{10}")
PATH_TWEET_ID = {"tweet_id": Field("tweet_id", description="any other text answers 404 item_not_found")}

# The app appends "Z" and parses: UTC without an offset, with a "T" (ours) or a space (the golden fixtures).
CREATED_AT = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}$"}
_TWEET = {
    "id": STR, "name": STR, "cliente_id": INT, "created_at": CREATED_AT, "qtde_comentarios": INT,
    "qtde_likes": INT, "anonimo": BOOL01, "content": STR, "icon": STR, "media": arr(ANY),
    "meta": obj({"liked": BOOL01, "owner": BOOL01, "can_reply?": BOOL01, "parent_id?": nullable(STR)}),
    "badges?": arr(badge(nullable(STR))),
}
# `last_reply` is the newest comment, itself without a `last_reply`.
_WITH_REPLY = {**_TWEET, "last_reply?": nullable(obj({**_TWEET, "type?": const("tweet")}))}
# A tweet object (contract §2.7.1), as POST /me/tweets and the comment and like routes answer it.
TWEET = obj({**_WITH_REPLY, "type?": const("tweet")})
NEWS_LINK = {"href": STR, "title": STR, "source?": STR}
TIMELINE_ITEM = one_of(
    obj({**_WITH_REPLY, "type": const("tweet")}),
    obj({"type": const("related_news"), "header": nullable(STR), "news": arr(obj(NEWS_LINK))}),
    obj({"type": const("news_group"), "header": nullable(STR),
         "news": arr(obj({**NEWS_LINK, "image": STR, "date_str": STR}))}),
    obj({"type": const("news"), **NEWS_LINK}, description="parsed but never shown by the app; not sent"),
)


def _tweet_target(tweet_id: str):
    """The module, then the post's id, before the body: /timeline/:id/* answered in this order."""
    require_module("tweets")
    if not TWEET_ID.fullmatch(tweet_id):
        raise item_not_found()


CONTENT = {"content": Field("str", required=True, description="at most TWEET_CONTENT_MAX_LENGTH characters "
                                                             "(2200 by default)")}


def _content_limit(**_):
    """The length limit is a setting read per request, not part of the declaration: the whole field is checked
    here first, so its errors come in the validator's order (length before the rest)."""
    validate({"content": Field("str", required=True, max_length=get_settings().tweet_max_length)})


@bp.get("/timeline")
@require_user
@declare(
    "The feed: posts, comments of a post, and news", "timeline",
    query={
        "rows": Field("int", max_length=9, description="1 to 100, else 10"),
        "after": Field("tweet_id", max_length=20, description="newer than this post (oldest first)"),
        "before": Field("tweet_id", max_length=20, description="older than this post"),
        "parent_id": Field("tweet_id", max_length=20, description="the comments of this post"),
        "id": Field("tweet_id", max_length=20, description="this post only"),
        "tags": Field("int_list", max_length=2000, empty_is_valid=True),
        "next_page": Field("str", max_length=10000, empty_is_valid=True,
                           description="the previous page's token; not with after, before, parent_id or id"),
        "category": Field("timeline_category"),
    },
    ok=json(obj({"tweets": arr(TIMELINE_ITEM), "has_more": BOOL01,
                 "order_by": {"type": "string", "enum": ["latest_first", "oldest_first"]},
                 "next_page?": nullable(STR), "parent?": TWEET,
                 "category?": {"type": "string", "enum": list(TIMELINE_CATEGORIES)}})),
)
def list_timeline(v):
    return timeline.list_timeline(
        g.user, user_modules(g.user), rows=v.get("rows"), after=v.get("after"), before=v.get("before"),
        parent_id=v.get("parent_id"), tweet_id=v.get("id"), tags=v.get("tags"), category=v.get("category"),
        next_page=v.get("next_page"), user_agent=request.headers.get("User-Agent"))


@bp.post("/me/tweets")
@require_user
@module_required("tweets")
@before(_content_limit)
@declare(
    "Publish a post (module tweets)", "timeline", form=CONTENT, ok=json(TWEET), errors={400: ("missing_module",)},
    links={"comment": ("timeline.comment", {"tweet_id": "$response.body#/id"}),
           "like": ("timeline.like", {"tweet_id": "$response.body#/id"}),
           "report": ("timeline.report", {"tweet_id": "$response.body#/id"}),
           "delete": ("timeline.delete_tweet", {"id": "$response.body#/id"})},
)
def create_tweet(v):
    tweet = timeline.create_tweet(g.user, v["content"])
    return timeline.render_tweets(g.user, [tweet])[0]


@bp.delete("/me/tweets")
@require_user
@module_required("tweets")
@declare("Delete one of her posts or comments (module tweets)", "timeline",
         query={"id": Field("tweet_id", required=True, max_length=20)},
         ok=json(EMPTY), errors={400: ("missing_module", "tweet_not_found")})
def delete_tweet(v):
    timeline.delete_tweet(g.user, v["id"])
    # A JSON object, not 204: the app decodes the body with no fallback (contract §2.7.3).
    return {}


@bp.post("/timeline/<tweet_id>/comment")
@require_user
@before(_tweet_target)
@before(_content_limit)
@declare("Comment on a post (module tweets)", "timeline", form=CONTENT, path=PATH_TWEET_ID, ok=json(TWEET),
         errors={400: ("missing_module",), 404: ("item_not_found",)})
def comment(v, tweet_id):
    tweet = timeline.create_tweet(g.user, v["content"], reply_to=tweet_id)
    return timeline.render_tweets(g.user, [tweet])[0]


@bp.post("/timeline/<tweet_id>/like")
@require_user
@before(_tweet_target)
@declare("Like a post (remove=1: unlike); idempotent", "timeline",
         query={"remove": Field("str", max_length=1, description="1: unlike")}, path=PATH_TWEET_ID,
         ok=json(obj({"tweet": TWEET})), errors={400: ("missing_module",), 404: ("item_not_found",)})
def like(v, tweet_id):
    timeline.like(g.user, tweet_id, remove=v.get("remove") == "1")
    return {"tweet": timeline.render_one(g.user, tweet_id)}


@bp.post("/timeline/<tweet_id>/report")
@require_user
@before(_tweet_target)
@declare("Report a post to the moderators", "timeline", form={"reason": Field("str", required=True, max_length=200)},
         path=PATH_TWEET_ID, ok=json(MESSAGE), errors={400: ("missing_module",), 404: ("item_not_found",)})
def report(v, tweet_id):
    return timeline.report(g.user, tweet_id, v["reason"])


@bp.get("/filter-tags")
@require_user
@declare("The feed's categories and tags, for its filter", "timeline",
         ok=json(obj({"categories": arr(obj({"value": STR, "label": STR, "default": BOOL01})),
                      "tags": arr(obj({"id": one_of(INT, STR), "title": STR}))})))
def filter_tags(_v):
    return timeline.filter_tags(user_modules(g.user))
