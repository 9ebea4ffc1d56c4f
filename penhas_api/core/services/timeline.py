"""The community timeline: posts, comments, likes, reports and the listing of GET /timeline (backend-rules §7).

Privacy rules that hold in every response: an anonymous post (posted in anonymous mode, or by a woman who is
anonymous now) shows no name, id, avatar or badge of its author to anyone but an admin; the author's own text is
shown to her unmasked, everyone else sees personal data masked (``tweet_content``); posts of authors she blocked
disappear from her lists (anonymous ones stay, hiding them would tell her who wrote them).

A page costs a constant number of queries whatever its size: authors come joined, last replies, likes and badges
in one batch each.
"""
import functools
import re

import peewee as pw

from penhas_api.core import clock, cursors
from penhas_api.core.adapters.mail import send_mail
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError, form_error, item_not_found
from penhas_api.core.models import (
    Cliente, ClientePreference, Preference, Tag, Tweet, TweetLike, TweetReport,
)
from penhas_api.core.services import news, people, timeline_notifications
from penhas_api.core.services.tweet_content import render_content
from penhas_api.core.services.tweet_ids import next_tweet_id
from penhas_api.core.settings import get_settings

PAGE_PURPOSE = "next_page"
ZERO_ID = "000000T0000000000"
CATEGORIES = ("all", "only_news", "only_tweets", "all_myself", "all_but_news")
REPORT_RECEIVED = "Sua denúncia foi recebida com sucesso."
LEGACY_APP = re.compile(r"(Android|iOS) [^/]*/[^/]*/(\d+)\.(\d+)\.(\d+)")
CURRENT_APP = (3, 6, 0)


def _public_url() -> str:
    return get_settings().public_url


def _avatar(user: Cliente) -> str:
    return user.avatar_url or f"{_public_url()}/avatar/padrao.svg"


def is_anonymous(tweet: Tweet) -> bool:
    return bool(tweet.anonimo or tweet.cliente.modo_anonimo_ativo)


# ---------------------------------------------------------------------------------------------------- visibility

def _visible(viewer: Cliente, query, blocked: set[int] | None = None):
    """Published posts of active authors that she may see: not hidden (unless hers or she is an admin), not by
    someone she blocked (unless shown anonymously). ``blocked``: her block list, when the caller has it."""
    query = query.where(Tweet.status == "published", Cliente.status == "active")
    blocked = people.timeline_blocked_ids(viewer.id) if blocked is None else blocked
    if blocked:
        # Her block list as literal ids, not a subquery: PostgreSQL then costs the page's LIMIT scan as the cheap
        # backward index walk it is, instead of planning a parallel scan that takes 100 times longer to start.
        query = query.where((Tweet.anonimo == True) | (Cliente.modo_anonimo_ativo == True)  # noqa: E712
                            | Tweet.cliente.not_in(sorted(blocked)))
    if not viewer.eh_admin:
        query = query.where((Tweet.escondido == False) | (Tweet.cliente == viewer.id))  # noqa: E712
    return query


def _select():
    return Tweet.select(Tweet, Cliente).join(Cliente, on=(Tweet.cliente == Cliente.id))


def load_visible(viewer: Cliente, tweet_id: str) -> Tweet:
    """The post ``/timeline/:id/*`` acts on, or the contract's 404."""
    tweet = _visible(viewer, _select().where(Tweet.id == tweet_id)).first()
    if tweet is None:
        raise item_not_found()
    return tweet


# ---------------------------------------------------------------------------------------------------- rendering

def _penhas_avatar() -> str:
    return f"{_public_url()}/avatar/penhas.svg"


def _tweet_json(tweet: Tweet, viewer: Cliente, liked: set[str], badges: dict[int, list[dict]]) -> dict:
    author = tweet.cliente
    if tweet.use_penhas_avatar:
        name, icon, cliente_id, anonimo, shown_badges = "Admin PenhaS", _penhas_avatar(), 0, 1, []
    elif is_anonymous(tweet):
        if viewer.eh_admin:
            name, cliente_id, anonimo = f"{author.apelido} (Anônimo) ID {author.id}", author.id, 0
        else:
            name, cliente_id, anonimo = "Anônimo", 0, 1
        icon, shown_badges = f"{_public_url()}/avatar/anonimo.svg", []
    else:
        name, icon, cliente_id, anonimo = author.apelido, _avatar(author), author.id, 0
        shown_badges = badges.get(author.id, [])
    return {
        "type": "tweet",
        "id": tweet.id,
        "content": render_content(tweet.content, trusted_html=tweet.disable_escape,
                                  mask=viewer.id != tweet.cliente_id, linkify=tweet.use_penhas_avatar),
        "anonimo": anonimo,
        "qtde_likes": int(tweet.qtde_likes),
        "qtde_comentarios": int(tweet.qtde_comentarios),
        "media": [],
        "icon": icon,
        "name": name,
        "created_at": tweet.created_at.strftime("%Y-%m-%dT%H:%M:%S"),
        "cliente_id": cliente_id,
        "badges": shown_badges,
        "meta": {
            "owner": 1 if viewer.id == tweet.cliente_id else 0,
            "can_reply": 1 if 1 <= tweet.tweet_depth < 3 else 0,
            "parent_id": tweet.parent_id,
            "liked": 1 if tweet.id in liked else 0,
        },
    }


