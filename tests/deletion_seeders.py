"""Everything a user can own, created for the LGPD deletion test (tests/integration/test_user_deletion.py).

Every feature that adds a table with a ``cliente_id`` column (or keeps her data outside the database) adds a
``@seeder`` here that gives ``user`` at least one row in each of its tables. The deletion test fails for any
table with a ``cliente_id`` column that no seeder filled, so a new table cannot be forgotten.

A seeder may return a callable; the test calls it after the deletion, and it must assert that the user's data
outside the database (stored objects, cache keys) is gone.
"""
from datetime import timedelta
from typing import Callable

from penhas_api.core import clock

SEEDERS: list[Callable] = []


def seeder(fn: Callable) -> Callable:
    SEEDERS.append(fn)
    return fn


def seed_all(user) -> list[Callable]:
    checks = []
    for fn in SEEDERS:
        check = fn(user)
        if check is not None:
            checks.append(check)
    return checks


@seeder
def seed_accounts(user):
    from penhas_api.core.models import (
        Badge, ClienteAppNotification, ClientePreference, ClienteSession, ClienteSkill, ClienteTag, CpfCache, CpfErro,
        EmailOutbox, LoginErro, LoginLog, NotificationLog, NotificationMessage, Preference, ResetPassword, Skill,
    )
    from penhas_api.core.services.notifications import notify_users
    from tests.factories import make_user

    now = clock.now()
    ClienteSession.create(cliente=user, created_at=now, expires_at=now + timedelta(days=365))
    LoginLog.create(cliente=user, remote_ip="10.0.0.1", app_version="test", created_at=now)
    LoginErro.create(cliente=user, remote_ip="10.0.0.1", created_at=now)
    ResetPassword.create(cliente=user, token="digest", valid_until=now + timedelta(hours=1),
                         requested_by_remote_ip="10.0.0.1", created_at=now)
    ClientePreference.create(cliente=user, preference=Preference.get(Preference.name == "NOTIFY_CHAT_NEW_MESSAGES"),
                             value="0", created_at=now, updated_at=now)
    ClienteSkill.create(cliente=user, skill=Skill.get_by_id(1))
    badge = Badge.create(code="circulo-penhas", name="Círculo", description="d", image_url="u", image_url_black="u",
                         created_on=now)
    ClienteTag.create(cliente=user, badge=badge, valid_until=now + timedelta(days=365), created_on=now)
    notify_users([user.id], "Aviso", "para ela")
    newest = NotificationLog.select().where(NotificationLog.cliente == user).order_by(NotificationLog.id.desc()).get()
    ClienteAppNotification.create(cliente=user, read_until=now, read_until_id=newest.id)
    EmailOutbox.create(created_at=now, to_address=user.email, subject="s", body="b", backend="log", cliente=user)

    # Rows keyed by her CPF digest rather than her id: the registry's cached answer and the sign-up error counter.
    CpfCache.create(cpf_hashed=user.cpf_hash, dt_nasc=user.dt_nasc, nome_hashed="digest", created_at=now)
    CpfErro.create(cpf_hash=user.cpf_hash, cpf_start=user.cpf_prefix, remote_ip="10.0.0.1",
                   reset_at=now + timedelta(days=1))

    # A message she caused in someone else's list must no longer point at her.
    notify_users([make_user().id], "curtiu sua publicação", "post", subject_id=user.id)

    def check():
        assert NotificationMessage.select().where(NotificationMessage.subject_id == user.id).count() == 0
        assert not CpfCache.select().where(CpfCache.cpf_hashed == user.cpf_hash).exists()
        assert not CpfErro.select().where(CpfErro.cpf_hash == user.cpf_hash).exists()

    return check


@seeder
def seed_audio(user):
    """Two recorded segments through the real upload (rows in media_upload, clientes_audios, clientes_audios_eventos
    and encrypted objects in storage); the check asserts the objects left storage."""
    import uuid

    from penhas_api.core.adapters.storage import get_storage
    from penhas_api.core.models import MediaUpload
    from penhas_api.core.services.audio import upload_segment
    from tests.audio_samples import aac

    event = str(uuid.uuid4())
    now = clock.now()
    for sequence, data in ((1, aac(2, 440)), (2, aac(3, 550))):
        upload_segment(user, event_uuid=event, event_sequence=sequence, cliente_created_at=now, current_time=now,
                       data=data, filename=f"{sequence}.aac", sha1=None)
    keys = [m.s3_path for m in MediaUpload.select().where(MediaUpload.cliente == user.id)]

    def check():
        storage = get_storage()
        assert keys and not any(storage.exists(key) for key in keys)

    return check


@seeder
def seed_centers(user):
    """A rating, a suggestion and a keyword search of hers; a center published from her suggestion stays, unlinked."""
    from penhas_api.core.models import Center, CenterRating, CenterSuggestion, KeywordLog
    from tests.center_factories import make_center

    now = clock.now()
    center = make_center(cliente=user.id)
    CenterRating.create(cliente=user, center=center, created_at=now, avaliacao=4)
    CenterSuggestion.create(cliente=user, created_at=now, nome="Casa", categoria=5, nome_logradouro="Rua A",
                            abrangencia="Local", municipio="São Paulo", uf="SP", metainfo={"ip": "10.0.0.1"},
                            created_ponto_apoio=center)
    KeywordLog.create(created_on=now, cliente=user, keywords="delegacia")

    def check():
        assert Center.get_by_id(center.id).cliente_id is None

    return check


