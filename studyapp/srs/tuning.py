"""Services for per-learner FSRS parameters: read the learner's review log, run the optimizer
(``optimizer.py``, pure), store the evaluation, keep the parameters when they predict the
held-out reviews better, and reschedule the learner's cards with them.

The review log is never changed. Answers that did not reschedule the card (a quiz answer on
a card that was not due) are left out: they are not part of the memory the scheduler keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import optimizer, scheduler, timing
from .models import ParameterEvaluation, ReviewLog, State, StudyCard, StudySettings
from .services import (
    StudyError,
    _learner_lock,
    retention_reset,
    retention_target,
    study_settings_get,
)


class NotEnoughReviews(StudyError):
    def __init__(self, reviews: int, minimum: int = optimizer.MIN_REVIEWS):
        self.reviews = reviews
        self.minimum = minimum
        super().__init__(
            _(
                "Ainda não há histórico suficiente para treinar parâmetros: %(n)d revisões "
                "de %(min)d necessárias (respostas em dias de estudo diferentes)."
            )
            % {"n": reviews, "min": minimum}
        )


# One training run per learner per this long: each run costs seconds of CPU in the request.
RETRAIN_AFTER = timedelta(minutes=10)


class TooSoon(StudyError):
    def __init__(self, wait: timedelta):
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        super().__init__(
            _("Os parâmetros acabaram de ser treinados: tente de novo em %(n)d min.")
            % {"n": minutes}
        )


@dataclass
class Outcome:
    evaluation: ParameterEvaluation | None
    reviews: int
    enough: bool


def _answers(*, user, tz) -> list[optimizer.Answer]:
    """The learner's answers in time order, with their study day (``timing.study_day``)."""
    rows = (
        ReviewLog.objects.filter(user=user, rescheduled=True)
        .order_by("reviewed_at", "id")
        .values_list("card_id", "reviewed_at", "rating", "state_before")
    )
    return [
        optimizer.Answer(
            card=card_id,
            day=timing.study_day(reviewed_at, tz).toordinal(),
            rating=rating,
            new=state_before == State.NEW,
        )
        for card_id, reviewed_at, rating, state_before in rows.iterator(chunk_size=5000)
    ]


def _histories(answers: list[optimizer.Answer]) -> dict[int, list[tuple[int, int]]]:
    """card → [(study day, rating), …] from its latest start as a new card."""
    histories: dict[int, list[tuple[int, int]]] = {}
    for answer in answers:
        if answer.new:
            histories[answer.card] = []
        if answer.card in histories:
            histories[answer.card].append((answer.day, answer.rating))
    return histories


def cards_reschedule(
    *,
    user,
    settings: StudySettings,
    answers: list[optimizer.Answer] | None = None,
    now: datetime | None = None,
) -> int:
    """Recompute the memory (stability, difficulty) of the learner's studied cards from their
    history under the learner's parameters; review cards get the interval those give from
    their last review, due from the start of that study day (now at the earliest). Learning
    steps keep their times; the review log is untouched. Returns how many cards changed."""
    now = now or timezone.now()
    parameters = settings.parameters or optimizer.DEFAULT_PARAMETERS
    if answers is None:
        answers = _answers(user=user, tz=settings.tzinfo)
    states = optimizer.memory_states(parameters, _histories(answers))
    target = retention_target(settings=settings, now=now)
    changed = []
    cards = StudyCard.objects.filter(user=user, pk__in=list(states)).exclude(state=State.NEW)
    for card in cards.only(
        "id", "state", "stability", "difficulty", "due", "last_review", "scheduled_retention"
    ):
        stability, difficulty = states[card.pk]
        card.stability, card.difficulty = stability, difficulty
        if card.state == State.REVIEW and card.last_review is not None:
            days = optimizer.next_interval_days(
                parameters, stability, target, settings.maximum_interval
            )
            # Due for the whole study day ``days`` after the last review's (scheduler's rule).
            day = timing.study_day(card.last_review, settings.tzinfo) + timedelta(days=days)
            card.due = max(now, scheduler.review_due(day, settings.tzinfo))
            card.scheduled_retention = target
        changed.append(card)
    StudyCard.objects.bulk_update(
        changed, ["stability", "difficulty", "due", "scheduled_retention"], batch_size=500
    )
    return len(changed)


def parameters_optimize(*, user, now: datetime | None = None, force: bool = False) -> Outcome:
    """Train parameters from the learner's log; store the evaluation; when accepted, keep
    them, reschedule the cards and refresh the suggested retention. Below the minimum
    number of reviews nothing is stored (``outcome.enough`` is False). A second run within
    ``RETRAIN_AFTER`` raises :class:`TooSoon` unless ``force`` (the command line)."""
    now = now or timezone.now()
    last = latest_evaluation(user=user)
    if not force and last is not None and now - last.created_at < RETRAIN_AFTER:
        raise TooSoon(last.created_at + RETRAIN_AFTER - now)
    settings = study_settings_get(user=user)
    answers = _answers(user=user, tz=settings.tzinfo)
    result = optimizer.optimize(answers, settings.parameters)
    if not result.enough:
        return Outcome(evaluation=None, reviews=result.reviews, enough=False)
    suggestion = None
    if result.accepted:
        suggestion = optimizer.suggest_retention(
            result.parameters, **_simulation_inputs(user=user, settings=settings)
        )
    with transaction.atomic():
        evaluation = ParameterEvaluation(
            user=user,
            created_at=now,
            reviews=result.reviews,
            logloss_before=result.logloss_before,
            logloss_after=result.logloss_after,
            rmse_before=result.rmse_before,
            rmse_after=result.rmse_after,
            accepted=result.accepted,
            parameters=result.parameters,
        )
        if result.accepted:
            _learner_lock(user.pk)  # before the settings row and the cards rescheduled
            settings = StudySettings.objects.select_for_update().get(pk=settings.pk)
            settings.fsrs_parameters = result.parameters
            settings.suggested_retention = suggestion
            # The model's predictions change with the parameters: today's target too.
            retention_reset(settings)
            settings.save(update_fields=["fsrs_parameters", "suggested_retention", "retention_day"])
            evaluation.rescheduled = cards_reschedule(
                user=user, settings=settings, answers=answers, now=now
            )
        evaluation.save()
    return Outcome(evaluation=evaluation, reviews=result.reviews, enough=True)


def _simulation_inputs(*, user, settings: StudySettings) -> dict:
    return {
        "deck_size": StudyCard.objects.filter(user=user, suspended=False).count() or 1000,
        "new_per_day": settings.new_per_day,
        "reviews_per_day": settings.reviews_per_day,
    }


def retention_suggest(*, user) -> float:
    """Run fsrs-rs's simulator for the learner (their parameters, deck size and daily limits)
    and store the desired retention with the least study time per card remembered."""
    settings = study_settings_get(user=user)
    value = optimizer.suggest_retention(
        settings.parameters, **_simulation_inputs(user=user, settings=settings)
    )
    StudySettings.objects.filter(pk=settings.pk).update(suggested_retention=value)
    return value


def latest_evaluation(*, user) -> ParameterEvaluation | None:
    return ParameterEvaluation.objects.filter(user=user).order_by("-created_at", "-id").first()