def _liked(viewer: Cliente, tweet_ids) -> set[str]:
    ids = list(tweet_ids)
    if not ids:
        return set()
    return {row.tweet_id for row in TweetLike.select(TweetLike.tweet)
            .where(TweetLike.cliente == viewer.id, TweetLike.tweet.in_(ids))}


def _badges(viewer: Cliente, tweets) -> dict[int, list[dict]]:
    authors = {t.cliente_id: t.cliente for t in tweets if not t.use_penhas_avatar and not is_anonymous(t)}
    return people.badges_for(authors.keys(), viewer, context="tweet", users=authors)


def render_tweets(viewer: Cliente, tweets: list[Tweet], last_replies: dict[str, Tweet] | None = None) -> list[dict]:
    """The tweet objects of a page (authors must be joined); ``last_replies`` by parent id."""
    last_replies = last_replies or {}
    everything = list(tweets) + list(last_replies.values())
    liked = _liked(viewer, {t.id for t in everything})
    badges = _badges(viewer, everything)
    out = []
    for tweet in tweets:
        item = _tweet_json(tweet, viewer, liked, badges)
        reply = last_replies.get(tweet.id)
        item["last_reply"] = _tweet_json(reply, viewer, liked, badges) if reply is not None else None
        out.append(item)
    return out


def render_one(viewer: Cliente, tweet_id: str) -> dict:
    return render_tweets(viewer, [_select().where(Tweet.id == tweet_id).get()])[0]


# ------------------------------------------------------------------------------------------------------- writing

def posts_as_penhas(user: Cliente) -> bool:
    """Admins post as "PenhaS" while their POST_AS_PENHAS preference is on (§7.1)."""
    if not user.eh_admin:
        return False
    pref = Preference.get_or_none(Preference.name == "POST_AS_PENHAS")
    if pref is None:
        return False
    own = ClientePreference.get_or_none(ClientePreference.cliente == user.id, ClientePreference.preference == pref)
    return (own.value if own else pref.initial_value) not in (None, "", "0")


def create_tweet(user: Cliente, content: str, reply_to: str | None = None) -> Tweet:
    """A post, or a comment on ``reply_to``; returns the stored row (author joined)."""
    parent = load_visible(user, reply_to) if reply_to else None
    values = dict(status="published", content=content, anonimo=bool(user.modo_anonimo_ativo),
                  cliente=user.id, created_at=clock.now(), use_penhas_avatar=posts_as_penhas(user),
                  tweet_depth=parent.tweet_depth + 1 if parent else 1,
                  parent=parent.id if parent else None, original_parent_id=parent.id if parent else None)
    for attempt in range(3):
        tweet_id = next_tweet_id()
        try:
            with database.atomic():
                Tweet.insert(id=tweet_id, **values).execute()
                if parent is not None:
                    newest = pw.Case(None, [((Tweet.ultimo_comentario_id.is_null()
                                              | (Tweet.ultimo_comentario_id < tweet_id)), tweet_id)],
                                     Tweet.ultimo_comentario_id)
                    (Tweet.update(qtde_comentarios=Tweet.qtde_comentarios + 1, ultimo_comentario_id=newest)
                     .where(Tweet.id == parent.id).execute())
            break
        except pw.IntegrityError:
            # Only an id taken by another process (a Redis outage switched sources mid-second) gets here.
            if attempt == 2:
                raise
    tweet = _select().where(Tweet.id == tweet_id).get()
    if parent is not None:
        timeline_notifications.enqueue("new_comment", tweet.id)
    elif not tweet.anonimo and user.cep_cidade:
        timeline_notifications.enqueue("new_local_post", tweet.id)
    return tweet


def delete_tweet(user: Cliente, tweet_id: str) -> None:
    tweet = Tweet.get_or_none(Tweet.id == tweet_id, Tweet.cliente == user.id, Tweet.status == "published")
    if tweet is None:
        raise PenhasError("tweet_not_found", "Não foi possível encontrar a postagem.")
    with database.atomic():
        Tweet.update(status="deleted").where(Tweet.id == tweet.id).execute()
        if tweet.parent_id:
            recount_replies(tweet.parent_id)