@seeder
def seed_guardians(user):
    """A guardian, an alert and a police-button press of hers, and the SMS log rows they produced."""
    from penhas_api.core.models import Guardian, PanicAlert, PoliceCall, SentSms
    from penhas_api.core.services.guardians import new_token

    now = clock.now()
    guardian = Guardian.create(cliente=user, celular_e164="+5511912341234", nome="Guardiã", token=new_token(),
                               created_at=now, celular_formatted_as_national="(11) 91234-1234",
                               expires_at=now + timedelta(days=30), status="accepted", accepted_at=now)
    alert = PanicAlert.create(cliente=user, created_at=now, gps_lat="-23.5", gps_long="-46.6", sms_enviados=1)
    PoliceCall.create(cliente=user, created_at=now)
    SentSms.create(phonenumber=guardian.celular_e164, message="PenhaS: alerta", created_at=now, kind="alert",
                   priority=100, status="sent", updated_at=now, cliente=user, guardiao=guardian, alert=alert)


@seeder
def seed_quiz(user):
    """Her onboarding quiz session, a started Manual de Fuga (control row, block session), tasks and MF tags."""
    from penhas_api.core.models import ClienteMfTag, MfClienteTarefa, MfControl, QuizSession
    from penhas_api.core.services import escape_manual, mf_tasks, quiz, quiz_tags

    assert quiz.pending_quiz(user) is not None
    escape_manual.start(user)
    mf_tasks.add_tasks(user.id, ["T1", "T9"])
    quiz_tags.add_tags(user.id, ["T1"])

    def check():
        for model in (QuizSession, MfControl, MfClienteTarefa, ClienteMfTag):
            assert not model.select().where(model.cliente == user.id).exists(), model

    return check


@seeder
def seed_people(user):
    """Her blocks and profile reports, and those that name her: all go with her account."""
    from penhas_api.core.models import ProfileReport, TimelineBlock
    from tests.factories import make_user

    now = clock.now()
    third = make_user()
    TimelineBlock.create(cliente=user, blocked=third, created_at=now)
    TimelineBlock.create(cliente=third, blocked=user, created_at=now)
    ProfileReport.create(cliente=user, reported=third, reason="r", created_at=now)
    ProfileReport.create(cliente=third, reported=user, reason="r", created_at=now)

    def check():
        assert not TimelineBlock.select().where(TimelineBlock.blocked == user.id).exists()
        assert not ProfileReport.select().where(ProfileReport.reported == user.id).exists()

    return check


@seeder
def seed_chat(user):
    """A room she opened and one opened with her (messages from both sides in each), chat blocks both ways, her
    support conversation with a staff answer, and chat notifications pending for her and from her."""
    from penhas_api.core.models import ChatBlock, ChatMessage, ChatPendingNotification, ChatSession
    from penhas_api.core.services import chat, chat_notifications, chat_support
    from penhas_api.core.services.notifications import SUBJECT_SUPPORT
    from tests.factories import make_user

    now = clock.now()
    friend, stranger = make_user(), make_user()
    rooms = [chat.open_room(user, friend.id), chat.open_room(stranger, user.id)]
    for room, other in zip(rooms, (friend, stranger)):
        chat.send_message(user, room, "mensagem dela")
        chat.send_message(other, room, "resposta")
    ChatBlock.create(cliente=user, blocked_cliente=friend, created_at=now)
    ChatBlock.create(cliente=stranger, blocked_cliente=user, created_at=now)
    chat_support.send_from_user(user, "preciso de ajuda")
    chat_support.reply(user.id, "estamos aqui", actor="equipe")
    chat_notifications.add_pending(user.id, SUBJECT_SUPPORT, now)
    room_ids = [r.id for r in rooms]

    def check():
        assert not ChatSession.select().where(ChatSession.id.in_(room_ids)).exists()
        assert not ChatMessage.select().where(ChatMessage.session.in_(room_ids)).exists()
        assert not ChatBlock.select().where(ChatBlock.blocked_cliente == user.id).exists()
        assert not ChatPendingNotification.select().where(
            ChatPendingNotification.pending_message_cliente_id == user.id).exists()

    return check


@seeder
def seed_timeline(user):
    """Her post, her comment and like on another woman's post, a like and a comment on hers, a report, a news
    opening and a badge invitation. After deletion the other woman's post has its counters back."""
    from penhas_api.core.models import (
        Badge, BadgeInvite, Noticia, NoticiaAbertura, Tweet, TweetLike, TweetReport,
    )
    from penhas_api.core.services import timeline
    from tests.factories import make_user

    now = clock.now()
    third = make_user()
    hers = timeline.create_tweet(user, "meu post")
    theirs = timeline.create_tweet(third, "post dela")
    timeline.create_tweet(third, "comentário no meu", reply_to=hers.id)
    timeline.create_tweet(user, "meu comentário", reply_to=theirs.id)
    timeline.like(user, theirs.id)
    timeline.like(third, hers.id)
    TweetReport.create(cliente=user, tweet=theirs, reason="r", created_at=now)
    news = Noticia.create(title="t", hyperlink=f"https://news.example/{user.id}", created_at=now,
                          display_created_time=now, published="published")
    NoticiaAbertura.create(noticia=news, cliente=user, track_id="1:abcd", created_at=now)
    badge = Badge.create(code="circulo-penhas", name="Círculo", description="d", image_url="u", image_url_black="u",
                         created_on=now)
    BadgeInvite.create(badge=badge, cliente=user, created_on=now)

    def check():
        post = Tweet.get_by_id(theirs.id)
        assert (post.qtde_comentarios, post.ultimo_comentario_id, post.qtde_likes) == (0, None, 0)
        assert not Tweet.select().where(Tweet.parent == hers.id).exists()
        assert not TweetLike.select().where(TweetLike.tweet == hers.id).exists()

    return check
