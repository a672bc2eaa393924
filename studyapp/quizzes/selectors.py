"""Reads for quiz pages, with fixed query counts (see tests/quizzes/test_views.py).

What the learner reads is chosen by language: an English-speaking user sees an item's
English translation when there is one. Answers and scoring always stay on the source
item and its option ids (translations have their options in the same positions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.text import Truncator

from studyapp import rows as sql_rows
from studyapp.accounts.roles import is_instructor
from studyapp.content import translation
from studyapp.content.models import Deck, Item, Option, Reference, Topic
from studyapp.content.selectors import CONTENT_VERSION_KEY
from studyapp.versions import tokens

from . import exam
from .models import Attempt, AttemptQuestion, ExamProfile

# --- rows read with SQL ----------------------------------------------------------------------
# The attempt pages read a few rows by primary key on every request; building those queries
# with the ORM cost ~0.4 ms each (the navigator's 65 model instances ~1.4 ms), running them
# a few µs. These read the same columns with SQL and convert them as the ORM would
# (studyapp.rows).


def attempt_for_owner(*, user, attempt_id: int) -> Attempt:
    """The user's own attempt, or 404 (someone else's attempt does not exist for them)."""
    low, high = connection.ops.integer_field_range(Attempt._meta.pk.get_internal_type())
    if not low <= attempt_id <= high:  # no such row (the ORM's lookup says the same)
        raise Http404("attempt")
    table = Attempt._meta.db_table
    sql = f"SELECT {sql_rows.columns(Attempt)} FROM {table} WHERE id = %s AND user_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("attempt")
    return sql_rows.instance(Attempt, row)


def attempt_for_viewer(*, user, attempt_id: int) -> Attempt:
    """The attempt if ``user`` owns it or is an instructor; 404 for anyone else."""
    try:
        attempt = Attempt.objects.select_related("profile", "user").get(pk=attempt_id)
    except Attempt.DoesNotExist as error:
        raise Http404("attempt") from error
    if attempt.user_id != user.pk and not is_instructor(user):
        raise Http404("attempt")
    return attempt


def format_hms(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def format_duration(delta: timedelta | None) -> str:
    return format_hms(delta.total_seconds()) if delta is not None else ""


# --- language ------------------------------------------------------------------------------


def _deck_language(item: Item) -> str:
    return item.deck_language


def _translations(source_languages: dict[int, str], language: str | None) -> tuple[dict, dict]:
    """For the source items ``{item id: language}``, what a reader of ``language`` sees where
    ``content.translation.pick`` chooses a translation: (source item id → translated item,
    (source item id, position) → option html). No query when every item is already in the
    reader's language."""
    if not source_languages or all(
        translation.is_exact(source, language) for source in source_languages.values()
    ):
        return {}, {}
    candidates: dict[int, list[Item]] = defaultdict(list)
    for item in (
        Item.objects.active()
        .filter(translation_of_id__in=list(source_languages))
        .annotate(deck_language=F("deck__language"))
        .order_by("id")
    ):
        candidates[item.translation_of_id].append(item)
    items = {}
    for source_id, versions in candidates.items():
        chosen = translation.choose(
            source_languages[source_id], versions, language, language_of=_deck_language
        )
        if chosen is not None:
            items[source_id] = chosen
    options = {
        (item_id, position): html
        for item_id, position, html in Option.objects.filter(
            item_id__in=[item.pk for item in items.values()]
        ).values_list("item__translation_of_id", "position", "html")
    }
    return items, options


LETTERS = "ABCDEFGHIJ"


@dataclass
class OptionView:
    id: int
    html: str
    is_correct: bool
    selected: bool
    letter: str = ""  # A, B, C… in display order
    struck: bool = False  # struck through by the learner (eliminated)


@dataclass
class QuestionView:
    question: AttemptQuestion
    item: Item | None  # the source item (answers and progress; not on the question page)
    shown: Item | Shown  # what is displayed: the translation when there is one
    options: list[OptionView]
    references: list = field(default_factory=list)
    lang: str = ""
    topics: list = field(default_factory=list)  # the source item's topic names (review)

    @property
    def correct_options(self) -> list[OptionView]:
        return [o for o in self.options if o.is_correct]

    @property
    def selected_options(self) -> list[OptionView]:
        return [o for o in self.options if o.selected]