def recount_replies(parent_id: str) -> None:
    children = Tweet.select().where(Tweet.parent == parent_id, Tweet.status == "published")
    newest = children.select(pw.fn.MAX(Tweet.id)).scalar()
    Tweet.update(qtde_comentarios=children.count(), ultimo_comentario_id=newest).where(Tweet.id == parent_id).execute()


def like(user: Cliente, tweet_id: str, remove: bool = False) -> bool:
    """Idempotent; True when a like was added (and its notification is due)."""
    tweet = load_visible(user, tweet_id)
    if remove:
        with database.atomic():
            if TweetLike.delete().where(TweetLike.cliente == user.id, TweetLike.tweet == tweet.id).execute():
                Tweet.update(qtde_likes=Tweet.qtde_likes - 1).where(Tweet.id == tweet.id).execute()
        return False
    try:
        with database.atomic():
            # The unique (cliente_id, tweet_id) index turns a concurrent double like into one.
            TweetLike.create(cliente=user.id, tweet=tweet.id, created_on=clock.now())
            Tweet.update(qtde_likes=Tweet.qtde_likes + 1).where(Tweet.id == tweet.id).execute()
    except pw.IntegrityError:
        return False
    timeline_notifications.enqueue("new_like", tweet.id, user.id, bool(user.modo_anonimo_ativo))
    return True


def report(user: Cliente, tweet_id: str, reason: str) -> dict:
    tweet = load_visible(user, tweet_id)
    with database.atomic():
        TweetReport.create(cliente=user.id, tweet=tweet.id, reason=reason, created_at=clock.now())
        Tweet.update(qtde_reportado=Tweet.qtde_reportado + 1).where(Tweet.id == tweet.id).execute()
    to = get_settings().report_email
    if to:
        count = int(tweet.qtde_reportado) + 1
        # The staff learns what was reported and why; never who reported it.
        send_mail(to, f"PenhaS - Tweet reportado - Qtde reports {count}",
                  f"Publicação {tweet.id} (denúncias: {count})\n\n{tweet.content}\n\nMotivo: {reason}\n\n"
                  f"Moderação: penhas timeline show {tweet.id}")
    return {"message": REPORT_RECEIVED}


# ------------------------------------------------------------------------------------------------------- listing

def _legacy_banner(user_agent: str | None) -> dict | None:
    match = LEGACY_APP.search(user_agent or "")
    if not match or tuple(int(x) for x in match.groups()[1:]) >= CURRENT_APP:
        return None
    settings = get_settings()
    store = settings.ios_store_url if match.group(1) == "iOS" else settings.android_store_url
    return {
        "type": "tweet", "id": "990101T0101010001", "anonimo": 0, "qtde_likes": 0, "qtde_comentarios": 0,
        "media": [], "icon": _penhas_avatar(), "name": "Atualização está disponível!",
        "created_at": "2099-01-01T01:01:01", "cliente_id": 0, "badges": [],
        "content": f'Uma nova versão do PenhaS está disponível. <a href="{store}" target="_blank">Atualize o '
                   f'aplicativo</a> para continuar recebendo as novidades.',
        "meta": {"owner": 0, "can_reply": 0, "parent_id": None, "liked": 0},
    }


def _read_page_token(viewer: Cliente, token: str) -> dict:
    payload = cursors.read(PAGE_PURPOSE, token, field="next_page", owner=viewer.id)
    if not isinstance(payload.get("before"), str) or not isinstance(payload.get("tags"), list):
        raise form_error("next_page", "invalid", "next_page")
    return payload


