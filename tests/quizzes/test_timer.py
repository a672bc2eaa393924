"""The server's clock: stored deadline, network grace, overdue finalization (controllable `now`)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from studyapp.quizzes import services
from studyapp.quizzes.models import Attempt
from studyapp.srs.models import ReviewLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def mock(bank, user, small_profile, now):
    return services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=4)


def _first_option(attempt, position=1):
    return attempt.questions.get(position=position).option_ids[:1]


def test_deadline_is_stored_from_the_profile(mock, now):
    assert mock.deadline == now + timedelta(minutes=20)
    assert mock.started_at == now


def test_answer_just_after_the_deadline_but_within_grace_counts(mock, user):
    at = mock.deadline + services.GRACE - timedelta(seconds=1)
    saved = services.answer_save(
        user=user, attempt_id=mock.pk, position=1, option_ids=_first_option(mock), now=at
    )
    assert saved.selected_ids == _first_option(mock)
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.IN_PROGRESS


def test_grace_is_at_most_30_seconds():
    assert timedelta(0) < services.GRACE <= timedelta(seconds=30)


def test_answer_after_deadline_plus_grace_is_refused_and_the_attempt_finalized(mock, user):
    on_time = mock.deadline - timedelta(minutes=1)
    services.answer_save(
        user=user, attempt_id=mock.pk, position=1, option_ids=_first_option(mock), now=on_time
    )
    late = mock.deadline + services.GRACE + timedelta(seconds=1)

    with pytest.raises(services.TooLate) as error:
        services.answer_save(
            user=user, attempt_id=mock.pk, position=2, option_ids=_first_option(mock, 2), now=late
        )

    assert "tempo" in str(error.value.message).lower()
    assert mock.questions.get(position=2).selected_ids == []  # not counted
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.EXPIRED
    assert mock.finished_at == mock.deadline
    assert mock.time_used == timedelta(minutes=20)
    assert mock.correct_count is not None and mock.scaled_score is not None


def test_flag_after_the_deadline_is_refused(mock, user):
    with pytest.raises(services.TooLate):
        services.flag_set(
            user=user,
            attempt_id=mock.pk,
            position=1,
            flagged=True,
            now=mock.deadline + timedelta(minutes=1),
        )
    assert not mock.questions.get(position=1).flagged


def test_touching_an_overdue_attempt_finalizes_it(mock, user):
    services.answer_save(
        user=user,
        attempt_id=mock.pk,
        position=1,
        option_ids=_first_option(mock),
        now=mock.started_at,
    )
    services.attempt_expire_if_overdue(attempt=mock, now=mock.deadline + timedelta(seconds=5))
    assert mock.status == Attempt.Status.IN_PROGRESS  # still within grace
    services.attempt_expire_if_overdue(attempt=mock, now=mock.deadline + timedelta(hours=1))
    assert mock.status == Attempt.Status.EXPIRED
    # The answer saved in time was graded and fed to spaced repetition.
    assert mock.questions.get(position=1).graded_at is not None
    assert ReviewLog.objects.filter(user=user, source=ReviewLog.Source.QUIZ).count() == 1


def test_submit_within_grace_is_a_normal_submit(mock, user):
    finished = services.attempt_submit(
        user=user, attempt_id=mock.pk, now=mock.deadline + timedelta(seconds=3)
    )
    assert finished.status == Attempt.Status.SUBMITTED
    assert finished.finished_at == mock.deadline


def test_submitting_twice_is_harmless(mock, user, now):
    first = services.attempt_submit(user=user, attempt_id=mock.pk, now=now + timedelta(minutes=1))
    second = services.attempt_submit(user=user, attempt_id=mock.pk, now=now + timedelta(minutes=2))
    assert second.finished_at == first.finished_at


def test_practice_has_no_deadline(bank, user, now):
    attempt = services.attempt_start_practice(user=user, decks=[bank["alpha"]], count=5, now=now)
    later = now + timedelta(days=3)
    services.answer_save(
        user=user, attempt_id=attempt.pk, position=1, option_ids=_first_option(attempt), now=later
    )
    assert attempt.deadline is None
    assert not services.is_overdue(attempt, later)


def test_overdue_attempts_are_swept_by_the_command_and_the_start_page(
    bank, user, other_user, small_profile, user_client
):
    past = timezone.now() - timedelta(hours=2)
    mine = services.attempt_start_mock(user=user, profile=small_profile, now=past)
    theirs = services.attempt_start_mock(user=other_user, profile=small_profile, now=past)
    user_client.get("/quiz/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Attempt.Status.EXPIRED
    assert theirs.status == Attempt.Status.IN_PROGRESS  # the page touches only the user's own
    call_command("quiz_finalize_overdue")
    theirs.refresh_from_db()
    assert theirs.status == Attempt.Status.EXPIRED


def test_question_page_of_an_overdue_attempt_goes_to_the_result(
    bank, user, small_profile, user_client
):
    attempt = services.attempt_start_mock(
        user=user, profile=small_profile, now=timezone.now() - timedelta(hours=1)
    )
    response = user_client.get(f"/quiz/a/{attempt.pk}/q/1/")
    assert response.status_code == 302
    assert response["Location"] == f"/quiz/a/{attempt.pk}/result/"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED


def test_next_with_an_unchanged_answer_after_the_deadline_finalizes_and_refuses(
    bank, user, small_profile, user_client
):
    attempt = services.attempt_start_mock(
        user=user, profile=small_profile, now=timezone.now() - timedelta(minutes=19, seconds=50)
    )
    option = attempt.questions.get(position=1).option_ids[0]
    services.answer_save(user=user, attempt_id=attempt.pk, position=1, option_ids=[option])
    attempt.deadline = timezone.now() - timedelta(minutes=5)
    attempt.save(update_fields=["deadline"])
    response = user_client.post(
        f"/quiz/a/{attempt.pk}/q/1/answer/", {"option": option, "go": "next"}
    )
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED


def test_late_autosave_over_http_is_refused_with_a_message(bank, user, small_profile, user_client):
    attempt = services.attempt_start_mock(
        user=user, profile=small_profile, now=timezone.now() - timedelta(minutes=21)
    )
    option = attempt.questions.get(position=1).option_ids[0]
    response = user_client.post(
        f"/quiz/a/{attempt.pk}/q/1/answer/", {"option": option}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert response["HX-Redirect"] == f"/quiz/a/{attempt.pk}/result/"
    assert "não foi contada" in response.content.decode()
    assert attempt.questions.get(position=1).selected_ids == []
    plain = user_client.post(f"/quiz/a/{attempt.pk}/q/1/answer/", {"option": option})
    assert plain.status_code == 400
    assert "finalizada" in plain.content.decode()