def _question_views(
    questions: Sequence[AttemptQuestion],
    items: dict[int, Item],
    language: str | None,
    *,
    with_references: bool,
) -> list[QuestionView]:
    option_ids = {pk for q in questions for pk in q.option_ids}
    options = {
        option.pk: option
        for option in Option.objects.filter(pk__in=option_ids)
        .only("id", "item_id", "position", "html", "is_correct")
        .annotate(item_language=F("item__deck__language"))
    }
    # Distractors may come from other items: theirs are translated the same way.
    source_languages = {o.item_id: o.item_language for o in options.values()}
    source_languages.update({q.item_id: items[q.item_id].deck.language for q in questions})
    translated, translated_options = _translations(source_languages, language)
    references: dict[int, list] = defaultdict(list)
    if with_references:
        ref_items = [translated.get(q.item_id, items[q.item_id]).pk for q in questions]
        source_of = {translated.get(q.item_id, items[q.item_id]).pk: q.item_id for q in questions}
        for ref in Reference.objects.filter(item_id__in=ref_items).order_by("item_id", "position"):
            references[source_of[ref.item_id]].append(ref)
    views = []
    for question in questions:
        item = items[question.item_id]
        shown = translated.get(item.pk, item)
        rows = []
        for pk in question.option_ids:
            option = options.get(pk)
            if option is None:  # removed from the content since the draw
                continue
            html = translated_options.get((option.item_id, option.position), option.html)
            # Another item's answer used as a distractor is wrong here, whatever it is there.
            correct = option.is_correct and option.item_id == item.pk
            rows.append(
                OptionView(
                    pk,
                    html,
                    correct,
                    pk in question.selected_ids,
                    letter=LETTERS[len(rows)] if len(rows) < len(LETTERS) else "",
                    struck=pk in (question.struck_ids or ()),
                )
            )
        views.append(
            QuestionView(
                question=question,
                item=item,
                shown=shown,
                options=rows,
                references=references.get(item.pk, []),
                lang=shown.deck_language if shown is not item else "",
            )
        )
    return views


# --- the attempt page ----------------------------------------------------------------------


class NavEntry(NamedTuple):
    """One entry of the attempt's navigator (what ``quiz_nav`` renders)."""

    position: int
    is_answered: bool
    flagged: bool


@dataclass
class QuestionPage:
    attempt: Attempt
    view: QuestionView
    navigator: list[NavEntry]
    total: int
    previous: int | None
    next: int | None

    @property
    def question(self) -> AttemptQuestion:
        return self.view.question

    @property
    def show_feedback(self) -> bool:
        return self.attempt.kind == Attempt.Kind.PRACTICE and self.question.graded_at is not None

    @property
    def answered_count(self) -> int:
        return sum(1 for q in self.navigator if q.is_answered)

    @property
    def flagged_count(self) -> int:
        return sum(1 for q in self.navigator if q.flagged)


NAV_FIELDS = (
    "id",
    "attempt_id",
    "item_id",
    "position",
    "selected_ids",
    "flagged",
    "self_graded",
    "graded_at",
)


# ``AttemptQuestion.is_answered`` in SQL: a non-empty selection (JSON text on SQLite, jsonb
# on PostgreSQL), or a self-graded card the learner has graded.
_ANSWERED_SQL = {
    "sqlite": "json_array_length(n.selected_ids) > 0",
    "postgresql": "n.selected_ids <> '[]'::jsonb",
}
# The navigator as one text column: every question's ``position * 4 + answered * 2 + flagged``
# joined by commas (in any order: sorted in Python).
_NAVIGATOR_SQL = {
    "sqlite": "group_concat({entry}, ',')",
    "postgresql": "string_agg(CAST({entry} AS text), ',')",
}


