"""Notifications for comments, likes and Círculo PenhaS posts, through the queued task (rules §10, suite 109)."""
from datetime import timedelta

from penhas_api.core import clock
from penhas_api.core.models import Badge, ClienteTag, NotificationLog, NotificationMessage
from penhas_api.core.services import people
from tests.factories import auth_headers, make_user
from tests.timeline_helpers import comment, post


def inbox(user) -> list[tuple[str, str]]:
    rows = (NotificationLog.select(NotificationLog, NotificationMessage).join(NotificationMessage)
            .where(NotificationLog.cliente == user.id).order_by(NotificationLog.id))
    return [(r.message.title, r.message.content) for r in rows]


def users(app, n, **kw):
    out = []
    for _ in range(n):
        u = make_user(**kw)
        out.append((u, auth_headers(app, u)))
    return out


def test_comment_notifications_follow_the_thread(client, app):
    (owner, ho), (second, h2), (third, h3), (fourth, h4) = users(app, 4)
    root = post(client, ho, "raiz")
    comment(client, ho, root["id"], "meu")
    assert inbox(owner) == []
    c2 = comment(client, h2, root["id"], "comment")
    assert inbox(owner) == [("comentou na sua publicação", "❝comment❞ na publicação ❝raiz❞")]
    deep = comment(client, ho, c2["id"], "resposta")  # owner replies to the comment
    assert inbox(second) == [("comentou na publicação que você participou", "❝resposta❞ na publicação ❝comment❞")]
    assert len(inbox(owner)) == 1
    comment(client, h3, c2["id"], "subcomment")
    assert inbox(owner)[-1] == ("comentou na sua publicação", "❝subcomment❞ na publicação ❝comment❞")
    assert inbox(second)[-1][1] == "❝subcomment❞ na publicação ❝comment❞"
    comment(client, h4, root["id"], "quarta")
    assert inbox(owner)[-1][1] == "❝quarta❞ na publicação ❝raiz❞"
    assert inbox(second)[-1][1] == "❝quarta❞ na publicação ❝raiz❞"
    assert all("quarta" not in c for _, c in inbox(third))
    assert deep["meta"]["can_reply"] == 0


def test_comment_preferences_suppress(client, app):
    (owner, ho), (second, h2), (third, h3) = users(app, 3)
    client.post("/me/preferences", headers=ho, query_string={"NOTIFY_COMMENTS_POSTS_CREATED": "0"})
    client.post("/me/preferences", headers=h2, query_string={"NOTIFY_COMMENTS_POSTS_COMMENTED": "0"})
    root = post(client, ho)
    comment(client, h2, root["id"])
    comment(client, h3, root["id"])
    assert inbox(owner) == [] and inbox(second) == []


def test_like_notifications(client, app):
    (owner, ho), (liker, hl) = users(app, 2)
    root = post(client, ho, "raiz")
    client.post(f"/timeline/{root['id']}/like", headers=ho)
    assert inbox(owner) == []
    client.post(f"/timeline/{root['id']}/like", headers=hl)
    client.post(f"/timeline/{root['id']}/like", headers=hl)  # already liked: no second notification
    assert inbox(owner) == [("curtiu sua publicação", "raiz")]
    reply = comment(client, ho, root["id"], "meu comentário")
    client.post(f"/timeline/{reply['id']}/like", headers=hl)
    assert inbox(owner)[-1] == ("curtiu seu comentário", "meu comentário")
    message = NotificationMessage.select().order_by(NotificationMessage.id.desc()).get()
    assert message.subject_id == liker.id and message.icon == 3
    client.post("/me/preferences", headers=ho, query_string={"NOTIFY_LIKES_POSTS_CREATED": "0"})
    other = post(client, ho, "outro")
    client.post(f"/timeline/{other['id']}/like", headers=hl)
    assert len(inbox(owner)) == 2


def test_anonymous_actors_are_not_named(client, app):
    (owner, ho), (anon, ha) = users(app, 2)
    root = post(client, ho)
    client.post("/me/modo-anonimo-toggle", headers=ha, query_string={"active": "1"})
    comment(client, ha, root["id"])
    client.post(f"/timeline/{root['id']}/like", headers=ha)
    assert {m.subject_id for m in NotificationMessage.select()} == {0}
    listed = client.get("/me/notifications", headers=ho).get_json()["rows"]
    assert {r["name"] for r in listed} == {"Anônimo"}


def test_no_notification_from_someone_she_blocked(client, app):
    (owner, ho), (blocked, hb) = users(app, 2)
    people.block_profile(owner, blocked.id)
    root = post(client, ho)
    # She cannot see his comment or like anyway, but he can still reach her post: no notification either way.
    comment(client, hb, root["id"])
    client.post(f"/timeline/{root['id']}/like", headers=hb)
    assert inbox(owner) == []


def test_circulo_penhas_local_posts(client, app):
    now = clock.now()
    badge = Badge.create(code="circulo-sp", name="Círculo SP", description="d", image_url="u", image_url_black="u",
                         linked_cep_cidade="São Paulo", created_on=now)
    (volunteer, hv), (neighbour, _), (far, _), (holder, _) = (
        users(app, 1, cep_cidade="São Paulo") + users(app, 1, cep_cidade="São Paulo")
        + users(app, 1, cep_cidade="Recife") + users(app, 1, cep_cidade="Campinas"))
    for u in (volunteer, holder):
        ClienteTag.create(cliente=u, badge=badge, valid_until=now + timedelta(days=30), created_on=now)
    post(client, hv, "olá região")
    assert inbox(neighbour) == [("Voluntária de sua região fez uma nova publicação", "olá região")]
    assert inbox(holder) == [("Usuária de sua região fez uma nova publicação", "olá região")]
    assert inbox(far) == [] and inbox(volunteer) == []
    (plain, hp), = users(app, 1, cep_cidade="São Paulo")
    post(client, hp, "sem selo")
    assert len(inbox(neighbour)) == 1  # she holds no badge: her neighbours are not notified
    assert inbox(holder)[-1][1] == "sem selo" and inbox(volunteer) == [("Usuária de sua região fez uma nova "
                                                                        "publicação", "sem selo")]


def test_blocking_hides_her_earlier_notifications_from_that_person(client, app):
    (owner, ho), (other, hx) = users(app, 2)
    root = post(client, ho)
    comment(client, hx, root["id"])
    assert client.get("/me/unread-notif-count", headers=ho).get_json()["count"] == 1
    client.post("/block-profile", headers=ho, query_string={"cliente_id": other.id})
    assert client.get("/me/unread-notif-count", headers=ho).get_json()["count"] == 0
    assert client.get("/me/notifications", headers=ho).get_json()["rows"] == []
