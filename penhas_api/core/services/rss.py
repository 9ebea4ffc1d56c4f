"""RSS/Atom ingestion (backend-rules §10.2 ``tick_rss_feeds``): feeds the operator added become news.

Each fetch is bounded (time, size), conditional (ETag / Last-Modified), and a failing feed backs off
exponentially with its last error recorded for ``penhas feeds show``. News are de-duplicated by link, tagged by
the feed's forced tags and the ``tag_indexing_config`` rules, published, and the showcase is rebuilt.
"""
import calendar
import logging
import re
from datetime import datetime, timedelta

import feedparser

from penhas_api.core import clock
from penhas_api.core.adapters.web_fetch import FetchError, fetch
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import Noticia, RssFeed, RssFeedTag, Tag, TagIndexingConfig, Vitrine
from penhas_api.core.settings import get_settings

log = logging.getLogger(__name__)
INTERVAL = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=24)
NEWS_PER_GROUP = 3
RULE_FIELDS = ("page_title", "url", "rss_feed_tags", "rss_feed_content")


# --------------------------------------------------------------------------------------------------- operator

def add_feed(url: str, tag_ids: list[int] | None = None, fonte: str | None = None,
             autocapitalize: bool = False) -> RssFeed:
    if not re.match(r"^https?://[^\s/]+", url or ""):
        raise PenhasError("invalid_url", "A URL precisa começar com http:// ou https://")
    if RssFeed.select().where(RssFeed.url == url).exists():
        raise PenhasError("duplicate", "Este feed já está cadastrado.")
    tags = list(Tag.select().where(Tag.id.in_(tag_ids or [])))
    if len(tags) != len(set(tag_ids or [])):
        raise PenhasError("tag_not_found", "Tag não encontrada.")
    with database.atomic():
        feed = RssFeed.create(url=url, fonte=fonte or re.sub(r"^https?://(www\.)?", "", url).split("/")[0],
                              autocapitalize=autocapitalize, created_at=clock.now(), status="active")
        for tag in tags:
            RssFeedTag.create(feed=feed, tag=tag)
        audit("feeds.add", "rss_feed", feed.id, url=url, tags=[t.id for t in tags])
    return feed


def get_feed(feed_id: int) -> RssFeed:
    feed = RssFeed.get_or_none(RssFeed.id == feed_id)
    if feed is None:
        raise PenhasError("not_found", f"Feed {feed_id} não existe.", 404)
    return feed


def list_feeds() -> list[dict]:
    counts = _news_counts()
    return [feed_dict(f, counts.get(f.id, 0)) for f in RssFeed.select().order_by(RssFeed.id)]


def _news_counts() -> dict[int, int]:
    from peewee import fn

    return {row.feed_id: row.n for row in
            Noticia.select(Noticia.feed, fn.COUNT(Noticia.id).alias("n")).group_by(Noticia.feed)}


def feed_dict(feed: RssFeed, news: int | None = None) -> dict:
    tags = [t.tag_id for t in RssFeedTag.select(RssFeedTag.tag).where(RssFeedTag.feed == feed.id)]
    return {"id": feed.id, "url": feed.url, "fonte": feed.fonte, "status": feed.status, "tags": tags,
            "last_run": feed.last_run.isoformat() if feed.last_run else None,
            "next_tick": feed.next_tick.isoformat() if feed.next_tick else None,
            "failures": int(feed.failures), "last_error": feed.last_error_message,
            "news": news if news is not None else Noticia.select().where(Noticia.feed == feed.id).count()}


def disable_feed(feed_id: int) -> RssFeed:
    feed = get_feed(feed_id)
    RssFeed.update(status="disabled").where(RssFeed.id == feed.id).execute()
    audit("feeds.disable", "rss_feed", feed.id)
    return get_feed(feed_id)


# ----------------------------------------------------------------------------------------------------- fetching

def due_feeds(now: datetime | None = None) -> list[RssFeed]:
    now = now or clock.now()
    return list(RssFeed.select().where(RssFeed.status == "active",
                                       RssFeed.next_tick.is_null() | (RssFeed.next_tick <= now))
                .order_by(RssFeed.id))


