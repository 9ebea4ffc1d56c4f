"""The feed: GET /timeline, POST/DELETE /me/tweets, comment, like, report, filter-tags (contract §2.7, rules §7)."""
import json

import pytest

from penhas_api.core import clock
from penhas_api.core.models import Tag, Tweet, TweetReport
from penhas_api.core.services import people
from tests.api.test_app_contract import assert_shape, golden, shape_problems
from tests.factories import auth_headers, make_user
from tests.helpers import assert_error
from tests.query_counter import count_queries
from tests.timeline_helpers import comment, post, timeline, typed_shape_problems


@pytest.fixture
def two(app):
    a, b = make_user(apelido="Ana"), make_user(apelido="Bia")
    return (a, auth_headers(app, a)), (b, auth_headers(app, b))


def test_post_matches_the_create_fixture_and_escapes_html(client, two, frozen_clock):
    (a, ha), _ = two
    r = client.post("/me/tweets", headers=ha, data={"content": "<b>oi</b>\nlinha  dois"})
    assert_shape("feed/tweet_create_response.json", r)
    body = r.get_json()
    assert body["content"] == "&lt;b&gt;oi&lt;/b&gt; <br/> linha &nbsp;&nbsp; dois"
    assert body["id"] == "261123T1200000001" and body["created_at"] == "2026-11-23T12:00:00"
    assert (body["name"], body["cliente_id"], body["anonimo"]) == ("Ana", a.id, 0)
    assert body["meta"] == {"owner": 1, "can_reply": 1, "parent_id": None, "liked": 0}
    assert post(client, ha)["id"] == "261123T1200000002"


def test_post_validation(client, app, two):
    (_, ha), _ = two
    assert_error(client.post("/me/tweets", headers=ha), 400, "form_error", "content", "is_required")
    assert_error(client.post("/me/tweets", headers=ha, data={"content": "x" * 2201}), 400, "form_error", "content",
                 "invalid_max_length")
    man = auth_headers(app, make_user(genero="Masculino"))
    assert_error(client.post("/me/tweets", headers=man, data={"content": "oi"}), 400, "missing_module")


def test_module_and_post_id_are_checked_before_the_parameters(client, app, two):
    (_, ha), _ = two
    man = auth_headers(app, make_user(genero="Masculino"))
    assert_error(client.post("/me/tweets", headers=man), 400, "missing_module")
    assert_error(client.delete("/me/tweets", headers=man), 400, "missing_module")
    assert_error(client.post("/timeline/garbage/comment", headers=man), 400, "missing_module")
    assert_error(client.post("/timeline/garbage/comment", headers=ha), 404, "item_not_found")
    assert_error(client.post("/timeline/garbage/report", headers=ha), 404, "item_not_found")
    # Too long wins over a NUL, as in any other field (length first).
    assert_error(client.post("/me/tweets", headers=ha, data={"content": "\x00" * 2201}), 400, "form_error",
                 "content", "invalid_max_length")


def test_comment_counts_last_reply_and_thread(client, two):
    (a, ha), (b, hb) = two
    root = post(client, ha, "raiz")
    r = client.post(f"/timeline/{root['id']}/comment", headers=hb, data={"content": "c1"})
    assert_shape("feed/tweet_reply_response.json", r)
    c1 = r.get_json()
    assert c1["meta"]["parent_id"] == root["id"] and c1["meta"]["can_reply"] == 1
    c2 = comment(client, ha, root["id"], "c2")
    deep = comment(client, hb, c1["id"], "neta")
    assert deep["meta"]["can_reply"] == 0  # depth 3
    page = timeline(client, hb)
    assert [t["id"] for t in page["tweets"]] == [root["id"]]
    assert page["tweets"][0]["qtde_comentarios"] == 2 and page["tweets"][0]["last_reply"]["id"] == c2["id"]
    assert not typed_shape_problems("feed/retrieve_with_last_replay_response.json", page)
    thread = timeline(client, hb, parent_id=root["id"], after=root["id"], rows="100")
    assert [t["id"] for t in thread["tweets"]] == [c1["id"], c2["id"]] and thread["order_by"] == "oldest_first"
    assert thread["parent"]["id"] == root["id"] and "next_page" not in thread
    # Deleting the last comment restores last_reply to the previous one.
    assert client.delete("/me/tweets", headers=ha, query_string={"id": c2["id"]}).get_json() == {}
    top = timeline(client, hb)["tweets"][0]
    assert top["qtde_comentarios"] == 1 and top["last_reply"]["id"] == c1["id"]


