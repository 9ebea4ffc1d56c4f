"""Operator commands of the community: moderation end to end, feeds into the timeline, news, admins."""
import json

from typer.testing import CliRunner

from penhas_api.core.models import AuditLog, Tag, Tweet
from penhas_cli.main import app
from tests.factories import auth_headers, make_user
from tests.fakes.feeds import feed_server
from tests.timeline_helpers import post, timeline

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [*map(str, args)], env={"PENHAS_OPERATOR": "ana.ops"})


def actions():
    return [(a.action, a.target_id, a.actor) for a in AuditLog.select().order_by(AuditLog.id)]


def test_moderating_a_reported_post_end_to_end(client, app):
    author, reporter = make_user(), make_user()
    ha, hr = auth_headers(app, author), auth_headers(app, reporter)
    bad = post(client, ha, "ofensa")
    post(client, ha, "ok")
    for reason in ("ofensivo", "spam"):
        client.post(f"/timeline/{bad['id']}/report", headers=hr, data={"reason": reason})
    r = run("timeline", "reports", "--open", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [(x["id"], x["reports"], x["open_reports"]) for x in rows] == [(bad["id"], 2, 2)]
    r = run("timeline", "show", bad["id"])
    assert r.exit_code == 0 and "ofensa" in r.output and "spam" in r.output
    assert reporter.apelido not in r.output
    assert run("timeline", "hide", bad["id"]).exit_code == 0
    assert bad["id"] not in [t["id"] for t in timeline(client, hr)["tweets"]]
    assert bad["id"] in [t["id"] for t in timeline(client, ha)["tweets"]]  # she still sees hers
    assert json.loads(run("timeline", "reports", "--open", "--json").output) == []
    assert len(json.loads(run("timeline", "reports", "--json").output)) == 1
    assert run("timeline", "unhide", bad["id"]).exit_code == 0
    assert bad["id"] in [t["id"] for t in timeline(client, hr)["tweets"]]
    assert run("timeline", "delete", bad["id"], "--yes").exit_code == 0
    assert Tweet.get_by_id(bad["id"]).status == "deleted"
    assert bad["id"] not in [t["id"] for t in timeline(client, ha)["tweets"]]
    assert actions() == [("timeline.hide", bad["id"], "ana.ops"), ("timeline.unhide", bad["id"], "ana.ops"),
                         ("timeline.delete", bad["id"], "ana.ops")]
    r = run("timeline", "hide", "990101T0000000001")
    assert r.exit_code == 1 and "não existe" in r.output


def test_reported_profiles_and_admin_flag(client, app):
    her, reporter = make_user(apelido="Alvo", nome_completo="Nome Legal Secreto"), make_user()
    client.post("/report-profile", headers=auth_headers(app, reporter),
                query_string={"cliente_id": her.id, "reason": "perfil falso"})
    r = run("users", "reports", "--json")
    assert r.exit_code == 0, r.output
    assert [(x["cliente_id"], x["reports"], x["reasons"]) for x in json.loads(r.output)] == \
        [(her.id, 1, ["perfil falso"])]
    assert "Nome Legal Secreto" not in run("users", "reports").output
    assert run("users", "set-admin", her.id).exit_code == 0
    assert type(her).get_by_id(her.id).eh_admin
    assert run("users", "unset-admin", her.id).exit_code == 0
    assert not type(her).get_by_id(her.id).eh_admin
    assert actions() == [("users.set_admin", str(her.id), "ana.ops"), ("users.unset_admin", str(her.id), "ana.ops")]
    assert run("users", "set-admin", 999999).exit_code == 1


def test_a_local_feed_appears_in_the_timeline_after_fetch(client, app):
    user = make_user()
    headers = auth_headers(app, user)
    with feed_server() as server:
        r = run("news", "tag-add", "Violência", "--topic", "--filters")
        assert r.exit_code == 0, r.output
        tag = Tag.get(Tag.title == "Violência")
        assert run("feeds", "add", server.url + "/rss", "--tag", tag.id, "--fonte", "Local").exit_code == 0
        r = run("feeds", "fetch", "--json")
        assert r.exit_code == 0, r.output
        assert [(x["status"], x["new"]) for x in json.loads(r.output)] == [("ok", 2)]
        r = run("feeds", "fetch")
        assert r.exit_code == 0 and "ok" in r.output
    feeds = json.loads(run("feeds", "list", "--json").output)
    assert feeds[0]["news"] == 2 and feeds[0]["last_error"] is None
    assert json.loads(run("feeds", "show", feeds[0]["id"], "--json").output)["tags"] == [tag.id]
    post(client, headers)
    page = timeline(client, headers)
    groups = [i for i in page["tweets"] if i["type"] == "news_group"]
    assert groups and groups[0]["header"] == "Violência"
    assert {n["title"] for n in groups[0]["news"]} == {"Lei Maria da Penha completa anos",
                                                       "“Mulher” teste decode encoded titles"}
    listed = json.loads(run("news", "list", "--json").output)
    assert len(listed) == 2
    assert run("news", "hide", listed[0]["id"]).exit_code == 0
    assert len(json.loads(run("news", "list", "--json").output)) == 1
    showcase = json.loads(run("news", "showcase", "--json").output)
    assert [len(g["news"]) for g in showcase] == [1]
    assert json.loads(run("news", "showcase", "--remove", tag.id, "--json").output) == []
    assert json.loads(run("news", "tags", "--json").output)[0]["is_topic"] == 0
    assert run("feeds", "disable", feeds[0]["id"]).exit_code == 0
    assert {a[0] for a in actions()} >= {"feeds.add", "feeds.disable", "news.hide", "news.topic", "news.tag_add"}


def test_a_failing_feed_is_reported_and_exits_non_zero():
    with feed_server() as server:
        run("feeds", "add", server.url + "/malformed")
        r = run("feeds", "fetch")
    assert r.exit_code == 1 and "not a valid feed" in r.output


def test_every_community_command_has_an_example():
    for group, commands in (("timeline", ["reports", "show", "hide", "unhide", "delete"]),
                            ("feeds", ["add", "list", "show", "disable", "fetch"]),
                            ("news", ["list", "hide", "showcase", "tags", "tag-add"]),
                            ("users", ["reports", "set-admin", "unset-admin"])):
        for command in commands:
            r = runner.invoke(app, [group, command, "--help"])
            assert r.exit_code == 0 and "Example:" in r.output, (group, command, r.output)
