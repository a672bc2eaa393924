"""Synthetic finished mock exams for the demo class (``seed_demo_data --mocks``)."""

from __future__ import annotations

from datetime import timedelta

from studyapp.content.models import Item, Option
from studyapp.quizzes import exam, selectors
from studyapp.quizzes.models import Attempt, AttemptQuestion, ExamProfile

from .bulk import insert_rows

ANSWER_COLUMNS = (
    "attempt_id",
    "item_id",
    "position",
    "domain",
    "option_ids",
    "choose_count",
    "selected_ids",
    "flagged",
    "answered_at",
    "graded_at",
    "is_correct",
)


def seed_mocks(*, people, per_user: int, rng, now) -> int:
    """Synthetic finished mock exams: for each user up to ``per_user`` attempts in the last
    60 days (the default profile's), each question right with a per-user skill."""
    profile = selectors.exam_profile()
    questions = list(Item.objects.studiable().mock_eligible().values_list("pk", flat=True))
    if not questions:
        return 0
    options: dict[int, list[tuple[int, bool]]] = {}
    for option_id, item_id, correct in Option.objects.filter(item_id__in=questions).values_list(
        "pk", "item_id", "is_correct"
    ):
        options.setdefault(item_id, []).append((option_id, correct))
    profile_row = ExamProfile.objects.filter(is_active=True).order_by("-is_default", "pk").first()
    count = min(profile.question_count, len(questions))
    attempts, answers = [], []
    for person in people:
        skill = rng.uniform(0.45, 0.9)
        for n in range(per_user):
            started = now - timedelta(days=rng.randint(1, 60), hours=n)
            drawn = rng.sample(questions, count)
            right = [rng.random() < skill for _ in drawn]
            score = exam.scaled_score(sum(right), count)
            attempt = Attempt(
                user=person,
                kind=Attempt.Kind.MOCK,
                profile=profile_row,
                title=profile_row.name if profile_row else exam.NAME,  # as a real mock
                seed=rng.randint(1, 2**31),
                status=Attempt.Status.SUBMITTED,
                started_at=started,
                deadline=started
                + timedelta(minutes=profile_row.minutes if profile_row else exam.MINUTES),
                finished_at=started + timedelta(minutes=rng.randint(40, 125)),
                pass_mark=profile.pass_mark,
                question_count=count,
                correct_count=sum(right),
                scaled_score=score,
                passed=score >= profile.pass_mark,
            )
            attempts.append((attempt, drawn, right))
    Attempt.objects.bulk_create([a for a, _d, _r in attempts], batch_size=500)
    for attempt, drawn, right in attempts:
        for position, (item_id, ok) in enumerate(zip(drawn, right, strict=True), start=1):
            choices = options.get(item_id, [])
            pick = [o for o, c in choices if c == ok] or [o for o, _c in choices]
            answers.append(
                (
                    attempt.pk,
                    item_id,
                    position,
                    None,
                    [o for o, _c in choices],
                    1,
                    pick[:1],
                    False,
                    attempt.finished_at,
                    attempt.finished_at,
                    ok,
                )
            )
    insert_rows(AttemptQuestion, ANSWER_COLUMNS, answers)
    return len(attempts)
