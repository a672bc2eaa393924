"""Read-only access to the quizzes app's data (attempts, answers, exam profiles).

Kept in one module so the rest of progress does not depend on the quizzes models' field
names; when the quizzes app is not installed yet every function returns empty data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from studyapp.quizzes import exam

from .bulk import insert_rows


def _model(name: str):
    try:
        return apps.get_model("quizzes", name)
    except LookupError:
        return None


def available() -> bool:
    return _model("Attempt") is not None


@dataclass
class MockResult:
    id: int
    started_at: datetime
    finished_at: datetime | None
    score: int | None
    passed: bool | None


@dataclass
class Profile:
    pass_mark: int = exam.PASS_MARK
    question_count: int = exam.QUESTION_COUNT
    domain_weights: dict | None = None

    def weights(self) -> dict[int, float]:
        return dict(self.domain_weights or exam.DOMAIN_WEIGHTS)


def exam_profile() -> Profile:
    """The default mock-exam profile (DVA-C02 unless the quizzes app says otherwise)."""
    ExamProfile = _model("ExamProfile")
    if ExamProfile is None:
        return Profile()
    profile = (
        ExamProfile.objects.filter(is_active=True).order_by("-is_default", "position", "pk").first()
    )
    if profile is None:
        return Profile()
    total = sum(profile.domain_weights.values()) or 1
    weights = {int(k): v / total for k, v in profile.domain_weights.items() if v} or None
    return Profile(
        pass_mark=profile.pass_mark,
        question_count=profile.question_count,
        domain_weights=weights,
    )


def _mock_filter():
    Attempt = _model("Attempt")
    return Q(kind=getattr(getattr(Attempt, "Kind", None), "MOCK", "mock"))


def mock_history(*, user, limit: int = 20) -> list[MockResult]:
    """The user's finished mock exams, oldest first (at most ``limit``, the latest ones)."""
    Attempt = _model("Attempt")
    if Attempt is None:
        return []
    rows = (
        Attempt.objects.filter(_mock_filter(), user=user, finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .values_list("pk", "started_at", "finished_at", "scaled_score", "passed")[:limit]
    )
    return [MockResult(*row) for row in reversed(rows)]


def accuracy_by_deck(*, user, before: datetime | None = None) -> dict[int, tuple[int, int]]:
    """{source deck id: (answered, correct)} over the user's answered quiz questions."""
    AttemptQuestion = _model("AttemptQuestion")
    if AttemptQuestion is None:
        return {}
    answers = AttemptQuestion.objects.filter(attempt__user=user, is_correct__isnull=False)
    if before is not None:
        answers = answers.filter(attempt__finished_at__lt=before)
    rows = (
        answers.annotate(source_deck=Coalesce("item__translation_of__deck_id", "item__deck_id"))
        .values("source_deck")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
        .values_list("source_deck", "answered", "correct")
    )
    return {deck_id: (answered, correct) for deck_id, answered, correct in rows}


def last_mock_scores(*, user_ids) -> dict[int, int]:
    """{user id: scaled score of the latest finished mock exam}."""
    Attempt = _model("Attempt")
    if Attempt is None:
        return {}
    rows = (
        Attempt.objects.filter(_mock_filter(), user_id__in=user_ids, finished_at__isnull=False)
        .order_by("user_id", "-finished_at")
        .values_list("user_id", "scaled_score")
    )
    result: dict[int, int] = {}
    for user_id, score in rows:
        result.setdefault(user_id, score)
    return result


def accuracy_by_users(*, user_ids) -> dict[int, dict[int, tuple[int, int]]]:
    """{user id: {source deck id: (answered, correct)}} for a page of students."""
    AttemptQuestion = _model("AttemptQuestion")
    if AttemptQuestion is None:
        return {}
    rows = (
        AttemptQuestion.objects.filter(attempt__user_id__in=user_ids, is_correct__isnull=False)
        .annotate(source_deck=Coalesce("item__translation_of__deck_id", "item__deck_id"))
        .values("attempt__user_id", "source_deck")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
        .values_list("attempt__user_id", "source_deck", "answered", "correct")
    )
    result: dict[int, dict[int, tuple[int, int]]] = {}
    for user_id, deck_id, answered, correct in rows:
        result.setdefault(user_id, {})[deck_id] = (answered, correct)
    return result


ATTEMPT_FIELDS = [
    ("attempt", "attempt_id"),
    ("kind", "attempt__kind"),
    ("started_at", "attempt__started_at"),
    ("finished_at", "attempt__finished_at"),
    ("scaled_score", "attempt__scaled_score"),
    ("passed", "attempt__passed"),
    ("deck", "item__deck__slug"),
    ("item", "item__key"),
    ("is_correct", "is_correct"),
]


def attempt_rows(*, user):
    """(header, rows): one row per question of each of the user's attempts."""
    header = [name for name, _path in ATTEMPT_FIELDS]
    AttemptQuestion = _model("AttemptQuestion")
    if AttemptQuestion is None:
        return header, iter(())
    rows = (
        AttemptQuestion.objects.filter(attempt__user=user)
        .order_by("attempt__started_at", "attempt_id", "pk")
        .values_list(*[path for _name, path in ATTEMPT_FIELDS])
    )
    return header, rows.iterator(chunk_size=2000)


STRONG_ACCURACY = 0.70  # a "strong" student gets at least this share of quiz answers right
SUSPECT_MIN_STRONG = 3  # strong students' answers needed before flagging


def question_stats(*, limit: int = 200) -> list[dict]:
    """Per question (most answered first): times answered, % correct, % correct among strong
    students, the most chosen wrong option, and ``suspect`` when it looks broken: most strong
    students miss it, or one wrong option is chosen more often than the right answer."""
    AttemptQuestion = _model("AttemptQuestion")
    if AttemptQuestion is None:
        return []
    from studyapp.content.models import Item, Option

    graded = AttemptQuestion.objects.filter(is_correct__isnull=False)
    per_user = graded.values("attempt__user_id").annotate(
        answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True))
    )
    strong = {
        row["attempt__user_id"]
        for row in per_user
        if row["answered"] >= 10 and row["correct"] / row["answered"] >= STRONG_ACCURACY
    }
    totals = list(
        graded.values("item_id")
        .annotate(
            answered=Count("pk"),
            correct=Count("pk", filter=Q(is_correct=True)),
            strong_answered=Count("pk", filter=Q(attempt__user_id__in=strong)),
            strong_correct=Count("pk", filter=Q(attempt__user_id__in=strong, is_correct=True)),
        )
        .order_by("-answered", "item_id")[:limit]
    )
    item_ids = [row["item_id"] for row in totals]
    wrong_choices: dict[int, dict[int, int]] = {}
    right_options = set(
        Option.objects.filter(item_id__in=item_ids, is_correct=True).values_list("pk", flat=True)
    )
    for item_id, selected in graded.filter(item_id__in=item_ids, is_correct=False).values_list(
        "item_id", "selected_ids"
    ):
        for option_id in selected or []:
            if option_id not in right_options:
                counts = wrong_choices.setdefault(item_id, {})
                counts[option_id] = counts.get(option_id, 0) + 1
    top_wrong = {
        item_id: max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
        for item_id, counts in wrong_choices.items()
    }
    option_text = dict(
        Option.objects.filter(pk__in=[o for o, _n in top_wrong.values()]).values_list(
            "pk", "text_md"
        )
    )
    items = Item.objects.in_bulk(item_ids)
    decks = {
        pk: (slug, language.lower())
        for pk, slug, language in Item.objects.filter(pk__in=item_ids).values_list(
            "pk", "deck__slug", "deck__language"
        )
    }
    result = []
    for row in totals:
        item = items.get(row["item_id"])
        wrong = top_wrong.get(row["item_id"])
        strong_accuracy = (
            row["strong_correct"] / row["strong_answered"] if row["strong_answered"] else None
        )
        suspect = (
            row["strong_answered"] >= SUSPECT_MIN_STRONG
            and strong_accuracy is not None
            and strong_accuracy < 0.5
        ) or (wrong is not None and row["answered"] >= 5 and wrong[1] > row["correct"])
        result.append(
            {
                "item_id": row["item_id"],
                "deck": decks.get(row["item_id"], ("", ""))[0],
                "language": decks.get(row["item_id"], ("", ""))[1],  # the prompt's (source)
                "prompt": str(item) if item else "",
                "answered": row["answered"],
                "accuracy": row["correct"] / row["answered"] if row["answered"] else None,
                "strong_answered": row["strong_answered"],
                "strong_accuracy": strong_accuracy,
                "top_wrong": option_text.get(wrong[0], "") if wrong else "",
                "top_wrong_count": wrong[1] if wrong else 0,
                "suspect": suspect,
            }
        )
    return result


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
    """Synthetic finished mock exams (used by seed_demo_data): for each user up to
    ``per_user`` attempts in the last 60 days, each question right with a per-user skill."""
    from datetime import timedelta

    from studyapp.content.models import Item, Option

    Attempt = _model("Attempt")
    AttemptQuestion = _model("AttemptQuestion")
    profile = exam_profile()
    questions = list(Item.objects.studiable().questions().values_list("pk", flat=True))
    if not questions:
        return 0
    options: dict[int, list[tuple[int, bool]]] = {}
    for option_id, item_id, correct in Option.objects.filter(item_id__in=questions).values_list(
        "pk", "item_id", "is_correct"
    ):
        options.setdefault(item_id, []).append((option_id, correct))
    ExamProfile = _model("ExamProfile")
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
                kind="mock",
                profile=profile_row,
                title=profile_row.name if profile_row else "DVA-C02",  # as a real mock
                seed=rng.randint(1, 2**31),
                status="submitted",
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
