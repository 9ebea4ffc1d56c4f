"""Moderation by the operator (backend-rules §7.9, §11 item 12): reported posts and profiles, hiding, unhiding and
deleting posts, and the admin flag. Every action is audited here; reports never close by themselves.

A report is open until an operator acts on its post (hide, unhide or delete resolve the post's open reports).
"""
from peewee import Case, fn

from penhas_api.core import clock
from penhas_api.core.audit import audit
from penhas_api.core.db import database
from penhas_api.core.errors import PenhasError
from penhas_api.core.models import Cliente, ProfileReport, Tweet, TweetReport
from penhas_api.core.services.timeline import recount_replies


def _tweet(tweet_id: str) -> Tweet:
    tweet = Tweet.get_or_none(Tweet.id == tweet_id)
    if tweet is None:
        raise PenhasError("tweet_not_found", f"Publicação {tweet_id} não existe.", 404)
    return tweet


def _post_dict(tweet: Tweet) -> dict:
    return {"id": tweet.id, "status": tweet.status, "escondido": int(bool(tweet.escondido)),
            "anonimo": int(bool(tweet.anonimo)), "cliente_id": tweet.cliente_id, "parent_id": tweet.parent_id,
            "created_at": tweet.created_at.isoformat(), "qtde_likes": int(tweet.qtde_likes),
            "qtde_comentarios": int(tweet.qtde_comentarios), "qtde_reportado": int(tweet.qtde_reportado),
            "content": tweet.content}


def tweet_reports(open_only: bool = False, limit: int = 100) -> list[dict]:
    """Reported posts, the most recently reported first, with their report counts."""
    last = fn.MAX(TweetReport.created_at).alias("last_report")
    query = (TweetReport.select(TweetReport.tweet, fn.COUNT(TweetReport.id).alias("reports"), last,
                                fn.SUM(Case(None, [(TweetReport.resolved_at.is_null(), 1)], 0)).alias("open"))
             .group_by(TweetReport.tweet).order_by(last.desc()).limit(limit))
    rows = list(query)
    tweets = {t.id: t for t in Tweet.select().where(Tweet.id.in_([r.tweet_id for r in rows]))} if rows else {}
    out = []
    for row in rows:
        tweet = tweets[row.tweet_id]
        if open_only and not row.open:
            continue
        out.append({**_post_dict(tweet), "reports": int(row.reports), "open_reports": int(row.open or 0),
                    "last_report_at": str(row.last_report)})
    return out


def thread(tweet_id: str) -> dict:
    """A post with its replies and reports (reasons and dates; reporters are not shown)."""
    tweet = _tweet(tweet_id)
    replies = Tweet.select().where(Tweet.parent == tweet.id).order_by(Tweet.id)
    reports = TweetReport.select().where(TweetReport.tweet == tweet.id).order_by(TweetReport.id)
    return {"post": _post_dict(tweet), "replies": [_post_dict(r) for r in replies],
            "reports": [{"reason": r.reason, "created_at": r.created_at.isoformat(),
                         "open": int(r.resolved_at is None)} for r in reports]}


def _resolve(tweet_id: str) -> None:
    TweetReport.update(resolved_at=clock.now()).where(TweetReport.tweet == tweet_id,
                                                     TweetReport.resolved_at.is_null()).execute()


def set_hidden(tweet_id: str, hidden: bool) -> dict:
    tweet = _tweet(tweet_id)
    with database.atomic():
        Tweet.update(escondido=hidden).where(Tweet.id == tweet.id).execute()
        _resolve(tweet.id)
        audit("timeline.hide" if hidden else "timeline.unhide", "tweet", tweet.id)
    return _post_dict(_tweet(tweet_id))


def delete(tweet_id: str) -> dict:
    """Soft delete (the row stays for the audit trail until her account goes); counters of its parent follow."""
    tweet = _tweet(tweet_id)
    with database.atomic():
        Tweet.update(status="deleted").where(Tweet.id == tweet.id).execute()
        if tweet.parent_id:
            recount_replies(tweet.parent_id)
        _resolve(tweet.id)
        audit("timeline.delete", "tweet", tweet.id)
    return _post_dict(_tweet(tweet_id))


def profile_reports(limit: int = 100) -> list[dict]:
    """Reported profiles, the most recently reported first (apelido only: never her legal name)."""
    last = fn.MAX(ProfileReport.created_at).alias("last_report")
    rows = list(ProfileReport.select(ProfileReport.reported, fn.COUNT(ProfileReport.id).alias("reports"), last)
                .group_by(ProfileReport.reported).order_by(last.desc()).limit(limit))
    users = {u.id: u for u in Cliente.select().where(Cliente.id.in_([r.reported_id for r in rows]))} if rows else {}
    reasons: dict[int, list[str]] = {}
    for r in ProfileReport.select().where(ProfileReport.reported.in_(list(users))).order_by(ProfileReport.id.desc()):
        reasons.setdefault(r.reported_id, []).append(r.reason)
    return [{"cliente_id": r.reported_id, "apelido": users[r.reported_id].apelido,
             "status": users[r.reported_id].status, "reports": int(r.reports), "last_report_at": str(r.last_report),
             "reasons": reasons.get(r.reported_id, [])[:5]} for r in rows]


def set_admin(cliente_id: int, admin: bool) -> Cliente:
    """Admins see hidden posts and anonymous authors and may post as PenhaS (§7.1)."""
    user = Cliente.get_or_none(Cliente.id == cliente_id)
    if user is None:
        raise PenhasError("not_found", f"Conta {cliente_id} não existe.", 404)
    Cliente.update(eh_admin=admin).where(Cliente.id == cliente_id).execute()
    audit("users.set_admin" if admin else "users.unset_admin", "cliente", cliente_id)
    return Cliente.get_by_id(cliente_id)