def due_feeds_all() -> list[RssFeed]:
    """Every active feed, due or not (an operator's `penhas feeds fetch`)."""
    return list(RssFeed.select().where(RssFeed.status == "active").order_by(RssFeed.id))


def tick_rss_feeds() -> dict:
    results = [fetch_feed(feed) for feed in due_feeds()]
    if any(r["new"] or r["updated"] for r in results):
        rebuild_showcase()
    return {"feeds": len(results), "new": sum(r["new"] for r in results),
            "errors": sum(1 for r in results if r["status"] == "error")}


def fetch_feed(feed: RssFeed) -> dict:
    """Fetch one feed now; never raises for the feed's own problems (they are recorded on the feed)."""
    settings = get_settings()
    now = clock.now()
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    result = {"id": feed.id, "url": feed.url, "status": "ok", "new": 0, "updated": 0, "error": None}
    try:
        # Operators add feeds, so private addresses are allowed (an intranet feed is legitimate).
        response = fetch(feed.url, max_bytes=settings.rss_max_bytes, timeout=settings.rss_timeout,
                         headers=headers, public_only=False)
        if response.status == 304:
            result["status"] = "not_modified"
        elif response.status != 200:
            raise FetchError(f"HTTP {response.status}")
        else:
            parsed = feedparser.parse(response.body)
            if parsed.bozo and not parsed.entries:
                raise FetchError(f"not a valid feed ({type(parsed.bozo_exception).__name__})")
            result["new"], result["updated"] = _store_entries(feed, parsed.entries)
        RssFeed.update(last_run=now, next_tick=now + INTERVAL, failures=0, last_error_message=None,
                       etag=response.headers.get("ETag") or feed.etag,
                       last_modified=response.headers.get("Last-Modified") or feed.last_modified
                       ).where(RssFeed.id == feed.id).execute()
    except FetchError as exc:
        failures = int(feed.failures) + 1
        backoff = min(INTERVAL * (2 ** failures), MAX_BACKOFF)
        RssFeed.update(last_run=now, next_tick=now + backoff, failures=failures,
                       last_error_message=str(exc)[:500]).where(RssFeed.id == feed.id).execute()
        result.update(status="error", error=str(exc))
        log.info("rss feed %s failed: %s", feed.id, exc)
    return result


def _autocapitalize(title: str) -> str:
    return " ".join(w[:1].upper() + w[1:] if len(w) > 3 else w.lower() for w in title.split(" "))


def _image(entry) -> str | None:
    for key in ("media_content", "media_thumbnail"):
        for item in entry.get(key) or []:
            if item.get("url"):
                return item["url"]
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/") and link.get("href"):
            return link["href"]
    return None


def _published(entry, now: datetime) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    when = datetime.utcfromtimestamp(calendar.timegm(parsed))
    return min(when, now)  # a feed dating news in the future must not pin them on top


def _store_entries(feed: RssFeed, entries) -> tuple[int, int]:
    now = clock.now()
    rows = []
    for entry in entries:
        link = (entry.get("link") or "").strip()
        title = re.sub(r"\s+", " ", entry.get("title") or "").strip()
        if not re.match(r"^https?://", link) or not title or len(link) > 2000:
            continue
        rows.append({"link": link, "title": _autocapitalize(title) if feed.autocapitalize else title[:2000],
                     "description": entry.get("summary"), "author": (entry.get("author") or "")[:200] or None,
                     "image": _image(entry), "date": _published(entry, now),
                     "rss_tags": " ".join(t.get("term", "") for t in entry.get("tags") or []), "entry": entry})
    if not rows:
        return 0, 0
    existing = {n.hyperlink: n for n in Noticia.select().where(Noticia.hyperlink.in_([r["link"] for r in rows]))}
    forced = [t.tag_id for t in RssFeedTag.select(RssFeedTag.tag).where(RssFeedTag.feed == feed.id)]
    rules = active_rules()
    topics = {t.id for t in Tag.select(Tag.id).where(Tag.is_topic == True)}  # noqa: E712
    new = updated = 0
    seen = set()
    with database.atomic():
        for row in rows:
            if row["link"] in seen:
                continue
            seen.add(row["link"])
            old = existing.get(row["link"])
            if old is not None:
                if old.feed_id == feed.id and old.title != row["title"]:
                    Noticia.update(title=row["title"]).where(Noticia.id == old.id).execute()
                    updated += 1
                continue
            tag_ids = sorted(set(forced) | tags_for(rules, row))
            Noticia.create(title=row["title"], description=row["description"], created_at=now,
                           display_created_time=row["date"], hyperlink=row["link"], feed=feed.id,
                           author=row["author"], fonte=feed.fonte, published="published",
                           image_hyperlink=row["image"][:2000] if row["image"] else None,
                           tags_index="," + ",".join(map(str, tag_ids)) + "," if tag_ids else ",,",
                           has_topic_tags=bool(topics & set(tag_ids)))
            new += 1
    return new, updated