def list_timeline(viewer: Cliente, modules: list[str], *, rows: int | None = None, after: str | None = None,
                  before: str | None = None, parent_id: str | None = None, tweet_id: str | None = None,
                  tags: list[int] | None = None, category: str | None = None, next_page: str | None = None,
                  user_agent: str | None = None) -> dict:
    if rows is None or not 1 <= rows <= 100:
        rows = 10
    category = category or "all"
    token = None
    if next_page:
        for name, value in (("parent_id", parent_id), ("after", after), ("before", before), ("id", tweet_id)):
            if value:
                raise form_error(name, "invalid", f"uso do {name} com next_page é vedado")
        token = _read_page_token(viewer, next_page)
        if tags is not None and sorted(tags) != sorted(token["tags"]):
            raise form_error("tags", "invalid", "não pode trocar de tags durante uso do next_page")
        tags = token["tags"] or None
        before = token["before"]
    has_tweets = "tweets" in modules
    if category in ("only_tweets", "all_myself") and not has_tweets:
        raise form_error("category", "invalid", "sua conta não tem permissão para utilizar esse filtro.")
    shown_category = category
    if category == "all" and not has_tweets:
        category = "all_but_news"

    tweets: list[Tweet] = []
    has_more = False
    last_replies: dict[str, Tweet] = {}
    parent_json = None
    if category not in ("only_news", "all_but_news"):
        blocked = people.timeline_blocked_ids(viewer.id)
        query = _visible(viewer, _select(), blocked)
        if tweet_id:
            query = query.where(Tweet.id == tweet_id)
        if after:
            query = query.where(Tweet.id > after)
        if before:
            query = query.where(Tweet.id < before)
        if tags:
            query = query.where(functools.reduce(lambda a, b: a | b,
                                          [Tweet.tags_index.contains(f",{t},") for t in tags]))
        if parent_id:
            query = query.where(Tweet.parent == parent_id)
        elif not tweet_id and category != "all_myself":
            query = query.where(Tweet.parent.is_null())
        if category == "all_myself":
            query = query.where(Tweet.cliente == viewer.id)
        query = query.order_by(Tweet.id.asc() if after else Tweet.id.desc())
        tweets = list(query.limit(rows + 1))
        has_more = len(tweets) > rows
        tweets = tweets[:rows]
        if not parent_id:
            reply_ids = [t.ultimo_comentario_id for t in tweets if t.parent_id is None and t.ultimo_comentario_id]
            if reply_ids:
                found = {r.id: r for r in _visible(viewer, _select().where(Tweet.id.in_(reply_ids)), blocked)}
                last_replies = {t.id: found[t.ultimo_comentario_id] for t in tweets
                                if t.ultimo_comentario_id in found}
        else:
            parent = _visible(viewer, _select().where(Tweet.id == parent_id), blocked).first()
            if parent is not None:
                parent_json = render_tweets(viewer, [parent])[0]

    items = news.highlight(viewer.id, render_tweets(viewer, tweets, last_replies),
                           {t.id: t.tags_index for t in tweets})
    news_state = {"news_added": (token or {}).get("news_added") or [],
                  "vitrine_order": (token or {}).get("vitrine_order", -1)}
    if category in ("all", "only_news", "all_but_news") and not (parent_id or after or tweet_id):
        items, more_news, news_state = news.mix(viewer.id, items, len(tweets), tags=tags, category=category,
                                                state=news_state)
        has_more = has_more or more_news
    body = {"tweets": items, "has_more": 1 if has_more else 0,
            "order_by": "oldest_first" if after else "latest_first", "category": shown_category}
    if parent_json is not None:
        body["parent"] = parent_json
    if not (parent_id or after or tweet_id):
        last = tweets[-1].id if tweets else ZERO_ID
        body["next_page"] = cursors.issue(PAGE_PURPOSE, {"tags": tags or [], "before": last, **news_state},
                                          owner=viewer.id)
    first_page = not (next_page or before or after or parent_id or tweet_id)
    banner = _legacy_banner(user_agent) if first_page else None
    if banner:
        body["tweets"].insert(0, banner)
    return body


def filter_tags(modules: list[str]) -> dict:
    categories = [{"default": 1, "value": "all", "label": "Tudo"}]
    if "noticias" in modules:
        categories.append({"default": 0, "value": "only_news", "label": "Apenas notícias"})
    if "tweets" in modules:
        categories += [{"default": 0, "value": "only_tweets", "label": "Apenas publicações"},
                       {"default": 0, "value": "all_myself", "label": "Minhas publicações e comentários"}]
    tags = [{"id": t.id, "title": t.title} for t in
            Tag.select().where(Tag.status == "prod", Tag.show_on_filters == True).order_by(Tag.title)]  # noqa: E712
    return {"tags": tags, "categories": categories}


# ------------------------------------------------------------------------------------------------------ deletion

def erase_timeline(cliente_id: int) -> None:
    """Her posts, comments, likes and reports go; the counters of other women's posts she touched are recounted
    (a cascade alone would leave them pointing at her deleted comment). Idempotent."""
    parents = {row.parent_id for row in Tweet.select(Tweet.parent)
               .where(Tweet.cliente == cliente_id, Tweet.parent.is_null(False))}
    liked = {row.tweet_id for row in TweetLike.select(TweetLike.tweet).where(TweetLike.cliente == cliente_id)}
    with database.atomic():
        TweetLike.delete().where(TweetLike.cliente == cliente_id).execute()
        TweetReport.delete().where(TweetReport.cliente == cliente_id).execute()
        Tweet.delete().where(Tweet.cliente == cliente_id).execute()
        for parent_id in parents:
            recount_replies(parent_id)
        for tweet_id in liked:
            count = TweetLike.select().where(TweetLike.tweet == tweet_id).count()
            Tweet.update(qtde_likes=count).where(Tweet.id == tweet_id).execute()