def test_detail_of_a_post_without_comments_matches_the_fixture(client, two):
    (_, ha), _ = two
    root = post(client, ha)
    r = client.get("/timeline", headers=ha, query_string={"parent_id": root["id"], "after": root["id"]})
    assert not shape_problems(golden("feed/tweet_detail_empty_response.json"), r.get_json())


def test_comment_on_missing_or_deleted_post_is_404(client, two):
    (_, ha), (_, hb) = two
    root = post(client, ha)
    client.delete("/me/tweets", headers=ha, query_string={"id": root["id"]})
    for target in (root["id"], "990101T0000000001", "garbage"):
        assert_error(client.post(f"/timeline/{target}/comment", headers=hb, data={"content": "x"}), 404,
                     "item_not_found")


def test_like_is_idempotent_and_removable(client, two):
    (_, ha), (_, hb) = two
    root = post(client, ha)
    for _ in range(2):
        r = client.post(f"/timeline/{root['id']}/like", headers=hb)
        assert_shape("feed/tweet_like_response.json", r)
        assert r.get_json()["tweet"]["qtde_likes"] == 1 and r.get_json()["tweet"]["meta"]["liked"] == 1
    assert timeline(client, ha)["tweets"][0]["meta"]["liked"] == 0
    assert timeline(client, hb)["tweets"][0]["meta"]["liked"] == 1
    for _ in range(2):
        tweet = client.post(f"/timeline/{root['id']}/like", headers=hb, query_string={"remove": "1"}).get_json()
        assert tweet["tweet"]["qtde_likes"] == 0 and tweet["tweet"]["meta"]["liked"] == 0
    assert client.post(f"/timeline/{root['id']}/like", headers=hb).get_json()["tweet"]["qtde_likes"] == 1


def test_delete_only_her_own(client, two):
    (_, ha), (_, hb) = two
    root = post(client, ha)
    assert_error(client.delete("/me/tweets", headers=hb, query_string={"id": root["id"]}), 400, "tweet_not_found")
    assert_error(client.delete("/me/tweets", headers=hb, query_string={"id": "bad"}), 400, "form_error", "id")
    assert client.delete("/me/tweets", headers=ha, query_string={"id": root["id"]}).status_code == 200
    assert timeline(client, ha, id=root["id"])["tweets"] == []
    assert_error(client.delete("/me/tweets", headers=ha, query_string={"id": root["id"]}), 400, "tweet_not_found")


def test_report(client, two):
    (_, ha), (b, hb) = two
    root = post(client, ha)
    r = client.post(f"/timeline/{root['id']}/report", headers=hb, data={"reason": "ofensivo"})
    assert r.status_code == 200 and r.get_json() == {"message": "Sua denúncia foi recebida com sucesso."}
    assert Tweet.get_by_id(root["id"]).qtde_reportado == 1
    assert TweetReport.get().cliente_id == b.id
    assert_error(client.post(f"/timeline/{root['id']}/report", headers=hb), 400, "form_error", "reason")


def test_pagination_before_after_and_next_page(client, two, frozen_clock):
    (_, ha), (_, hb) = two
    ids = []
    for i in range(5):
        ids.append(post(client, ha, f"p{i}")["id"])
        frozen_clock.advance(seconds=1)
    newest_first = list(reversed(ids))
    first = timeline(client, hb, rows="2")
    assert [t["id"] for t in first["tweets"]] == newest_first[:2] and first["has_more"] == 1
    second = timeline(client, hb, rows="2", next_page=first["next_page"])
    assert [t["id"] for t in second["tweets"]] == newest_first[2:4]
    third = timeline(client, hb, rows="2", next_page=second["next_page"])
    assert [t["id"] for t in third["tweets"]] == newest_first[4:] and third["has_more"] == 0
    older = timeline(client, hb, rows="2", before=ids[2])
    assert [t["id"] for t in older["tweets"]] == [ids[1], ids[0]]
    newer = timeline(client, hb, rows="100", after=ids[2])
    assert [t["id"] for t in newer["tweets"]] == ids[3:] and newer["order_by"] == "oldest_first"
    assert "next_page" not in newer


