"""Outward links of news (backend-rules §7.7): the signed tracking redirect and the signed image proxy. Public:
the app opens them in the browser and image widgets, without its session header."""
from flask import Blueprint, Response, redirect, send_from_directory

from penhas_api.core.services import news
from penhas_api.limits import ip_key, limiter
from penhas_api.params import Field, validate
from penhas_api.views.web import STATIC

bp = Blueprint("news", __name__)


@bp.get("/news-redirect")
@bp.get("/news-redirect/")
@limiter.limit("120 per minute", key_func=ip_key)
def news_redirect():
    v = validate({
        "uid": Field("str", required=True, max_length=9), "nid": Field("str", required=True, max_length=9),
        "u": Field("str", required=True, max_length=20), "t": Field("str", required=True, max_length=20),
        "h": Field("str", required=True, max_length=64), "url": Field("str", required=True, min_length=5,
                                                                    max_length=5000),
    })
    return redirect(news.open_news(v["uid"], v["nid"], v["u"], v["t"], v["h"], v["url"]), 302)


@bp.get("/get-proxy")
@bp.get("/get-proxy/")
@limiter.limit("600 per minute", key_func=ip_key)
def get_proxy():
    v = validate({"href": Field("str", required=True, min_length=5, max_length=5000),
                  "h": Field("str", required=True, max_length=64)})
    served = news.proxy_image(v["href"], v["h"])
    if served is None:
        # Unreachable, refused or not an image: the placeholder, cached for an hour only.
        return send_from_directory(STATIC / "avatar", "news.png", max_age=3600)
    body, ctype, max_age = served
    return Response(body, mimetype=ctype, headers={"Cache-Control": f"max-age={max_age}, must-revalidate",
                                                   "X-Content-Type-Options": "nosniff"})