@cache
def _attempt_rows_sql(vendor: str) -> str:
    answered = _ANSWERED_SQL.get(vendor, "n.selected_ids <> '[]'")  # else: Django's JSON text
    entry = (
        f"n.position * 4 + 2 * CAST(({answered} OR (n.self_graded AND n.graded_at IS NOT NULL))"
        " AS integer) + CAST(n.flagged AS integer)"
    )
    navigator = _NAVIGATOR_SQL.get(vendor, _NAVIGATOR_SQL["sqlite"]).format(entry=entry)
    question = sql_rows.table(AttemptQuestion)
    return (
        f"SELECT {sql_rows.columns(Attempt, 'a')}, {sql_rows.columns(AttemptQuestion, 'c')},"  # noqa: S608
        f" (SELECT {navigator} FROM {question} n WHERE n.attempt_id = a.id)"
        f" FROM {sql_rows.table(Attempt)} a"
        f" JOIN {question} c ON c.attempt_id = a.id AND c.position = %s"
        " WHERE a.id = %s AND a.user_id = %s"
    )


class AttemptRows(NamedTuple):
    """What :func:`attempt_rows_for_owner` read: the attempt, the navigator and the question
    at the position asked for."""

    attempt: Attempt
    navigator: list[NavEntry]
    current: AttemptQuestion


def attempt_rows_for_owner(*, user, attempt_id: int, position: int) -> AttemptRows | None:
    """The user's attempt, its question at ``position`` and its navigator (every question's
    number and state, worked out by the database), in one query of one row. ``None`` when
    there is no such attempt of theirs or no such position (then :func:`attempt_for_owner`
    tells which: 404, or a finished attempt's result)."""
    return _attempt_rows(user.pk, attempt_id, position)


