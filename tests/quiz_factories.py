"""Questionnaires made for one test. The questionnaire tables hold seeded content that survives between tests, so
every questionnaire made here is deleted (with its questions) when the test ends."""
import itertools

import pytest

from penhas_api.core import clock
from penhas_api.core.models import Questionnaire, QuizConfig

_seq = itertools.count(1)


class QuestionnaireMaker:
    def __init__(self):
        self.made: list[int] = []

    def __call__(self, rows: list[dict], **overrides) -> Questionnaire:
        now = clock.now()
        values = dict(created_on=now, modified_on=now, active=True, name=f"aaa-test-{next(_seq)}", condition="1",
                      end_screen="/mainboard?page=feed", penhas_start_automatically=True)
        values.update(overrides)
        questionnaire = Questionnaire.create(**values)
        self.made.append(questionnaire.id)
        for sort, row in enumerate(rows):
            QuizConfig.create(questionnaire=questionnaire, status=row.pop("status", "published"), sort=sort,
                              modified_on=now, question=row.pop("question", ""), **row)
        return Questionnaire.get_by_id(questionnaire.id)

    def cleanup(self):
        if self.made:
            QuizConfig.delete().where(QuizConfig.questionnaire.in_(self.made)).execute()
            Questionnaire.delete().where(Questionnaire.id.in_(self.made)).execute()


@pytest.fixture
def make_questionnaire(db):
    maker = QuestionnaireMaker()
    yield maker
    maker.cleanup()
