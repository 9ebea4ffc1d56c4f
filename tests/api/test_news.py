"""News in the timeline (rules §7.5, §7.6) and the signed redirect / image proxy (§7.7, §15 items 8 and 9)."""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from penhas_api.core import clock
from penhas_api.core.adapters import web_fetch
from penhas_api.core.models import Noticia, NoticiaAbertura, Tag, TagHighlight, Tweet
from penhas_api.core.services import news, rss
from tests.factories import auth_headers, make_user
from tests.fakes.feeds import feed_server
from tests.helpers import assert_error
from tests.timeline_helpers import post, timeline, typed_shape_problems


@pytest.fixture(autouse=True)
def _fresh_highlights():
    news.reset_highlights()
    yield
    news.reset_highlights()


@pytest.fixture
def woman(app):
    user = make_user()
    return user, auth_headers(app, user)


def make_news(n, tag=None, **kw):
    now = clock.now()
    out = []
    for i in range(n):
        out.append(Noticia.create(
            title=f"Notícia {i}", hyperlink=f"https://n.example/{tag.id if tag else 0}/{i}-{now.timestamp()}",
            created_at=now, display_created_time=now - timedelta(hours=i), published="published", fonte="Fonte",
            tags_index=f",{tag.id}," if tag else ",,", has_topic_tags=bool(tag and tag.is_topic),
            image_hyperlink="https://img.example/x.jpg", **kw))
    return out


def topic(title="topic1", order=0):
    return Tag.create(title=title, is_topic=True, topic_order=order, created_at=clock.now(), show_on_filters=True)


def test_showcase_groups_after_every_third_post(client, woman):
    user, headers = woman
    t1, t2 = topic("topic1", 0), topic("topic2", 1)
    make_news(4, t1)
    make_news(2, t2)
    rss.rebuild_showcase()
    for i in range(6):
        post(client, headers, f"p{i}")
    page = timeline(client, headers, rows="6")
    types = [item["type"] for item in page["tweets"]]
    assert types == ["tweet"] * 3 + ["news_group"] + ["tweet"] * 3 + ["news_group", "news_group"]
    groups = [i for i in page["tweets"] if i["type"] == "news_group"]
    assert [g["header"] for g in groups] == ["topic1", "topic2", "topic1"]
    assert [len(g["news"]) for g in groups] == [3, 2, 1]
    item = groups[0]["news"][0]
    assert item["date_str"] == clock.now().strftime("%d/%m/%Y") and item["source"] == "Fonte"
    assert "/news-redirect/?" in item["href"] and "/get-proxy/?" in item["image"]
    assert not typed_shape_problems("feed/retrieve_response.json", page)
    # The showcase continues on the next page without repeating groups.
    nxt = timeline(client, headers, rows="6", next_page=page["next_page"])
    assert [i for i in nxt["tweets"] if i["type"] == "news_group"] == []


def test_only_news_and_tags_use_plain_news(client, woman):
    _, headers = woman
    t1 = topic()
    other = Tag.create(title="outra", created_at=clock.now())
    make_news(5, t1)
    tagged = make_news(1, other)[0]
    post(client, headers)
    page = timeline(client, headers, category="only_news")
    assert [i["type"] for i in page["tweets"]] == ["news_group"] * 3 and page["has_more"] == 1
    assert all(g["header"] is None and len(g["news"]) == 1 for g in page["tweets"])
    nxt = timeline(client, headers, category="only_news", next_page=page["next_page"])
    first_ids = {g["news"][0]["id"] for g in page["tweets"]}
    assert len(nxt["tweets"]) == 2 and not first_ids & {g["news"][0]["id"] for g in nxt["tweets"]}
    assert nxt["has_more"] == 0
    by_tag = timeline(client, headers, tags=str(other.id))
    assert [g["news"][0]["id"] for g in by_tag["tweets"] if g["type"] == "news_group"] == [tagged.id]


def test_highlights_colour_words_and_add_related_news(client, woman, app):
    user, headers = woman
    t1 = topic("Violência")
    make_news(2, t1)
    TagHighlight.create(tag=t1, match=r"\bshiranai\b", is_regexp=True)
    TagHighlight.create(tag=t1, match="(broken", is_regexp=True)
    mine = post(client, headers, "eu Shiranai e notshiranai")
    other = make_user()
    page = timeline(client, auth_headers(app, other), category="only_tweets")
    tweet, related = page["tweets"][0], page["tweets"][1]
    assert tweet["content"] == 'eu <span style="color: #f982b4">Shiranai</span> e notshiranai'
    assert related["type"] == "related_news" and related["header"] == "Violência"
    assert related["news"][0]["href"].startswith("http") and related["news"][0]["title"].startswith("Notícia")
    assert Tweet.get_by_id(mine["id"]).tags_index == f",{t1.id},"
    assert TagHighlight.get(TagHighlight.match == "(broken").error_msg.startswith("Regexp error")
    assert [t["id"] for t in timeline(client, headers, tags=str(t1.id), category="only_tweets")["tweets"]
            if t["type"] == "tweet"] == [mine["id"]]


