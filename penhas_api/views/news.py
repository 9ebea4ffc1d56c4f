"""Outward links of news (backend-rules §7.7): the signed tracking redirect and the signed image proxy. Public:
the app opens them in the browser and image widgets, without its session header."""
from flask import Blueprint, Response, redirect, send_from_directory

from penhas_api.core.services import news
from penhas_api.declarations import declare
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field
from penhas_api.schemas import html
from penhas_api.views.web import STATIC

bp = Blueprint("news", __name__)

SIGNATURE = Field("str", required=True, max_length=64, description="the server's signature of the link")


@bp.get("/news-redirect")
@bp.get("/news-redirect/")
@limiter.limit("120 per minute", key_func=ip_key)
@declare(
    "Open a news item: records the opening and redirects to it", "news",
    query={
        "uid": Field("str", required=True, max_length=9), "nid": Field("str", required=True, max_length=9),
        "u": Field("str", required=True, max_length=20, description="valid until (epoch seconds)"),
        "t": Field("str", required=True, max_length=20), "h": SIGNATURE,
        "url": Field("str", required=True, min_length=5, max_length=5000),
    },
    description="The `href` of the timeline's news items, signed by the server; the answer's `Location` is `url`.",
    ok=html(), ok_status=302, errors={400: ("invalid_hash",)}, limited=True,
)
def news_redirect(v):
    return redirect(news.open_news(v["uid"], v["nid"], v["u"], v["t"], v["h"], v["url"]), 302)


@bp.get("/get-proxy")
@bp.get("/get-proxy/")
@limiter.limit("600 per minute", key_func=ip_key)
@declare(
    "A news image, fetched once and cached", "news",
    query={"href": Field("str", required=True, min_length=5, max_length=5000), "h": SIGNATURE},
    description="The `image` of the timeline's news items, signed by the server. The body is the image with its "
                "own `image/*` type, or the PNG placeholder when it cannot be fetched.",
    ok=("image/*", {}), errors={400: ("media_hash_invalid",)}, limited=True,
)
def get_proxy(v):
    served = news.proxy_image(v["href"], v["h"])
    if served is None:
        # Unreachable, refused or not an image: the placeholder, cached for an hour only.
        return send_from_directory(STATIC / "avatar", "news.png", max_age=3600)
    body, ctype, max_age = served
    return Response(body, mimetype=ctype, headers={"Cache-Control": f"max-age={max_age}, must-revalidate",
                                                   "X-Content-Type-Options": "nosniff"})