@pytest.mark.parametrize("param", ["parent_id", "after", "before", "id"])
def test_next_page_misuse(client, two, param):
    (_, ha), _ = two
    root = post(client, ha)
    token = timeline(client, ha)["next_page"]
    r = client.get("/timeline", headers=ha, query_string={"next_page": token, param: root["id"]})
    body = assert_error(r, 400, "form_error", param)
    assert body["message"] == f"uso do {param} com next_page é vedado"


def test_next_page_tokens_are_hers_and_keep_their_tags(client, two):
    (_, ha), (_, hb) = two
    post(client, ha)
    token = timeline(client, ha, tags="1")["next_page"]
    assert_error(client.get("/timeline", headers=hb, query_string={"next_page": token}), 400, "form_error",
                 "next_page")
    assert_error(client.get("/timeline", headers=ha, query_string={"next_page": "forged.token"}), 400,
                 "form_error", "next_page")
    body = assert_error(client.get("/timeline", headers=ha, query_string={"next_page": token, "tags": "2"}), 400,
                        "form_error", "tags")
    assert body["message"] == "não pode trocar de tags durante uso do next_page"
    assert client.get("/timeline", headers=ha, query_string={"next_page": token, "tags": "1"}).status_code == 200


def test_tags_filter(client, two):
    (_, ha), _ = two
    tagged = post(client, ha, "a")
    post(client, ha, "b")
    Tweet.update(tags_index=",7,9,").where(Tweet.id == tagged["id"]).execute()
    assert [t["id"] for t in timeline(client, ha, tags="9")["tweets"]] == [tagged["id"]]
    assert timeline(client, ha, tags="1")["tweets"] == []


def test_categories(client, app, two):
    (a, ha), (_, hb) = two
    mine = post(client, ha, "meu")
    theirs = post(client, hb, "dela")
    reply = comment(client, ha, theirs["id"])
    assert {t["id"] for t in timeline(client, ha, category="all_myself")["tweets"]} == {mine["id"], reply["id"]}
    assert timeline(client, ha, category="only_news")["tweets"] == []
    assert len(timeline(client, ha, category="only_tweets")["tweets"]) == 2
    man = auth_headers(app, make_user(genero="Masculino"))
    for category in ("only_tweets", "all_myself"):
        body = assert_error(client.get("/timeline", headers=man, query_string={"category": category}), 400,
                            "form_error", "category")
        assert body["message"] == "sua conta não tem permissão para utilizar esse filtro."
    page = timeline(client, man)
    assert page["tweets"] == [] and page["category"] == "all"
    assert_error(client.get("/timeline", headers=ha, query_string={"category": "nope"}), 400, "form_error",
                 "category", "invalid")


def test_blocked_authors_disappear_but_anonymous_posts_stay(client, app, two):
    (a, ha), (b, hb) = two
    root = post(client, ha, "raiz")
    reply = comment(client, hb, root["id"], "resposta")
    people.block_profile(a, b.id)
    post(client, hb, "dela")
    page = timeline(client, ha)
    assert [t["id"] for t in page["tweets"]] == [root["id"]] and page["tweets"][0]["last_reply"] is None
    assert timeline(client, ha, parent_id=root["id"], after=root["id"])["tweets"] == []
    assert_error(client.post(f"/timeline/{reply['id']}/like", headers=ha), 404, "item_not_found")
    client.post("/me/modo-anonimo-toggle", headers=hb, query_string={"active": "1"})
    anon = post(client, hb, "anônima")
    assert timeline(client, ha)["tweets"][0]["id"] == anon["id"]


def test_hidden_posts_show_to_author_and_admins_only(client, app, two):
    (a, ha), (_, hb) = two
    root = post(client, ha)
    Tweet.update(escondido=True).where(Tweet.id == root["id"]).execute()
    assert timeline(client, hb)["tweets"] == []
    assert [t["id"] for t in timeline(client, ha)["tweets"]] == [root["id"]]
    admin = auth_headers(app, make_user(eh_admin=True))
    assert [t["id"] for t in timeline(client, admin)["tweets"]] == [root["id"]]


