"""News in the timeline (backend-rules §7.5–§7.7): interleaving, highlights with related news, the signed
tracking redirect and the signed image proxy.

Both outward links are signed by the server (HMAC keyed by the server secret): /news-redirect redirects only to
a URL we signed (no open redirect), /get-proxy fetches only an image URL we signed, from a public address, with
size and time limits (no SSRF), and caches it on disk.
"""
import calendar
import hashlib
import hmac
import random
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from penhas_api.core import clock
from penhas_api.core.adapters.web_fetch import FetchError, fetch
from penhas_api.core.audit import audit
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import Noticia, NoticiaAbertura, Tag, TagHighlight, Tweet, Vitrine
from penhas_api.core.settings import get_settings

EVERY = 3
TRACK_DAYS = 30
HIGHLIGHT_TTL = 600
HIGHLIGHT_NEWS = 15
HIGHLIGHT_SPAN = '<span style="color: #f982b4">{}</span>'
PROXY_MAX_AGE = 2592000
NEWS_ADDED_KEEP = 300


# ------------------------------------------------------------------------------------------------------ signing

def _sign(purpose: str, *parts) -> str:
    key = hashlib.sha256(f"{get_settings().secret_key}:{purpose}".encode()).digest()
    return hmac.new(key, ":".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()[:20]


def _valid(purpose: str, signature: str, *parts) -> bool:
    # As bytes: compare_digest refuses a str holding non-ASCII characters (a 500 the fuzzer found).
    return hmac.compare_digest(_sign(purpose, *parts).encode(), (signature or "").encode("utf-8", "replace"))


def tracked_url(viewer_id: int, news: Noticia) -> str:
    until = calendar.timegm((clock.now() + timedelta(days=TRACK_DAYS)).utctimetuple())
    track = "%04x" % random.randrange(0x10000)
    params = {"uid": viewer_id, "nid": news.id, "u": until, "t": track, "url": news.hyperlink}
    params["h"] = _sign("news-redirect", viewer_id, news.id, track, until, news.hyperlink)
    return f"{get_settings().public_url}/news-redirect/?{urlencode(params)}"


def proxy_url(href: str) -> str:
    return f"{get_settings().public_url}/get-proxy/?{urlencode({'href': href, 'h': _sign('get-proxy', href)})}"


def default_image() -> str:
    return f"{get_settings().public_url}/avatar/news.png"


def open_news(uid: str, nid: str, until: str, track: str, signature: str, url: str) -> str:
    """The URL to redirect to, once the signature checks; records the opening while the link is fresh."""
    if not _valid("news-redirect", signature, uid, nid, track, until, url):
        raise PenhasError("invalid_hash", "Link inválido.", 400)
    if until.isdigit() and int(until) >= calendar.timegm(clock.now().utctimetuple()) and uid.isdigit() \
            and nid.isdigit():
        if Noticia.select().where(Noticia.id == int(nid)).exists():
            from penhas_api.core.models import Cliente

            cliente = int(uid) if Cliente.select().where(Cliente.id == int(uid)).exists() else None
            NoticiaAbertura.create(noticia=int(nid), cliente=cliente, track_id=f"{until}:{track}",
                                   created_at=clock.now())
    return url


def _cache_path(href: str) -> Path:
    return get_settings().data_dir / "news-images" / ("NT" + hashlib.sha256(href.encode()).hexdigest())


def proxy_image(href: str, signature: str) -> tuple[bytes, str, int] | None:
    """(body, content type, max-age) of a signed image URL; None when it cannot be served (the caller shows the
    placeholder). Images are cached on disk after the first fetch."""
    if not _valid("get-proxy", signature, href):
        raise PenhasError("media_hash_invalid", "Link inválido.", 400)
    path = _cache_path(href)
    if path.exists():
        data = path.read_bytes()
        ctype, _, body = data.partition(b"\n")
        return body, ctype.decode(), PROXY_MAX_AGE
    settings = get_settings()
    try:
        response = fetch(href, max_bytes=settings.news_image_max_bytes, timeout=settings.news_image_timeout)
    except FetchError:
        return None
    ctype = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    if response.status != 200 or not ctype.startswith("image/"):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(ctype.encode() + b"\n" + response.body)
    tmp.replace(path)
    return response.body, ctype, PROXY_MAX_AGE


# --------------------------------------------------------------------------------------------------- rendering

def news_item(viewer_id: int, news: Noticia) -> dict:
    return {"id": news.id, "href": tracked_url(viewer_id, news), "title": news.title, "source": news.fonte or "",
            "date_str": news.display_created_time.strftime("%d/%m/%Y"),
            "image": proxy_url(news.image_hyperlink) if news.image_hyperlink else default_image()}


def _published():
    return Noticia.published == "published"


# ------------------------------------------------------------------------------------------------ interleaving

def mix(viewer_id: int, items: list[dict], tweet_count: int, *, tags: list[int] | None, category: str,
        state: dict) -> tuple[list[dict], bool, dict]:
    """Insert news between posts (§7.5): after every third post one group. ``state`` is what the page token
    carried (``news_added``, ``vitrine_order``); returns the items, whether more news exist, the new state."""
    expected = max(3, tweet_count // EVERY)
    added = list(state.get("news_added") or [])
    groups: list[dict] = []
    more = False
    vitrine_order = state.get("vitrine_order", -1)
    if tags or category == "only_news":
        query = Noticia.select().where(_published())
        if added:
            query = query.where(Noticia.id.not_in(added))
        if tags:
            from functools import reduce

            query = query.where(reduce(lambda a, b: a | b, [Noticia.tags_index.contains(f",{t},") for t in tags]))
        else:
            query = query.where(Noticia.has_topic_tags == True)  # noqa: E712
        found = list(query.order_by(Noticia.display_created_time.desc(), Noticia.id.desc()).limit(expected + 1))
        more = len(found) > expected
        for news in found[:expected]:
            groups.append({"type": "news_group", "header": None, "news": [news_item(viewer_id, news)]})
            added.append(news.id)
    else:
        rows = list(Vitrine.select().where(Vitrine.status == "prod", Vitrine.order > vitrine_order)
                    .order_by(Vitrine.order).limit(expected + 1))
        more = len(rows) > expected
        rows = rows[:expected]
        ids = {i for row in rows for i in row.noticias if i not in added}
        news = {n.id: n for n in Noticia.select().where(Noticia.id.in_(list(ids)), _published())} if ids else {}
        for row in rows:
            vitrine_order = row.order
            shown = [news[i] for i in row.noticias if i in news and i not in added]
            if not shown:
                continue
            added += [n.id for n in shown]
            groups.append({"type": "news_group", "header": (row.meta or {}).get("title"),
                           "news": [news_item(viewer_id, n) for n in shown]})
    out, seen_tweets = [], 0
    for item in items:
        out.append(item)
        if item.get("type") == "tweet":
            seen_tweets += 1
            if seen_tweets % EVERY == 0 and groups:
                out.append(groups.pop(0))
    out += groups
    return out, more, {"news_added": added[-NEWS_ADDED_KEEP:], "vitrine_order": vitrine_order}


# -------------------------------------------------------------------------------------------------- highlights

_highlights = {"at": 0.0, "value": None}


def reset_highlights() -> None:
    _highlights.update(at=0.0, value=None)


def _highlight_config() -> list[dict]:
    """Valid highlight rules with their tag's newest news, cached for ten minutes per process."""
    if _highlights["value"] is not None and time.monotonic() - _highlights["at"] < HIGHLIGHT_TTL:
        return _highlights["value"]
    config = []
    rows = list(TagHighlight.select(TagHighlight, Tag).join(Tag)
                .where(TagHighlight.status == "prod", TagHighlight.error_msg == ""))
    for row in rows:
        try:
            if row.is_regexp:
                pattern = re.compile(row.match, re.IGNORECASE)
            else:
                words = [re.escape(w.strip()) for w in row.match.split("|") if w.strip()]
                if not words:
                    continue
                pattern = re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
        except re.error as exc:
            TagHighlight.update(error_msg=f"Regexp error: {exc}"[:200]).where(TagHighlight.id == row.id).execute()
            continue
        news = list(Noticia.select().where(_published(), Noticia.tags_index.contains(f",{row.tag_id},"))
                    .order_by(Noticia.display_created_time.desc()).limit(HIGHLIGHT_NEWS))
        config.append({"tag_id": row.tag_id, "title": row.tag.title, "pattern": pattern, "news": news})
    _highlights.update(at=time.monotonic(), value=config)
    return config


def _join_titles(titles: list[str]) -> str:
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " e " + titles[-1]


def _wrap(pattern: re.Pattern, html_text: str) -> str:
    # Only text between tags is highlighted: a match inside "<br/>" or an href must stay untouched.
    parts = re.split(r"(<[^>]*>)", html_text)
    return "".join(p if p.startswith("<") else pattern.sub(lambda m: HIGHLIGHT_SPAN.format(m.group(0)), p)
                   for p in parts)


def highlight(viewer_id: int, items: list[dict], tags_index: dict[str, str]) -> list[dict]:
    """Colour highlighted words in posts and follow each such post with related news (§7.6). ``tags_index``
    maps post ids to their stored index, rewritten when the matched tags differ."""
    config = _highlight_config()
    if not config:
        return items
    out = []
    for item in items:
        out.append(item)
        if item.get("type") != "tweet" or item["id"] not in tags_index:
            continue
        matched = [rule for rule in config if rule["pattern"].search(re.sub(r"<[^>]*>", " ", item["content"]))]
        if not matched:
            continue
        for rule in matched:
            item["content"] = _wrap(rule["pattern"], item["content"])
        index = "," + ",".join(str(i) for i in sorted({r["tag_id"] for r in matched})) + ","
        if tags_index[item["id"]] != index:
            Tweet.update(tags_index=index).where(Tweet.id == item["id"]).execute()
        titles = list(dict.fromkeys(r["title"] for r in matched))
        related = [random.choice(r["news"]) for r in matched if r["news"]]
        if related:
            out.append({"type": "related_news", "header": _join_titles(titles),
                        "news": [{"href": tracked_url(viewer_id, n), "title": n.title, "source": n.fonte or ""}
                                 for n in related]})
    return out


# ---------------------------------------------------------------------------------------------------- operator

def list_news(limit: int = 50, hidden: bool = False) -> list[dict]:
    query = Noticia.select().order_by(Noticia.display_created_time.desc(), Noticia.id.desc()).limit(limit)
    if not hidden:
        query = query.where(_published())
    return [{"id": n.id, "title": n.title, "fonte": n.fonte, "published": n.published, "url": n.hyperlink,
             "date": n.display_created_time.isoformat(), "tags_index": n.tags_index} for n in query]


def hide_news(news_id: int) -> None:
    if not Noticia.update(published="hidden").where(Noticia.id == news_id).execute():
        raise PenhasError("not_found", f"Notícia {news_id} não existe.", 404)
    audit("news.hide", "noticia", news_id)
    from penhas_api.core.services.rss import rebuild_showcase

    rebuild_showcase()
    reset_highlights()


def showcase() -> list[dict]:
    return [{"order": v.order, "title": (v.meta or {}).get("title"), "news": v.noticias}
            for v in Vitrine.select().where(Vitrine.status == "prod").order_by(Vitrine.order)]


def set_topic(tag_id: int, order: int | None, topic: bool = True) -> None:
    """Make a tag a showcase topic (or not) at a position; the showcase is rebuilt."""
    tag = Tag.get_or_none(Tag.id == tag_id)
    if tag is None:
        raise PenhasError("not_found", f"Tag {tag_id} não existe.", 404)
    changes = {"is_topic": topic}
    if order is not None:
        changes["topic_order"] = order
    Tag.update(**changes).where(Tag.id == tag_id).execute()
    # has_topic_tags follows the tag's new role.
    topics = {t.id for t in Tag.select(Tag.id).where(Tag.is_topic == True)}  # noqa: E712
    for news in Noticia.select(Noticia.id, Noticia.tags_index).where(Noticia.tags_index.contains(f",{tag_id},")):
        ids = {int(i) for i in news.tags_index.strip(",").split(",") if i}
        Noticia.update(has_topic_tags=bool(ids & topics)).where(Noticia.id == news.id).execute()
    audit("news.topic", "tag", tag_id, topic=topic, order=order)
    from penhas_api.core.services.rss import rebuild_showcase

    rebuild_showcase()


def list_tags() -> list[dict]:
    return [{"id": t.id, "title": t.title, "status": t.status, "is_topic": int(bool(t.is_topic)),
             "topic_order": int(t.topic_order), "show_on_filters": int(bool(t.show_on_filters))}
            for t in Tag.select().order_by(Tag.title)]


def add_tag(title: str, show_on_filters: bool = False, topic: bool = False, order: int = 0) -> Tag:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise PenhasError("invalid_title", "O título da tag deve ter de 1 a 200 caracteres.")
    tag = Tag.create(title=title, show_on_filters=show_on_filters, is_topic=topic, topic_order=order,
                     created_at=clock.now())
    audit("news.tag_add", "tag", tag.id, topic=topic, show_on_filters=show_on_filters)
    return tag