def _query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_news_redirect_records_and_redirects_only_when_signed(client, woman):
    user, headers = woman
    item = make_news(1)[0]
    href = news.tracked_url(user.id, item)
    q = _query(href)
    r = client.get("/news-redirect/", query_string=q)
    assert r.status_code == 302 and r.headers["Location"] == item.hyperlink
    opening = NoticiaAbertura.get()
    assert (opening.cliente_id, opening.noticia_id) == (user.id, item.id)
    for forged in ({**q, "url": "https://evil.example/phish"}, {**q, "h": "0" * 20}, {**q, "uid": str(user.id + 1000)}):
        r = client.get("/news-redirect/", query_string=forged)
        assert r.status_code == 400 and "Location" not in r.headers
    assert NoticiaAbertura.select().count() == 1


def test_get_proxy_refuses_unsigned_and_private_urls(client):
    r = client.get("/get-proxy/", query_string={"href": "http://169.254.169.254/latest", "h": "x" * 20})
    assert_error(r, 400, "media_hash_invalid")
    signed = _query(news.proxy_url("http://127.0.0.1:9/secret.png"))
    r = client.get("/get-proxy/", query_string=signed)
    assert r.status_code == 200 and r.mimetype == "image/png" and "max-age=3600" in r.headers["Cache-Control"]


def test_fetch_refuses_private_addresses_and_redirects_to_them():
    with feed_server() as server:
        for url in (server.url + "/image.png", "http://localhost/x", "http://10.0.0.1/x", "http://[::1]/x",
                    "file:///etc/passwd", "gopher://x"):
            with pytest.raises(web_fetch.FetchError):
                web_fetch.fetch(url, max_bytes=1000, timeout=2)
        # A first hop that redirects into our network is refused at the redirect. The first hop (the local test
        # server) stands in for a public server.
        with pytest.raises(web_fetch.FetchError, match="not public"):
            _fetch_first_hop_trusted(server.url + "/redirect?to=http://192.168.0.1/admin")
        with pytest.raises(web_fetch.FetchError, match="larger"):
            web_fetch.fetch(server.url + "/big", max_bytes=100_000, timeout=5, public_only=False)
        ok = web_fetch.fetch(server.url + "/image.png", max_bytes=1000, timeout=2, public_only=False)
        assert ok.status == 200 and ok.body.startswith(b"\x89PNG")


def _fetch_first_hop_trusted(url):
    """Follow ``url`` with the address check applied from the second hop on, as a public server redirecting
    into our network would be."""
    real = web_fetch._check_url
    calls = {"n": 0}

    def check(u, public_only):
        calls["n"] += 1
        return real(u, public_only and calls["n"] > 1)

    web_fetch._check_url = check
    try:
        return web_fetch.fetch(url, max_bytes=1000, timeout=2, public_only=True)
    finally:
        web_fetch._check_url = real


def test_public_address_check():
    assert not web_fetch.is_public_host("127.0.0.1") and not web_fetch.is_public_host("10.1.2.3")
    assert not web_fetch.is_public_host("169.254.169.254") and not web_fetch.is_public_host("::ffff:127.0.0.1")
    assert web_fetch._is_public("8.8.8.8") and not web_fetch._is_public("100.64.0.1")


def test_proxy_caches_an_image(client, monkeypatch):
    calls = []
    with feed_server() as server:
        href = server.url + "/image.png"
        # The test server is local; production refuses local addresses (tested above).
        original = web_fetch.fetch

        def local_fetch(url, **kw):
            calls.append(url)
            return original(url, **{**kw, "public_only": False})

        monkeypatch.setattr(news, "fetch", local_fetch)
        q = _query(news.proxy_url(href))
        for _ in range(2):
            r = client.get("/get-proxy/", query_string=q)
            assert r.status_code == 200 and r.data.startswith(b"\x89PNG fake")
            assert r.headers["Cache-Control"] == "max-age=2592000, must-revalidate"
    assert calls == [href]
