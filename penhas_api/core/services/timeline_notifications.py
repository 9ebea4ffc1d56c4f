"""In-app notifications caused by the timeline (backend-rules §10 ``new_notification``): likes, comments and the
Círculo PenhaS local posts. Run by a queued task (tasks/timeline.py) after the action committed.

Every recipient must have the matching preference on, and nobody is notified about someone she blocked. The
actor is named only when she acted openly: ``subject_id`` is 0 for anonymous posts and likes.
"""
import html
import logging
import re

from penhas_api.core import clock, queue
from penhas_api.core.models import (
    Badge, Cliente, ClientePreference, ClienteTag, Preference, TimelineBlock, Tweet,
)
from penhas_api.core.services.notifications import SUBJECT_ANONYMOUS, notify_users
from penhas_api.core.settings import get_settings

TASK_NAME = "timeline.new_notification"
log = logging.getLogger(__name__)
ICON_LIKE = 3
ICON_COMMENT = 5
SNIPPET = 100


def _snippet(tweet: Tweet) -> str:
    text = tweet.content
    if tweet.disable_escape:
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


def with_preference(cliente_ids, name: str) -> set[int]:
    """Those of ``cliente_ids`` whose preference ``name`` is on (her own value, else the default)."""
    ids = {int(i) for i in cliente_ids}
    pref = Preference.get_or_none(Preference.name == name)
    if not ids or pref is None:
        return set()
    own = {row.cliente_id: row.value for row in ClientePreference.select(ClientePreference.cliente,
                                                                         ClientePreference.value)
           .where(ClientePreference.preference == pref, ClientePreference.cliente.in_(list(ids)))}
    return {i for i in ids if own.get(i, pref.initial_value) not in (None, "", "0")}


def _not_blocking(recipients: set[int], actor_id: int) -> set[int]:
    if not recipients:
        return recipients
    blockers = {row.cliente_id for row in TimelineBlock.select(TimelineBlock.cliente)
                .where(TimelineBlock.blocked == actor_id, TimelineBlock.cliente.in_(list(recipients)))}
    return recipients - blockers


def _subject(tweet_or_anonymous: bool, actor_id: int) -> int:
    return SUBJECT_ANONYMOUS if tweet_or_anonymous else actor_id


def _root(tweet: Tweet) -> Tweet | None:
    while tweet is not None and tweet.parent_id:
        tweet = Tweet.get_or_none(Tweet.id == tweet.parent_id)
    return tweet


def new_like(tweet_id: str, liker_id: int, anonymous: bool) -> int:
    """The author of a liked post or comment; returns how many were notified."""
    tweet = Tweet.get_or_none(Tweet.id == tweet_id, Tweet.status == "published")
    if tweet is None or tweet.cliente_id == liker_id:
        return 0
    pref = "NOTIFY_LIKES_POSTS_COMMENTED" if tweet.parent_id else "NOTIFY_LIKES_POSTS_CREATED"
    title = "curtiu seu comentário" if tweet.parent_id else "curtiu sua publicação"
    recipients = _not_blocking(with_preference([tweet.cliente_id], pref), liker_id)
    if not recipients:
        return 0
    notify_users(recipients, title, _snippet(tweet), meta={"tweet_id": tweet.id, "admin_mode": 0},
                 subject_id=_subject(anonymous, liker_id), icon=ICON_LIKE)
    return len(recipients)


def new_comment(comment_id: str) -> int:
    """The authors of the replied post, of the thread's root and of the other replies to the same post."""
    comment = Tweet.get_or_none(Tweet.id == comment_id, Tweet.status == "published")
    if comment is None or not comment.original_parent_id:
        return 0
    replied = Tweet.get_or_none(Tweet.id == comment.original_parent_id, Tweet.status == "published")
    root = _root(replied)
    if replied is None or root is None or root.status != "published":
        return 0
    siblings = {row.cliente_id for row in Tweet.select(Tweet.cliente)
                .where(Tweet.parent == replied.id, Tweet.status == "published")}
    candidates = (siblings | {root.cliente_id, replied.cliente_id}) - {comment.cliente_id}
    candidates = _not_blocking(candidates, comment.cliente_id)
    content = f"❝{_snippet(comment)}❞ na publicação ❝{_snippet(replied)}❞"
    meta = {"tweet_id": replied.id, "comment_id": comment.id, "admin_mode": 0}
    subject = _subject(comment.anonimo, comment.cliente_id)
    notified = 0
    groups = (({root.cliente_id} & candidates, "comentou na sua publicação", "NOTIFY_COMMENTS_POSTS_CREATED"),
              (candidates - {root.cliente_id}, "comentou na publicação que você participou",
               "NOTIFY_COMMENTS_POSTS_COMMENTED"))
    for group, title, pref in groups:
        recipients = with_preference(group, pref)
        if recipients:
            notify_users(recipients, title, content, meta=meta, subject_id=subject, icon=ICON_COMMENT)
            notified += len(recipients)
    return notified


def new_local_post(tweet_id: str) -> int:
    """Círculo PenhaS (§7.1): a top-level open post by a woman with a city reaches (1) the women of her city when
    she holds a badge of that city, and (2) the holders of a badge of her city."""
    tweet = Tweet.get_or_none(Tweet.id == tweet_id, Tweet.status == "published", Tweet.parent.is_null())
    if tweet is None or tweet.anonimo:
        return 0
    poster = Cliente.get_by_id(tweet.cliente_id)
    city = poster.cep_cidade
    if not city or poster.modo_anonimo_ativo:
        return 0
    now = clock.now()
    meta = {"tweet_id": tweet.id, "admin_mode": 0}
    notified: set[int] = set()
    holds_city_badge = (ClienteTag.select().join(Badge)
                        .where(ClienteTag.cliente == poster.id, ClienteTag.valid_until > now,
                               Badge.linked_cep_cidade == city).exists())
    if holds_city_badge:
        neighbours = {row.id for row in Cliente.select(Cliente.id)
                      .where(Cliente.cep_cidade == city, Cliente.status == "active", Cliente.id != poster.id)}
        recipients = _not_blocking(with_preference(neighbours, "NOTIFY_POST_FROM_BADGE_HOLDER_IN_MY_CITY"),
                                   poster.id)
        if recipients:
            notify_users(recipients, "Voluntária de sua região fez uma nova publicação", _snippet(tweet), meta=meta,
                         subject_id=poster.id, icon=ICON_COMMENT)
            notified |= recipients
    holders = {row.cliente_id for row in ClienteTag.select(ClienteTag.cliente).join(Badge)
               .where(ClienteTag.valid_until > now, Badge.linked_cep_cidade == city)} - {poster.id} - notified
    recipients = _not_blocking(with_preference(holders, "NOTIFY_POST_FROM_BADGE_HOLDER_FOR_LINKED_CITY"), poster.id)
    if recipients:
        notify_users(recipients, "Usuária de sua região fez uma nova publicação", _snippet(tweet), meta=meta,
                     subject_id=poster.id, icon=ICON_COMMENT)
        notified |= recipients
    return len(notified)


KINDS = {"new_like": new_like, "new_comment": new_comment, "new_local_post": new_local_post}


def enqueue(kind: str, *args) -> None:
    """Queue a notification once the action committed; a queue outage must not fail her post or like."""
    if not get_settings().notifications_enabled:
        return
    try:
        queue.enqueue(TASK_NAME, kind, *args)
    except Exception as exc:  # noqa: BLE001
        log.warning("timeline notification %s not queued: %s", kind, type(exc).__name__)


def dispatch(kind: str, *args) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown timeline notification {kind!r}")
    return KINDS[kind](*args)