# ------------------------------------------------------------------------------------------------------ tagging

def _compile(rule: TagIndexingConfig, value: str | None):
    if not value:
        return None
    if rule.regexp:
        return re.compile(value, re.IGNORECASE)
    words = [re.escape(w.strip()) for w in value.split("|") if w.strip()]
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE) if words else None


def active_rules() -> list[tuple[int, dict]]:
    """The valid rules, compiled; a rule whose expression does not compile records the error and is skipped."""
    out = []
    for rule in TagIndexingConfig.select().where(TagIndexingConfig.status == "prod"):
        try:
            compiled = {f"{name}{suffix}": _compile(rule, getattr(rule, f"{name}{suffix}"))
                        for name in RULE_FIELDS for suffix in ("_match", "_not_match")}
        except re.error as exc:
            TagIndexingConfig.update(error_msg=f"Regexp error: {exc}"[:500]).where(
                TagIndexingConfig.id == rule.id).execute()
            continue
        if rule.error_msg:
            TagIndexingConfig.update(error_msg="").where(TagIndexingConfig.id == rule.id).execute()
        if any(compiled[f"{name}_match"] for name in RULE_FIELDS):
            out.append((rule.tag_id, compiled))
    return out


def tags_for(rules, row: dict) -> set[int]:
    texts = {"page_title": row["title"], "url": row["link"], "rss_feed_tags": row["rss_tags"],
             "rss_feed_content": re.sub(r"<[^>]*>", " ", row["description"] or "")}
    out = set()
    for tag_id, compiled in rules:
        ok = True
        for name in RULE_FIELDS:
            must, must_not = compiled[f"{name}_match"], compiled[f"{name}_not_match"]
            if (must and not must.search(texts[name])) or (must_not and must_not.search(texts[name])):
                ok = False
                break
        if ok:
            out.add(tag_id)
    return out


# ------------------------------------------------------------------------------------------------------ showcase

def rebuild_showcase() -> int:
    """Topics (tags marked as topics, by topic_order then title) take turns filling groups of three of their
    newest published news; the groups replace the showcase in one transaction. Returns the number of groups."""
    topics = list(Tag.select().where(Tag.status == "prod", Tag.is_topic == True)  # noqa: E712
                  .order_by(Tag.topic_order, Tag.title))
    queues = {}
    for tag in topics:
        news = (Noticia.select(Noticia.id).where(Noticia.published == "published",
                                                 Noticia.tags_index.contains(f",{tag.id},"))
                .order_by(Noticia.display_created_time.desc(), Noticia.id.desc()).limit(NEWS_PER_GROUP * 10))
        queues[tag.id] = [n.id for n in news]
    groups, used = [], set()
    while any(queues.values()):
        for tag in topics:
            batch = []
            while queues[tag.id] and len(batch) < NEWS_PER_GROUP:
                nid = queues[tag.id].pop(0)
                if nid not in used:
                    used.add(nid)
                    batch.append(nid)
            if batch:
                groups.append((tag, batch))
    now = clock.now()
    with database.atomic():
        Vitrine.delete().where(Vitrine.status == "prod").execute()
        for order, (tag, ids) in enumerate(groups):
            Vitrine.create(status="prod", noticias=ids, order=order, created_at=now,
                           meta={"title": tag.title, "tags_id": f",{tag.id},"})
    return len(groups)
