"""One lock order for a learner's writes on PostgreSQL (srs.services._learner_lock): the
learner's advisory lock first, then rows. Quiz grading locks its cards at once
(cards_lock_for_quiz) and then answers them one by one; a study answer in another tab takes
the learner's lock and then its card: with the card rows locked before the learner's lock,
the two waited for each other and PostgreSQL aborted one (found by review)."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from studyapp.srs import services
from studyapp.srs.models import StudyCard

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row and advisory locks: PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_quiz_grading_and_a_study_answer_in_another_tab_never_deadlock(user, seed_deck, now):
    services.cards_ensure(user=user, now=now)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    item = card.item
    quiz_locked = threading.Event()
    errors = []

    def quiz():
        try:
            with transaction.atomic():
                services.cards_lock_for_quiz(user=user, items=[item])
                quiz_locked.set()
                time.sleep(0.5)  # the study answer is waiting now
                services._locked_card(user=user, card_id=card.pk)
        except OperationalError as error:
            errors.append(("quiz", error))
        finally:
            connections.close_all()

    def study():
        quiz_locked.wait(10)
        try:
            with transaction.atomic():
                services._locked_card(user=user, card_id=card.pk)
        except OperationalError as error:
            errors.append(("study", error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=quiz), threading.Thread(target=study)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
