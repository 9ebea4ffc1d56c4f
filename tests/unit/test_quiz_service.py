"""The quiz service: the assistant entry of GET /me/chats (backend-rules §8.2), built for the chat view, and the
questionnaire GET /me shows."""
from datetime import datetime

from penhas_api.core import clock
from penhas_api.core.models import Cliente, Questionnaire, QuizSession
from penhas_api.core.services.escape_manual import user_tag
from penhas_api.core.services.quiz import assistant_chat_entry
from tests.factories import make_user


def test_assistant_entry_before_and_after_the_quiz(db):
    user = make_user()
    entry = assistant_chat_entry(user)
    assert entry == {"title": "Assistente PenhaS", "subtitle": "Entenda se você está em situação de violência",
                     "avatar_url": "http://127.0.0.1:8000/avatar/penhas.svg",
                     "quiz_session": {"session_id": "A" + user_tag(user), "prev_msgs": None, "current_msgs": [
                         {"type": "yesno", "content": "Deseja responder o questionário?",
                          "ref": "reset_questionnaire"}]}}
    clock.set_now(datetime(2026, 3, 8, 12, 0))
    QuizSession.create(cliente=user, questionnaire=Questionnaire.get_by_id(1), created_at=clock.now(),
                       finished_at=clock.now(), stash={}, responses={})
    Cliente.update(quiz_detectou_violencia=True).where(Cliente.id == user.id).execute()
    msgs = assistant_chat_entry(user)["quiz_session"]["current_msgs"]
    assert msgs[0]["content"] == ("De acordo com as respostas do questionário realizado no dia 08/03/2026, "
                                  "identifiquei que você estava em situação de risco.")
    assert msgs[1]["content"] == "Deseja responder o questionário novamente?"
    # An escape-manual block she finished is not "the questionnaire".
    other = make_user()
    QuizSession.create(cliente=other, questionnaire=Questionnaire.get_by_id(12), created_at=clock.now(),
                       finished_at=clock.now(), stash={}, responses={})
    assert len(assistant_chat_entry(other)["quiz_session"]["current_msgs"]) == 1


def test_no_assistant_for_men(db):
    assert assistant_chat_entry(make_user(genero="Masculino")) is None


def test_the_pending_questionnaire_comes_with_her_latest_open_session_in_one_query(db):
    from penhas_api.core import clock
    from penhas_api.core.models import QuizSession
    from penhas_api.core.services import quiz
    from tests.factories import make_user
    from tests.query_counter import count_queries

    her, other = make_user(), make_user()
    chosen = quiz.eligible(her)
    assert chosen is not None and chosen.open_session is None
    first = quiz.open_session(her, chosen)
    quiz.open_session(other, quiz.eligible(other))  # another woman's session is never hers
    QuizSession.create(cliente=her, questionnaire=chosen.id, created_at=clock.now(), deleted=True)  # set aside
    with count_queries() as queries:
        again = quiz.eligible(her)
    assert queries["n"] == 1
    assert again.id == chosen.id and again.open_session.id == first.id
    assert quiz.open_session(her, again).id == first.id
    QuizSession.update(finished_at=clock.now()).where(QuizSession.id == first.id).execute()
    after = quiz.eligible(her)
    assert after is None or after.id != chosen.id
