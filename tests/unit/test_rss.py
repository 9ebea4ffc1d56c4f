"""RSS/Atom ingestion against a local web server serving real documents (rules §10.2, suite scenarios)."""
from datetime import timedelta

import pytest

from penhas_api.core import clock
from penhas_api.core.models import Noticia, RssFeed, Tag, TagIndexingConfig, Vitrine
from penhas_api.core.services import rss
from penhas_api.core.settings import load_settings, reset_settings
from tests.fakes.feeds import feed_server


@pytest.fixture
def server():
    with feed_server() as s:
        yield s


@pytest.fixture
def short_timeout(monkeypatch):
    import os

    reset_settings(load_settings(dict(os.environ, RSS_TIMEOUT_SECONDS="1", RSS_MAX_BYTES="100000")))
    yield
    reset_settings(None)


def tag(title, **kw):
    return Tag.create(title=title, created_at=clock.now(), **kw)


def test_rss_and_atom_become_published_news_deduplicated_by_link(db, server, frozen_clock):
    forced = tag("Forçada")
    feed = rss.add_feed(server.url + "/rss", [forced.id], fonte="Fonte RSS")
    atom = rss.add_feed(server.url + "/atom", autocapitalize=True)
    result = rss.fetch_feed(feed)
    assert (result["status"], result["new"]) == ("ok", 2)
    first = Noticia.get(Noticia.hyperlink == "https://rss.example/n1")
    assert first.title == "Lei Maria da Penha completa anos" and first.fonte == "Fonte RSS"
    assert first.image_hyperlink == "https://img.example/n1.jpg" and first.published == "published"
    assert first.tags_index == f",{forced.id}," and first.display_created_time.isoformat() == "2026-11-23T10:00:00"
    assert Noticia.get(Noticia.hyperlink == "https://rss.example/n2").title == "“Mulher” teste decode encoded titles"
    assert rss.fetch_feed(RssFeed.get_by_id(feed.id))["new"] == 0  # same links: nothing new
    assert rss.fetch_feed(atom)["new"] == 1
    assert Noticia.get(Noticia.hyperlink == "https://atom.example/a1").title == "This is Page1 Title"
    assert Noticia.select().count() == 3
    stored = RssFeed.get_by_id(feed.id)
    assert stored.last_error_message is None and stored.next_tick == frozen_clock.now + timedelta(minutes=15)


def test_title_change_on_the_same_feed_updates_the_news(db, server):
    feed = rss.add_feed(server.url + "/rss")
    rss.fetch_feed(feed)
    server.rss = server.rss.replace("Lei Maria da Penha completa anos", "Título novo")
    assert rss.fetch_feed(RssFeed.get_by_id(feed.id))["updated"] == 1
    assert Noticia.get(Noticia.hyperlink == "https://rss.example/n1").title == "Título novo"


def test_conditional_requests_use_the_etag(db, server):
    feed = rss.add_feed(server.url + "/etag")
    assert rss.fetch_feed(feed)["new"] == 2
    assert RssFeed.get_by_id(feed.id).etag == '"v1"'
    again = rss.fetch_feed(RssFeed.get_by_id(feed.id))
    assert again["status"] == "not_modified"
    assert server.calls[-1][1].get("If-None-Match") == '"v1"'


def test_malformed_missing_and_slow_feeds_record_errors_and_back_off(db, server, frozen_clock, short_timeout):
    bad = rss.add_feed(server.url + "/malformed")
    missing = rss.add_feed(server.url + "/missing")
    slow = rss.add_feed(server.url + "/slow")
    result = rss.tick_rss_feeds()
    assert result == {"feeds": 3, "new": 0, "errors": 3}
    assert RssFeed.get_by_id(bad.id).last_error_message.startswith("not a valid feed")
    assert RssFeed.get_by_id(missing.id).last_error_message == "HTTP 404"
    assert RssFeed.get_by_id(slow.id).last_error_message == "timed out"
    first = RssFeed.get_by_id(bad.id)
    assert first.failures == 1 and first.next_tick == frozen_clock.now + timedelta(minutes=30)
    assert rss.due_feeds() == []
    frozen_clock.advance(minutes=31)
    rss.fetch_feed(RssFeed.get_by_id(bad.id))
    second = RssFeed.get_by_id(bad.id)
    assert second.failures == 2 and second.next_tick == frozen_clock.now + timedelta(hours=1)
    for _ in range(10):
        rss.fetch_feed(RssFeed.get_by_id(bad.id))
    assert RssFeed.get_by_id(bad.id).next_tick == frozen_clock.now + timedelta(hours=24)  # capped


def test_oversized_feed_is_refused(db, server, short_timeout):
    feed = rss.add_feed(server.url + "/big")
    assert rss.fetch_feed(feed)["error"] == "body larger than 100000 bytes"


def test_disabled_feeds_are_not_fetched(db, server):
    feed = rss.add_feed(server.url + "/rss")
    rss.disable_feed(feed.id)
    assert rss.tick_rss_feeds()["feeds"] == 0


def test_tag_rules(db, server):
    by_title = tag("Título")
    by_rss_tag = tag("Direitos")
    excluded = tag("Nunca")
    broken = tag("Quebrada")
    TagIndexingConfig.create(tag=by_title, page_title_match=r"\bda\b")
    TagIndexingConfig.create(tag=by_rss_tag, regexp=False, rss_feed_tags_match="direitos|outra")
    TagIndexingConfig.create(tag=excluded, page_title_match=".", page_title_not_match="Lei|Mulher")
    bad_rule = TagIndexingConfig.create(tag=broken, page_title_match="(unclosed")
    rss.fetch_feed(rss.add_feed(server.url + "/rss"))
    n1 = Noticia.get(Noticia.hyperlink == "https://rss.example/n1")
    assert n1.tags_index == f",{by_title.id},{by_rss_tag.id},"
    assert Noticia.get(Noticia.hyperlink == "https://rss.example/n2").tags_index == ",,"
    assert TagIndexingConfig.get_by_id(bad_rule.id).error_msg.startswith("Regexp error")


def test_showcase_rounds_robin_over_topics(db, server):
    t1 = tag("topic1", is_topic=True, topic_order=1)
    t2 = tag("topic2", is_topic=True, topic_order=2)
    feed1 = rss.add_feed(server.url + "/rss", [t1.id])
    feed2 = rss.add_feed(server.url + "/atom", [t2.id])
    rss.tick_rss_feeds()
    rows = list(Vitrine.select().order_by(Vitrine.order))
    assert [(r.meta["title"], len(r.noticias)) for r in rows] == [("topic1", 2), ("topic2", 1)]
    assert all(Noticia.select().where(Noticia.has_topic_tags == True).count() == 3 for _ in [0])  # noqa: E712
    assert feed1.id != feed2.id


def test_add_feed_validation(db, server):
    rss.add_feed(server.url + "/rss")
    from penhas_api.core.errors import PenhasError

    for url, tags in ((server.url + "/rss", []), ("ftp://x", []), (server.url + "/atom", [999999])):
        with pytest.raises(PenhasError):
            rss.add_feed(url, tags)