def _author_leaks(body, author) -> list[str]:
    text = json.dumps(body, ensure_ascii=False)
    leaks = [v for v in (author.apelido, author.nome_completo, author.email) if v in text]
    items = [t for t in body.get("tweets", []) if t.get("type") == "tweet"]
    for item in items + [t["last_reply"] for t in items if t.get("last_reply")] + \
            ([body["parent"]] if body.get("parent") else []):
        if item["cliente_id"] == author.id:
            leaks.append(f"cliente_id in {item['id']}")
        if item["badges"]:
            leaks.append(f"badges in {item['id']}")
    return leaks


def test_anonymous_posts_never_reveal_the_author(client, app, two):
    (a, ha), (b, hb) = two
    a.apelido = "Segredo Unico"
    Cliente = type(a)
    Cliente.update(apelido="Segredo Unico").where(Cliente.id == a.id).execute()
    from tests.api.test_people import badge, grant

    grant(a, badge())
    client.post("/me/modo-anonimo-toggle", headers=ha, query_string={"active": "1"})
    root = post(client, ha, "anônima")
    assert (root["name"], root["cliente_id"], root["anonimo"], root["badges"]) == ("Anônimo", 0, 1, [])
    other_root = post(client, hb, "pública")
    reply = comment(client, ha, other_root["id"], "resposta anônima")
    like = client.post(f"/timeline/{other_root['id']}/like", headers=ha).get_json()
    client.post("/me/modo-anonimo-toggle", headers=ha, query_string={"active": "0"})
    # Posted while anonymous stays anonymous after she leaves the mode.
    bodies = [
        timeline(client, hb), timeline(client, hb, category="only_tweets"),
        timeline(client, hb, parent_id=other_root["id"], after=other_root["id"]),
        timeline(client, hb, id=root["id"]), timeline(client, hb, id=reply["id"]),
        client.post(f"/timeline/{root['id']}/like", headers=hb).get_json(),
        client.post(f"/timeline/{other_root['id']}/like", headers=hb).get_json(),
    ]
    bodies[-2] = {"tweets": [bodies[-2]["tweet"]]}
    bodies[-1] = {"tweets": [bodies[-1]["tweet"]]}
    assert timeline(client, hb)["tweets"][0]["last_reply"]["id"] == reply["id"]
    for body in bodies:
        assert not _author_leaks(body, a), body
    assert like["tweet"]["id"] == other_root["id"]
    admin = auth_headers(app, make_user(eh_admin=True))
    seen = timeline(client, admin, id=root["id"])["tweets"][0]
    assert seen["name"] == f"Segredo Unico (Anônimo) ID {a.id}" and seen["cliente_id"] == a.id


def test_pii_is_masked_for_everyone_but_the_author(client, two):
    (_, ha), (_, hb) = two
    text = "me liga (11) 98765-4321 ou maria@example.com"
    mine = post(client, ha, text)
    assert mine["content"] == text
    assert timeline(client, hb)["tweets"][0]["content"] == "me liga (**) *****-**** ou *****@*******.***"


def test_posted_as_penhas(client, app):
    admin = make_user(eh_admin=True, apelido="Staff")
    headers = auth_headers(app, admin)
    assert client.post("/me/preferences", headers=headers, query_string={"POST_AS_PENHAS": "1"}).status_code == 200
    body = post(client, headers, "veja www.penhas.com.br")
    assert (body["name"], body["cliente_id"], body["anonimo"], body["badges"]) == ("Admin PenhaS", 0, 1, [])
    assert body["icon"].endswith("/avatar/penhas.svg")
    assert '<a href="https://www.penhas.com.br" target="_blank">www.penhas.com.br</a>' in body["content"]
    plain = post(client, auth_headers(app, make_user()), "veja www.penhas.com.br")
    assert "<a" not in plain["content"]


def test_legacy_app_banner_on_the_first_page_only(client, two):
    (_, ha), _ = two
    post(client, ha)
    old = {**ha, "User-Agent": "Android 10/Moto G/3.5.9"}
    body = client.get("/timeline", headers=old).get_json()
    assert body["tweets"][0]["name"] == "Atualização está disponível!"
    assert body["tweets"][0]["created_at"] == "2099-01-01T01:01:01"
    nxt = client.get("/timeline", headers=old, query_string={"next_page": body["next_page"]}).get_json()
    assert all(t["name"] != "Atualização está disponível!" for t in nxt["tweets"])
    assert timeline(client, ha)["tweets"][0]["name"] != "Atualização está disponível!"