def _attempt_rows(user_id: int, attempt_id: int, position: int) -> AttemptRows | None:
    if not (sql_rows.pk_fits(Attempt, attempt_id) and sql_rows.fits(_POSITION, position)):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_attempt_rows_sql(connection.vendor), [position, attempt_id, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    width = sql_rows.width(Attempt)
    navigator = [
        NavEntry(code >> 2, bool(code & 2), bool(code & 1))
        for code in sorted(int(code) for code in row[-1].split(","))
    ]
    return AttemptRows(
        sql_rows.instance(Attempt, row[:width]),
        navigator,
        sql_rows.instance(AttemptQuestion, row[width:-1]),
    )


_POSITION = AttemptQuestion._meta.get_field("position")


@dataclass(frozen=True)
class Shown:
    """What a question page displays of the item (the reader's translation when there is
    one): the HTML rendered at import."""

    prompt_html: str
    text_html: str
    explanation_html: str


@dataclass(frozen=True)
class Ref:
    title: str
    url: str


@dataclass(frozen=True)
class QuestionContent:
    """The content a question page shows, the same for every learner whose question has the
    same item, options (in this order) and language: kept in the shared cache."""

    shown: Shown
    lang: str
    options: tuple[tuple[int, str, bool], ...]  # (option id, html, correct here), by id
    references: tuple[Ref, ...]


# What versions.tokens() gives without a shared cache (a dummy keeps nothing).
NO_TOKEN = "-"  # noqa: S105 (not a secret)
# An entry outlives its content version unread (the version is checked on every read).
CONTENT_TTL = 24 * 3600


def _content_key(question: AttemptQuestion, language: str | None, with_references: bool) -> str:
    option_key = ",".join(str(pk) for pk in sorted(question.option_ids))
    return f"quiz:content:{question.item_id}:{language}:{int(with_references)}:{option_key}"


def _question_content(
    question: AttemptQuestion, language: str | None, *, with_references: bool
) -> QuestionContent:
    """The question's content for a reader of ``language``: from the shared cache when it
    was built under the current content version (every import renews it), else from the
    database (2–3 queries, 4–5 with a translation). One cache round trip when it is there.

    Keyed by the set of option ids, not their order: every attempt shuffles the options of
    its questions, so a key in drawn order was a miss for nearly every question of a mock.
    The entry holds the options by id; ``_question_view`` puts them in the drawn order.

    A miss with a shared cache (not for a page with feedback) builds the content of every
    question of the attempt that the cache misses, in one batch (one query more: the
    attempt's items and option sets; one cache round trip each to read and keep them): a
    mock's 65 questions are each shown once, and its first question then pays for the rest
    instead of each one costing ~2.5 ms on its own (the load test's mock users)."""
    key = _content_key(question, language, with_references)
    shared = caches[settings.SHARED_CACHE]
    found = shared.get_many([CONTENT_VERSION_KEY, key])
    version = found.get(CONTENT_VERSION_KEY) or tokens(CONTENT_VERSION_KEY)[0]
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    # Read after the version: an import committing meanwhile renews it, so what is built
    # here from older rows is never read under the newer version.
    questions = {key: question}
    if version != NO_TOKEN and not with_references:  # a shared cache: fill the attempt
        others = {}
        for item_id, option_ids in AttemptQuestion.objects.filter(
            attempt_id=question.attempt_id
        ).values_list("item_id", "option_ids"):
            other = AttemptQuestion(item_id=item_id, option_ids=option_ids)
            others.setdefault(_content_key(other, language, False), other)
        others.pop(key, None)
        kept = shared.get_many(list(others))
        questions.update(
            (other_key, other)
            for other_key, other in others.items()
            if (kept.get(other_key) or (None,))[0] != version
        )
    built = _build_contents(list(questions.values()), language, with_references)
    entries = {
        other_key: (version, content) for other_key, content in zip(questions, built, strict=True)
    }
    shared.set_many(entries, CONTENT_TTL)
    return built[0]


def _build_contents(
    questions: list[AttemptQuestion], language: str | None, with_references: bool
) -> list[QuestionContent]:
    """The content of each of ``questions`` (in their order), read from the database."""
    items = {
        item.pk: item
        for item in Item.objects.select_related("deck").filter(
            pk__in={question.item_id for question in questions}
        )
    }
    views = _question_views(questions, items, language, with_references=with_references)
    return [
        QuestionContent(
            shown=Shown(view.shown.prompt_html, view.shown.text_html, view.shown.explanation_html),
            lang=view.lang,
            options=tuple(sorted((o.id, o.html, o.is_correct) for o in view.options)),
            references=tuple(Ref(ref.title, ref.url) for ref in view.references),
        )
        for view in views
    ]


def _question_view(question: AttemptQuestion, content: QuestionContent) -> QuestionView:
    """The cached content in this attempt's option order, with the learner's choices and
    struck options (an option removed from the content since the draw is left out)."""
    selected, struck = set(question.selected_ids), set(question.struck_ids or ())
    by_id = {pk: (html, correct) for pk, html, correct in content.options}
    shown = [pk for pk in question.option_ids if pk in by_id]
    options = [
        OptionView(
            pk,
            *by_id[pk],
            pk in selected,
            letter=LETTERS[n] if n < len(LETTERS) else "",
            struck=pk in struck,
        )
        for n, pk in enumerate(shown)
    ]
    return QuestionView(
        question=question,
        item=None,
        shown=content.shown,
        options=options,
        references=list(content.references),
        lang=content.lang,
    )


def question_page(
    *, attempt: Attempt, position: int, language: str | None, rows: AttemptRows | None = None
) -> QuestionPage:
    """One question with its options (display order), the navigator and neighbours: one
    query (none when ``rows`` of this attempt and position are given), plus the content when
    the shared cache does not hold it (``_question_content``)."""
    if rows is None:
        rows = _attempt_rows(attempt.user_id, attempt.pk, position)
        if rows is None:
            raise Http404("question")
    navigator, current = rows.navigator, rows.current
    feedback = attempt.kind == Attempt.Kind.PRACTICE and (
        current.graded_at is not None or (current.self_graded and current.revealed_at is not None)
    )
    content = _question_content(current, language, with_references=feedback)
    total = len(navigator)
    return QuestionPage(
        attempt=attempt,
        view=_question_view(current, content),
        navigator=navigator,
        total=total,
        previous=position - 1 if position > 1 else None,
        next=position + 1 if position < total else None,
    )


REVIEW_SCREEN_FILTERS = ("all", "unanswered", "flagged")
FIRST_WORDS = 12


@dataclass
class ReviewRow:
    """One line of the review screen: the question's number, first words and state."""

    question: AttemptQuestion
    first_words: str
    lang: str = ""

    @property
    def position(self) -> int:
        return self.question.position


def review_screen(attempt: Attempt, *, language: str | None = None, show: str = "all") -> dict:
    """The review screen before "Finalizar" (Pearson VUE's): every question with its first
    words and state, filtered by ``show`` (all, unanswered, flagged), and the counts."""
    questions = list(
        AttemptQuestion.objects.filter(attempt=attempt)
        .select_related("item__deck")
        .only(*NAV_FIELDS, "item__prompt", "item__deck__language")
        .order_by("position")
    )
    translated, _options = _translations(
        {q.item_id: q.item.deck.language for q in questions}, language
    )
    unanswered = [q for q in questions if not q.is_answered]
    flagged = [q for q in questions if q.flagged]
    shown = {"unanswered": unanswered, "flagged": flagged}.get(show, questions)
    rows = []
    for question in shown:
        item = translated.get(question.item_id, question.item)
        words = Truncator(item.prompt).words(FIRST_WORDS, truncate="…")
        lang = item.deck_language if item is not question.item else ""
        rows.append(ReviewRow(question=question, first_words=words, lang=lang))
    return {
        "questions": questions,
        "rows": rows,
        "show": show,
        "unanswered": unanswered,
        "flagged": flagged,
        "answered_count": len(questions) - len(unanswered),
    }


# --- results -------------------------------------------------------------------------------


@dataclass
class Share:
    label: str
    correct: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


def breakdown(attempt: Attempt) -> dict:
    """Correct/total per topic (an item counts for each of its topics: its own ``🏷️``
    topics, else its deck's) and per exam domain (the domain the question was drawn for;
    else the item's first domain)."""
    questions = list(
        attempt.questions.select_related("item")
        .prefetch_related(Prefetch("item__topics"))
        .only("id", "attempt_id", "item_id", "domain", "is_correct", "item__domains")
    )
    topics: dict[int, Share] = {}
    domains: dict[int, Share] = {}
    for question in questions:
        item = question.item
        for topic in item.topics.all():
            share = topics.setdefault(topic.pk, Share(topic.name))
            share.total += 1
            share.correct += bool(question.is_correct)
        domain = question.domain or next(
            iter(sorted(d for d in item.domains or () if d in exam.DOMAINS)), None
        )
        if domain is not None:
            share = domains.setdefault(domain, Share(str(exam.DOMAINS[domain])))
            share.total += 1
            share.correct += bool(question.is_correct)
    return {
        "topics": sorted(topics.values(), key=lambda s: s.label),
        "domains": [(number, domains[number]) for number in sorted(domains)],
    }


ANSWER_FILTERS = ("all", "wrong", "flagged")


ANSWERS_PAGE_SIZE = 10


@dataclass
class AnswersPage:
    views: list[QuestionView]
    page: Page  # the page of questions shown (``ANSWERS_PAGE_SIZE`` a page)
    index: list[tuple[AttemptQuestion, int]]  # the jump list: every question and its page


def answers(
    *, attempt: Attempt, language: str | None, show: str = "all", page: str | int | None = 1
) -> AnswersPage:
    """One page of questions with the user's answer, the right one, explanation, references
    and topics, plus the jump list of every question in the filter (``show``)."""
    questions = attempt.questions.order_by("position")
    if show == "wrong":
        questions = questions.filter(is_correct=False)
    elif show == "flagged":
        questions = questions.filter(flagged=True)
    index = list(
        questions.only("id", "attempt_id", "position", "is_correct", "flagged", "selected_ids")
    )
    paginator = Paginator(index, ANSWERS_PAGE_SIZE)
    current = paginator.get_page(page)
    positions = [q.position for q in current.object_list]
    shown = list(
        attempt.questions.filter(position__in=positions)
        .order_by("position")
        .select_related("item__deck")
        .prefetch_related("item__topics")
    )
    items = {q.item_id: q.item for q in shown}
    views = _question_views(shown, items, language, with_references=True)
    for view in views:
        view.topics = sorted(topic.name for topic in view.item.topics.all())
    jumps = [(q, n // ANSWERS_PAGE_SIZE + 1) for n, q in enumerate(index)]
    return AnswersPage(views=views, page=current, index=jumps)


def attempt_kinds(*, user) -> set[str]:
    """The kinds of attempt the user has ever started (``practice``, ``mock``): the home
    page's "start here" path."""
    if not user.is_authenticated:
        return set()
    kinds = Attempt.objects.filter(user=user).order_by().values_list("kind", flat=True)
    return set(kinds.distinct())


def default_profile() -> ExamProfile | None:
    return (
        ExamProfile.objects.filter(is_active=True).order_by("-is_default", "position", "pk").first()
    )


def history(*, user, limit: int = 50) -> list[Attempt]:
    return list(
        Attempt.objects.filter(user=user).select_related("profile").order_by("-started_at")[:limit]
    )


# --- the start page ------------------------------------------------------------------------


def start_options() -> dict:
    """Decks and topics that have questions, and the active exam profiles."""
    decks = list(
        Deck.objects.sources()
        .filter(items__kind=Item.Kind.QUESTION, items__retired_at__isnull=True)
        .distinct()
        .order_by("title")
    )
    topics = list(Topic.objects.filter(decks__in=decks).distinct().order_by("name"))
    return {"decks": decks, "topics": topics, "profiles": active_profiles()}


def active_profiles() -> list[ExamProfile]:
    """The mock exam profiles a learner may start (the quiz index's list)."""
    return list(
        ExamProfile.objects.filter(is_active=True).order_by("-is_default", "position", "name")
    )


# --- results and accuracy, for the progress app ---------------------------------------------


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
    """The default mock-exam profile's numbers (the exam guide's when there is none)."""
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


def mock_history(*, user, limit: int = 20) -> list[MockResult]:
    """The user's finished mock exams, oldest first (at most ``limit``, the latest ones)."""
    rows = (
        Attempt.objects.scored()
        .filter(kind=Attempt.Kind.MOCK, user=user, finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .values_list("pk", "started_at", "finished_at", "scaled_score", "passed")[:limit]
    )
    return [MockResult(*row) for row in reversed(rows)]


def accuracy_by_deck(*, user, before: datetime | None = None) -> dict[int, tuple[int, int]]:
    """{source deck id: (answered, correct)} over the user's graded quiz questions (those
    graded before ``before``: what was known at that moment)."""
    answers = AttemptQuestion.objects.filter(attempt__user=user, is_correct__isnull=False)
    if before is not None:
        answers = answers.filter(graded_at__lt=before)
    rows = (
        answers.annotate(source_deck=Coalesce("item__translation_of__deck_id", "item__deck_id"))
        .values("source_deck")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
        .values_list("source_deck", "answered", "correct")
    )
    return {deck_id: (answered, correct) for deck_id, answered, correct in rows}


def last_answers(*, user_ids, before: datetime | None = None) -> dict[int, dict[int, bool]]:
    """{user id: {item id: was the last graded answer right}} (the mock draw's tiers: items
    never answered first, then last answered wrong, then right), as of ``before``. One query."""
    rows = AttemptQuestion.objects.filter(
        attempt__user_id__in=list(user_ids), answered_at__isnull=False
    ).exclude(is_correct__isnull=True)
    if before is not None:
        rows = rows.filter(answered_at__lt=before)
    rows = rows.order_by("answered_at", "id").values_list(
        "attempt__user_id", "item_id", "is_correct"
    )
    result: dict[int, dict[int, bool]] = defaultdict(dict)
    for user_id, item_id, correct in rows:
        result[user_id][item_id] = correct
    return result


def mock_scores(*, user_ids=None) -> dict[int, tuple[int, int]]:
    """{attempt id: (user id, scaled score)} of finished mock exams (of ``user_ids``, or of
    everyone). One query."""
    rows = Attempt.objects.filter(
        kind=Attempt.Kind.MOCK, finished_at__isnull=False, scaled_score__isnull=False
    )
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    return {
        pk: (user_id, score)
        for pk, user_id, score in rows.values_list("pk", "user_id", "scaled_score")
    }


def last_mock_scores(*, user_ids) -> dict[int, int]:
    """{user id: scaled score of the latest finished mock exam}."""
    rows = (
        Attempt.objects.scored()
        .filter(kind=Attempt.Kind.MOCK, user_id__in=user_ids, finished_at__isnull=False)
        .order_by("user_id", "-finished_at")
        .values_list("user_id", "scaled_score")
    )
    result: dict[int, int] = {}
    for user_id, score in rows:
        result.setdefault(user_id, score)
    return result


def accuracy_by_users(*, user_ids) -> dict[int, dict[int, tuple[int, int]]]:
    """{user id: {source deck id: (answered, correct)}} for a page of students."""
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
    rows = (
        AttemptQuestion.objects.filter(attempt__user=user)
        .order_by("attempt__started_at", "attempt_id", "pk")
        .values_list(*[path for _name, path in ATTEMPT_FIELDS])
    )
    return header, rows.iterator(chunk_size=2000)


STRONG_ACCURACY = 0.70  # a "strong" student gets at least this share of quiz answers right
SUSPECT_MIN_STRONG = 3  # strong students' answers needed before flagging


def _strong_students(graded) -> set[int]:
    """Users with at least 10 graded answers and ``STRONG_ACCURACY`` of them right."""
    per_user = graded.values("attempt__user_id").annotate(
        answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True))
    )
    return {
        row["attempt__user_id"]
        for row in per_user
        if row["answered"] >= 10 and row["correct"] / row["answered"] >= STRONG_ACCURACY
    }


def _question_totals(graded, strong: set[int], limit: int) -> list[dict]:
    """Answers, right answers, and the same among strong students, per item (most answered
    first, at most ``limit`` items)."""
    return list(
        graded.values("item_id")
        .annotate(
            answered=Count("pk"),
            correct=Count("pk", filter=Q(is_correct=True)),
            strong_answered=Count("pk", filter=Q(attempt__user_id__in=strong)),
            strong_correct=Count("pk", filter=Q(attempt__user_id__in=strong, is_correct=True)),
        )
        .order_by("-answered", "item_id")[:limit]
    )


def _top_wrong_options(graded, item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{item id: (the wrong option chosen most often, how often)}; ties → the lower id."""
    right_options = set(
        Option.objects.filter(item_id__in=item_ids, is_correct=True).values_list("pk", flat=True)
    )
    wrong_choices: dict[int, dict[int, int]] = {}
    for item_id, selected in graded.filter(item_id__in=item_ids, is_correct=False).values_list(
        "item_id", "selected_ids"
    ):
        for option_id in selected or []:
            if option_id not in right_options:
                counts = wrong_choices.setdefault(item_id, {})
                counts[option_id] = counts.get(option_id, 0) + 1
    return {
        item_id: max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
        for item_id, counts in wrong_choices.items()
    }


def _is_suspect(row: dict, strong_accuracy: float | None, wrong: tuple[int, int] | None) -> bool:
    """Most strong students miss it, or one wrong option beats the right answer."""
    strong_miss = (
        row["strong_answered"] >= SUSPECT_MIN_STRONG
        and strong_accuracy is not None
        and strong_accuracy < 0.5
    )
    return strong_miss or (wrong is not None and row["answered"] >= 5 and wrong[1] > row["correct"])


def question_stats(*, limit: int = 200) -> list[dict]:
    """Per question (most answered first): times answered, % correct, % correct among strong
    students, the most chosen wrong option, and ``suspect`` when it looks broken (see
    :func:`_is_suspect`). Texts come as the stored, sanitized HTML (``prompt_html``,
    ``top_wrong_html``: no raw Markdown) with the plain text beside them."""
    graded = AttemptQuestion.objects.filter(is_correct__isnull=False)
    totals = _question_totals(graded, _strong_students(graded), limit)
    item_ids = [row["item_id"] for row in totals]
    top_wrong = _top_wrong_options(graded, item_ids)
    options = Option.objects.in_bulk([option_id for option_id, _n in top_wrong.values()])
    items = Item.objects.select_related("deck").in_bulk(item_ids)
    result = []
    for row in totals:
        item = items.get(row["item_id"])
        wrong = top_wrong.get(row["item_id"])
        option = options.get(wrong[0]) if wrong else None
        strong_accuracy = (
            row["strong_correct"] / row["strong_answered"] if row["strong_answered"] else None
        )
        result.append(
            {
                "item_id": row["item_id"],
                "deck": item.deck.slug if item else "",
                "language": item.deck.language.lower() if item else "",  # the prompt's (source)
                "prompt": str(item) if item else "",
                "prompt_html": (item.prompt_html or item.text_html) if item else "",
                "answered": row["answered"],
                "accuracy": row["correct"] / row["answered"] if row["answered"] else None,
                "strong_answered": row["strong_answered"],
                "strong_accuracy": strong_accuracy,
                "top_wrong": option.text_md if option else "",
                "top_wrong_html": option.html if option else "",
                "top_wrong_count": wrong[1] if wrong else 0,
                "suspect": _is_suspect(row, strong_accuracy, wrong),
            }
        )
    return result