def test_filter_tags(client, app, two):
    (_, ha), _ = two
    Tag.create(title="Direitos Humanos", show_on_filters=True, created_at=clock.now())
    Tag.create(title="Oculta", show_on_filters=False, created_at=clock.now())
    Tag.create(title="Teste", status="test", show_on_filters=True, created_at=clock.now())
    r = client.get("/filter-tags", headers=ha)
    assert_shape("feed/retrieve_filters_tags.json", r)
    assert r.get_json() == golden("feed/retrieve_filters_tags.json") | {"tags": [r.get_json()["tags"][0]]}
    assert [t["title"] for t in r.get_json()["tags"]] == ["Direitos Humanos"]
    man = auth_headers(app, make_user(genero="Masculino"))
    assert [c["value"] for c in client.get("/filter-tags", headers=man).get_json()["categories"]] == \
        ["all", "only_news"]


def test_a_page_costs_a_constant_number_of_queries(client, app):
    viewer = make_user(cep_cidade="São Paulo")
    headers = auth_headers(app, viewer)
    authors = [make_user(cep_cidade="São Paulo") for _ in range(12)]
    from tests.api.test_people import badge, grant

    b = badge("circulo-sp", city="São Paulo")
    for author in authors:
        grant(author, b)
    author_headers = [auth_headers(app, u) for u in authors]
    for i, h in enumerate(author_headers[:2]):
        root = post(client, h, f"p{i}")
        comment(client, author_headers[-1], root["id"])
        client.post(f"/timeline/{root['id']}/like", headers=headers)
    timeline(client, headers)  # warm the session row and activity write
    with count_queries() as small:
        page = timeline(client, headers, rows="100")
    assert len(page["tweets"]) == 2
    for i, h in enumerate(author_headers[2:]):
        root = post(client, h, f"q{i}")
        comment(client, author_headers[0], root["id"])
        client.post(f"/timeline/{root['id']}/like", headers=headers)
    with count_queries() as large:
        page = timeline(client, headers, rows="100")
    assert len(page["tweets"]) == 12 and all(t["last_reply"] for t in page["tweets"])
    assert small["n"] == large["n"], (small["sql"], large["sql"])
    with count_queries() as nxt:
        timeline(client, headers, rows="5", next_page=page["next_page"])
    assert nxt["n"] <= large["n"]


def test_single_post_by_id_matches_the_current_fixture(client, two):
    (_, ha), (_, hb) = two
    root = post(client, ha)
    body = timeline(client, hb, id=root["id"])
    assert [t["id"] for t in body["tweets"]] == [root["id"]] and "next_page" not in body
    assert not typed_shape_problems("feed/tweet_current_response.json", body)


def test_reports_mail_the_staff_without_the_reporter(client, app, two):
    import os

    from penhas_api.core.models import EmailOutbox
    from penhas_api.core.settings import load_settings, reset_settings

    (a, ha), (b, hb) = two
    root = post(client, ha, "conteúdo ruim")
    reset_settings(load_settings(dict(os.environ, EMAIL_TWEET_REPORTADO="mod@penhas.example")))
    try:
        client.post(f"/timeline/{root['id']}/report", headers=hb, data={"reason": "ofensivo"})
        client.post("/report-profile", headers=hb, query_string={"cliente_id": a.id, "reason": "falso"})
    finally:
        reset_settings(None)
    mails = list(EmailOutbox.select().order_by(EmailOutbox.id))
    assert [m.subject for m in mails] == ["PenhaS - Tweet reportado - Qtde reports 1", "PenhaS - Usuária reportada"]
    assert "conteúdo ruim" in mails[0].body and "ofensivo" in mails[0].body and f"Perfil {a.id}" in mails[1].body
    assert all(m.to_address == "mod@penhas.example" for m in mails)
    assert not any(b.apelido in m.body or b.email in m.body or a.nome_completo in m.body for m in mails)
