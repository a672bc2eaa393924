"""Reads for the progress dashboard and the instructor class view.

The dashboard runs a fixed number of queries whatever the history size: card states come
from the user's study cards (bounded by the content, not by history), everything about past
reviews from ``DailyReviewStats`` (one row per study day, last 365 days), quiz accuracy from
one grouped aggregate.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from operator import itemgetter

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from studyapp.accounts.models import Profile
from studyapp.content import translation
from studyapp.content.models import Deck, Item
from studyapp.content.selectors import CONTENT_VERSION_KEY
from studyapp.quizzes import draw, exam
from studyapp.quizzes import selectors as quiz_selectors
from studyapp.srs import selectors as srs_selectors
from studyapp.srs import timing
from studyapp.srs.models import State
from studyapp.srs.timing import study_day
from studyapp.versions import tokens

from . import dashboard_cache
from .calibration import SimItem
from .models import Prediction
from .readiness import (
    EVIDENCE_LIMIT,
    Answer,
    CardState,
    GroupEstimate,
    GroupEvidence,
    Plan,
    ScoreForecast,
    draw_frame,
    estimate,
    learner_estimate,
    retrievability,
    score_forecast,
    study_plan,
)

FORECAST_DAYS = 30
HEATMAP_DAYS = 365
RETENTION_DAYS = 30


@dataclass
class Retention:
    passed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


@dataclass
class Activity:
    """Review history from the daily roll-ups."""

    today: date
    days: list[tuple[date, int]]  # last HEATMAP_DAYS study days, oldest first
    streak: int
    young: Retention
    mature: Retention
    buttons: dict[int, int]
    reviews_7_days: int
    minutes_30_days: float

    @property
    def retention(self) -> Retention:
        return Retention(
            self.young.passed + self.mature.passed, self.young.failed + self.mature.failed
        )

    # Derived from ``days`` once per instance (the body and the charts read them several
    # times; ``days`` is never changed after it is built).
    @cached_property
    def days_studied(self) -> int:
        return sum(1 for _day, count in self.days if count)

    @cached_property
    def total_reviews(self) -> int:
        return sum(count for _day, count in self.days)

    @cached_property
    def months(self) -> list[tuple[date, int, int]]:
        """(first day of month, reviews, days studied) for the heatmap's text alternative."""
        totals: dict[date, list[int]] = {}
        for day, count in self.days:
            month = totals.setdefault(day.replace(day=1), [0, 0])
            month[0] += count
            month[1] += 1 if count else 0
        return [(month, reviews, studied) for month, (reviews, studied) in totals.items()]


def activity_from_rows(rows, *, today: date) -> Activity:
    """Build :class:`Activity` from roll-up rows (``srs.rollups.DayStats`` or alike)."""
    by_day = {row.day: row for row in rows}
    start = today - timedelta(days=HEATMAP_DAYS - 1)
    dates = [start + timedelta(days=i) for i in range(HEATMAP_DAYS)]
    days = [(day, getattr(by_day.get(day), "reviews", 0)) for day in dates]
    # Streak: consecutive days with reviews ending today (or yesterday, if today is not
    # studied yet: the streak is not lost until the day is over).
    streak = 0
    cursor = today if by_day.get(today) and by_day[today].reviews else today - timedelta(days=1)
    while (row := by_day.get(cursor)) is not None and row.reviews:
        streak += 1
        cursor -= timedelta(days=1)
    young, mature = Retention(), Retention()
    buttons = {1: 0, 2: 0, 3: 0, 4: 0}
    reviews_7 = 0
    duration_ms = 0
    retention_start = today - timedelta(days=RETENTION_DAYS - 1)
    for row in rows:
        if row.day < retention_start or row.day > today:
            continue
        young.passed += row.young_pass
        young.failed += row.young_fail
        mature.passed += row.mature_pass
        mature.failed += row.mature_fail
        buttons[1] += row.again
        buttons[2] += row.hard
        buttons[3] += row.good
        buttons[4] += row.easy
        duration_ms += row.duration_ms
        if row.day > today - timedelta(days=7):
            reviews_7 += row.reviews
    return Activity(
        today=today,
        days=days,
        streak=streak,
        young=young,
        mature=mature,
        buttons=buttons,
        reviews_7_days=reviews_7,
        minutes_30_days=duration_ms / 60000,
    )


@dataclass
class DeckInfo:
    id: int
    slug: str
    title: str
    domains: list[int]
    topics: list[tuple[int, str, str]] = field(default_factory=list)  # (id, slug, name)
    items: int = 0
    in_mock: bool = True  # False: beyond the exam ("mock: no"), left out of the exam forecast
    url: str = ""  # its study page (reversed once per import: the dashboard lists every deck)


def content_map() -> dict[int, DeckInfo]:
    """Source decks with their topics and studiable item counts (3 queries), titled in the
    current language where a translation exists (progress stays on the source deck)."""
    language = get_language()
    rows = list(
        Deck.objects.active().values(
            "id", "slug", "title", "domains", "language", "translation_of", "in_mock"
        )
    )
    translations = defaultdict(list)
    for row in rows:
        if row["translation_of"]:
            translations[row["translation_of"]].append(row)
    decks = {
        row["id"]: DeckInfo(
            id=row["id"],
            slug=row["slug"],
            title=translation.pick(
                row, translations[row["id"]], language, language_of=itemgetter("language")
            )["title"],
            domains=[int(d) for d in (row["domains"] or []) if str(d).isdigit()],
            in_mock=row["in_mock"],
            url=reverse("srs:study_deck", args=[row["slug"]]),
        )
        for row in rows
        if row["translation_of"] is None
    }
    links = Deck.topics.through.objects.filter(deck_id__in=decks).values_list(
        "deck_id", "topic_id", "topic__slug", "topic__name"
    )
    for deck_id, topic_id, slug, name in links:
        decks[deck_id].topics.append((topic_id, slug, name))
    counts = (
        Item.objects.studiable()
        .filter(deck_id__in=decks)
        .values("deck_id")
        .annotate(n=Count("pk"))
        .values_list("deck_id", "n")
    )
    for deck_id, n in counts:
        decks[deck_id].items = n
    return decks


CONTENT_TTL = 7 * 24 * 3600  # keyed by the content version: an entry outlives it unread


@dataclass(frozen=True)
class ContentFigures:
    """What the dashboard reads of the content alone (the same for every learner)."""

    decks: dict[int, DeckInfo]  # content_map(), titled in one language
    bank: list  # study_bank()
    mock: list  # the BankItems a mock exam can draw (study_bank's ``mock`` ones)


_content_memo: dict[str, ContentFigures] = {}


def _content_build() -> ContentFigures:
    bank = study_bank()
    return ContentFigures(
        decks=content_map(), bank=bank, mock=[item.bank_item() for item in bank if item.mock]
    )


def content_figures(version: str | None = None) -> ContentFigures:
    """:class:`ContentFigures` built once per import and language: kept in the shared cache
    under the content version (``content.selectors.content_version``, renewed by every
    import), and in this process under the same key, read every call (one cache read): an
    import in any process shows at once. Without the shared cache (no version) they are
    built every call. Read-only: the same objects serve every request of the process.
    ``version``: the content version when the caller read it already (the dashboard's
    lookup reads it with its other tokens: one round trip less)."""
    version = version or tokens(CONTENT_VERSION_KEY)[0]
    if version == "-":
        return _content_build()
    key = f"progress:content:{version}:{get_language()}"
    figures = _content_memo.get(key)
    if figures is None:
        cache = caches[settings.SHARED_CACHE]
        figures = cache.get(key)
        if figures is None:
            figures = _content_build()
            cache.set(key, figures, CONTENT_TTL)
        if len(_content_memo) >= 8:  # old versions are never read again
            _content_memo.clear()
        _content_memo[key] = figures
    return figures


@dataclass
class CardSummary:
    due_now: int
    due_today: int
    forecast: list[tuple[date, int]]
    states: dict[str, int]
    deck_evidence: dict[int, GroupEvidence]
    memory: dict[int, CardState] = field(default_factory=dict)  # item id → memory now
    due_at: dict[int, datetime] = field(default_factory=dict)  # item id → due


@lru_cache(maxsize=16384)
def _study_day_of(moment: datetime, tz) -> date:
    """``study_day(moment, tz)``, kept per process: a pure function of its arguments (the
    time zone's rules are the process's), read for every card's due on each rebuild of the
    dashboard (~0.2 ms for 326 cards; a lookup is a quarter of that)."""
    return study_day(moment, tz)


def summarize_cards(rows, *, now: datetime, tz, today: date, untouched: int = 0) -> CardSummary:
    """Due counts, 30-day forecast, states and per-deck retrievability from card rows;
    ``untouched``: new items left out of ``rows`` (no memory: they count as new only)."""
    forecast = [0] * FORECAST_DAYS
    states = {"new": untouched, "learning": 0, "review": 0, "suspended": 0}
    evidence: dict[int, GroupEvidence] = defaultdict(GroupEvidence)
    due_now = 0
    memory: dict[int, CardState] = {}
    due_at: dict[int, datetime] = {}
    for _user_id, deck_id, state, stability, last_review, due, suspended, buried, item in rows:
        memory[item] = CardState(stability, last_review)
        due_at[item] = due
        r = retrievability(stability, last_review, now)
        deck = evidence[deck_id]
        deck.retrievability_sum += r
        if last_review is not None:
            deck.studied += 1
        if suspended:
            states["suspended"] += 1
            continue
        if state == State.NEW:
            states["new"] += 1
            continue
        states["review" if state == State.REVIEW else "learning"] += 1
        if buried is not None and buried > now:
            due = max(due, buried)
        if due <= now:
            due_now += 1
        offset = (_study_day_of(due, tz) - today).days
        if offset < FORECAST_DAYS:
            forecast[max(0, offset)] += 1
    return CardSummary(
        due_now=due_now,
        due_today=forecast[0],
        forecast=[(today + timedelta(days=i), n) for i, n in enumerate(forecast)],
        states=states,
        deck_evidence=evidence,
        memory=memory,
        due_at=due_at,
    )


@dataclass
class Readiness:
    decks: list[GroupEstimate]
    topics: list[GroupEstimate]
    domains: list[GroupEstimate]
    forecast: ScoreForecast
    study_next: list[GroupEstimate]
    answers: list[Answer] = field(default_factory=list)
    bank: list = field(default_factory=list)
    mock: list = field(default_factory=list)  # the bank's BankItems a mock exam can draw
    tiers: dict = field(default_factory=dict)
    desired_retention: float = 0.9
    parameters: tuple | None = None
    frame: object = None  # the draw's frame the forecast used (readiness.DrawFrame)


def answers_from(rows) -> list[Answer]:
    """``srs.selectors.answer_log`` rows → the model's answers."""
    new = Answer.__new__  # positional (item_id, at, passed, stability, last_review, quiz,
    # rescheduled): the named tuple's fast path, 500 per dashboard rebuild
    return [
        new(Answer, item_id, at, rating > 1, stability, last_review, source == "quiz", rescheduled)
        for _user, item_id, at, rating, stability, last_review, source, rescheduled in rows
    ]


def item_forecast(
    *,
    bank,
    memory: dict[int, CardState],
    answers,
    last_answers,
    profile,
    now,
    when=None,
    parameters=None,
    mock=None,
    parts: Parts | None = None,
) -> ScoreForecast:
    """The item model's forecast of a mock exam taken at ``when`` (default now);
    ``parameters``: the learner's trained FSRS parameters (their decay), None: defaults;
    ``mock``: the bank's mock BankItems when already built; ``parts``: the learner's kept
    reads (:class:`Parts`), with the draw's frame for their quiz tiers
    (``readiness.draw_frame``: O(bank) to build, then each forecast is O(kinds))."""
    if mock is None:
        mock = [item.bank_item() for item in bank if item.mock]
    w20 = parameters[20] if parameters and len(parameters) > 20 else None
    learner = learner_estimate(answers, {item.id: item for item in mock}, now=now, w20=w20)
    tiers = {
        item_id: draw.RIGHT if right else draw.WRONG for item_id, right in last_answers.items()
    }
    frame = (parts or Parts()).get(
        "draw",
        lambda: draw_frame(
            mock, tiers=tiers, weights=profile.weights(), count=profile.question_count
        ),
    )
    return score_forecast(
        mock,
        memory,
        learner,
        when=when or now,
        tiers=tiers,
        weights=profile.weights(),
        count=profile.question_count,
        pass_mark=profile.pass_mark,
        frame=frame,
    )


def readiness_from(
    *, decks: dict[int, DeckInfo], deck_evidence, quiz_accuracy, profile, forecast: ScoreForecast
) -> Readiness:
    """Per deck, topic and domain estimates beside the item model's exam ``forecast``
    (no queries). A domain's chance of a right answer is the mean over its questions."""
    per_deck: dict[int, GroupEvidence] = {}
    for deck in decks.values():
        ev = GroupEvidence(items=deck.items)
        card_ev = deck_evidence.get(deck.id)
        if card_ev:
            ev.retrievability_sum = card_ev.retrievability_sum
            ev.studied = card_ev.studied
        ev.answered, ev.correct = quiz_accuracy.get(deck.id, (0, 0))
        per_deck[deck.id] = ev

    deck_estimates = [
        estimate(deck.id, deck.title, per_deck[deck.id], slug=deck.slug, url=deck.url)
        for deck in sorted(decks.values(), key=lambda d: d.title)
    ]

    topic_ev: dict[int, GroupEvidence] = defaultdict(GroupEvidence)
    topic_meta: dict[int, dict] = {}
    for deck in decks.values():
        for topic_id, slug, name in deck.topics:
            topic_ev[topic_id].add(per_deck[deck.id])
            meta = topic_meta.setdefault(topic_id, {"name": name, "slug": slug, "decks": []})
            meta["decks"].append(deck)
    topic_estimates = []
    for topic_id, meta in sorted(topic_meta.items(), key=lambda kv: kv[1]["name"]):
        # Study/quiz links go to the topic's largest deck.
        deck = max(meta["decks"], key=lambda d: (d.items, -d.id))
        topic_estimates.append(
            estimate(
                topic_id,
                meta["name"],
                topic_ev[topic_id],
                slug=meta["slug"],
                deck_slug=deck.slug,
                deck_title=deck.title,
            )
        )

    weights = profile.weights()
    domain_estimates = []
    for number, weight in sorted(weights.items()):
        ev = GroupEvidence()
        for deck in decks.values():
            if deck.in_mock and number in deck.domains:
                ev.add(per_deck[deck.id])
        domain = estimate(number, str(exam.DOMAINS.get(number, number)), ev)
        domain.weight = weight
        chances = forecast.domain_chances.get(number)
        if chances:
            domain.probability = chances
        domain_estimates.append(domain)
    forecast.domains = domain_estimates
    study_next = sorted(
        (t for t in topic_estimates if t.items), key=lambda t: (t.probability, t.label)
    )[:3]
    return Readiness(
        decks=deck_estimates,
        topics=topic_estimates,
        domains=domain_estimates,
        forecast=forecast,
        study_next=study_next,
    )


@dataclass
class MockRow:
    attempt: quiz_selectors.MockResult
    prediction: Prediction | None

    @property
    def error(self) -> int | None:
        if self.prediction is None or self.attempt.score is None:
            return None
        return self.attempt.score - self.prediction.predicted_score

    @property
    def inside(self) -> bool:
        p = self.prediction
        return p is not None and p.score_low <= (self.attempt.score or 0) <= p.score_high


@dataclass
class Dashboard:
    now: datetime
    tz: object
    today: date
    cards: CardSummary
    activity: Activity
    readiness: Readiness
    mocks: list[MockRow]
    pass_mark: int
    exam_day: date | None = None
    plan: Plan | None = None

    @property
    def compared(self) -> list[MockRow]:
        """Finished mock exams with a prediction to compare with."""
        return [row for row in self.mocks if row.error is not None]

    @property
    def running_bias(self) -> float | None:
        """Mean of (actual − predicted) over the compared mock exams, from the second on."""
        rows = self.compared
        return sum(row.error for row in rows) / len(rows) if len(rows) >= 2 else None

    @property
    def inside_range(self) -> int:
        return sum(1 for row in self.compared if row.inside)

    @property
    def missing_predictions(self) -> list[quiz_selectors.MockResult]:
        return [row.attempt for row in self.mocks if row.prediction is None]


_MOMENT_ORDER = {"start": 0, "finish": 1, "lazy": 2}


def _predictions_for(*, user, attempt_ids) -> dict[int, Prediction]:
    """The snapshot to compare with each attempt: taken at start, else at finish, else lazy."""
    order = _MOMENT_ORDER
    best: dict[int, Prediction] = {}
    if not attempt_ids:
        return best
    for prediction in Prediction.objects.filter(user=user, attempt_id__in=attempt_ids):
        current = best.get(prediction.attempt_id)
        if current is None or order.get(prediction.moment, 3) < order.get(current.moment, 3):
            best[prediction.attempt_id] = prediction
    return best


class Parts:
    """The dashboard's reads of one learner that an answer does not change, each read once
    per build: from ``found`` (kept in the shared cache by ``dashboard_cache`` under the
    tokens of their data) or from the database (then in ``read``, to be kept)."""

    def __init__(
        self,
        found: dict | None = None,
        *,
        study: tuple = (None, 0, None),
        content: str | None = None,
    ):
        self.found = found or {}
        self.content_version = content  # as the lookup read it (None: read when needed)
        self.read: dict = {}
        self.built: dict = {}  # what this build derived from them (read once per build)
        # The study part's tokens (None: none to keep it under), the answers applied to the
        # found one since it was kept shared and its answers as the model reads them (None:
        # not known) (dashboard_cache.Found.study_pending, study_evidence).
        self.study_versions, self.study_pending, self.study_evidence = study

    def get(self, name: str, reader):
        if name in self.found:
            return self.found[name]
        if name not in self.read:
            self.read[name] = reader()
        return self.read[name]


def learner_settings(*, user, parts: Parts | None = None) -> tuple:
    """(time zone, exam date, (retention aimed at, trained parameters or None)): 3 queries,
    none when ``parts`` holds them."""

    def read():
        memory = srs_selectors.memory_settings(user_ids=[user.pk]).get(user.pk, (0.9, None))
        return srs_selectors.user_timezone(user=user), exam_date_of(user=user), memory

    return (parts or Parts()).get("settings", read)


def learner_quiz(*, user, parts: Parts | None = None) -> tuple:
    """(accuracy by deck, {item id: last graded answer right}, mock history, {attempt id: the
    prediction to compare with}): 4 queries, none when ``parts`` holds them."""

    def read():
        mocks = quiz_selectors.mock_history(user=user)
        return (
            quiz_selectors.accuracy_by_deck(user=user),
            quiz_selectors.last_answers(user_ids=[user.pk]).get(user.pk, {}),
            mocks,
            _predictions_for(user=user, attempt_ids=[m.id for m in mocks]),
        )

    return (parts or Parts()).get("quiz", read)


# The kept study part is written again once this many answers were applied to it (each
# rebuild applies all the answers since: writing it after every answer cost more, ~1.4 ms
# at 264 cards and 500 answers, than applying a few more answers).
STUDY_REKEEP = 8


@dataclass(frozen=True)
class StudyReads:
    """The learner's study data as the dashboard reads it."""

    memory: list[tuple]  # card_memory_rows_seen, by item id
    answers: list[Answer]  # answers_from(answer_log (EVIDENCE_LIMIT)), newest first
    rollups: list  # the daily roll-ups of the last HEATMAP_DAYS study days, oldest first


def learner_study(*, user, tz, today: date, parts: Parts | None = None) -> StudyReads:
    """The learner's card memory, latest answers and daily roll-ups: read whole (3 queries),
    or, when ``parts`` holds them (``dashboard_cache``: kept under a token that only changes
    other than logged answers renew), the kept ones with the answers logged since applied
    (1 query, 3 when there are any: the new logs with their cards as they are now, and the
    roll-ups from the first new log's study day). The same rows either way."""
    parts = parts or Parts()
    if (today, "study") in parts.built:  # this build read them already
        return parts.built[today, "study"]
    start = today - timedelta(days=HEATMAP_DAYS)
    kept = parts.found.get("study")
    if kept is None:
        # The answers before the cards: a card answered in between is read as it is after.
        answers = srs_selectors.answer_log_with_ids(user=user, limit=EVIDENCE_LIMIT)
        memory = {row[-1]: row for row in srs_selectors.card_memory_rows_seen(user=user)}
        rollups = srs_selectors.rollup_rows(user=user, after=start, until=today)
        rollups = [tuple(row) for row in rollups]  # plain tuples: kept smaller, read faster
        last_log = max((row[0] for row in answers), default=0)
        parts.read["study"] = (last_log, memory, answers, rollups)
        pending, evidence = 0, None
    else:
        last_log, memory, answers, rollups = kept
        pending, evidence = parts.study_pending, parts.study_evidence
        since = srs_selectors.answers_since(user=user, log_id=last_log)
        if since.answers:
            memory = {i: row for i, row in memory.items() if i not in since.items}
            memory.update((row[-1], row) for row in since.memory)
            answers, evidence = _newest_answers(answers, since.answers, evidence)
            first = min(study_day(row[3], tz) for row in since.answers)
            fresh = srs_selectors.rollup_rows(
                user=user, after=first - timedelta(days=1), until=max(today, first)
            )
            rollups = [row for row in rollups if row[0] < first] + [tuple(row) for row in fresh]
            last_log, pending = since.last_log, pending + len(since.answers)
            if pending >= STUDY_REKEEP:
                parts.read["study"] = (last_log, memory, answers, rollups)
                pending = 0
    if evidence is None:
        evidence = answers_from(row[1:] for row in answers)
    dashboard_cache.study_memo_keep(
        user.pk, parts.study_versions, (last_log, memory, answers, rollups), pending, evidence
    )
    reads = parts.built[today, "study"] = StudyReads(
        memory=[memory[item] for item in sorted(memory)],
        answers=evidence,
        rollups=[srs_selectors.DayStats._make(r) for r in rollups if start < r[0] <= today],
    )
    return reads


def _answer_order(row) -> tuple:
    return row[3], row[0]  # answered at, log id


def _newest_answers(kept: list, new: list, evidence: list | None) -> tuple:
    """The ``EVIDENCE_LIMIT`` newest of ``kept`` (newest first) and ``new`` answers, as
    sorting them all gives, and their ``answers_from`` when ``evidence`` is the kept ones'
    (else None); without the sort when every new answer is newer than the kept ones (as
    answers are logged: ids in order, each at its own moment), and then only the new ones
    are read into the model's answers."""
    new = sorted(new, key=_answer_order, reverse=True)
    if kept and new and _answer_order(new[-1]) > _answer_order(kept[0]):
        rest = max(0, EVIDENCE_LIMIT - len(new))
        rows = (new + kept[:rest])[:EVIDENCE_LIMIT]
        if evidence is not None:
            evidence = (answers_from(row[1:] for row in new) + evidence[:rest])[:EVIDENCE_LIMIT]
        return rows, evidence
    return sorted([*kept, *new], key=_answer_order, reverse=True)[:EVIDENCE_LIMIT], None


def readiness_get(
    *, user, now: datetime, tz=None, decks=None, profile=None, bank=None, parts=None
) -> tuple:
    """(CardSummary, Readiness) for one user now (``parts``: see :class:`Parts`)."""
    parts = parts or Parts()
    tz = tz or learner_settings(user=user, parts=parts)[0]
    study = learner_study(user=user, tz=tz, today=study_day(now, tz), parts=parts)
    content = content_figures(parts.content_version) if decks is None or bank is None else None
    decks = decks if decks is not None else content.decks
    profile = profile or quiz_selectors.exam_profile()
    rows = study.memory
    # Every other studiable item is new: a card never reviewed, or no card yet (as on the
    # home page) - counted from the content, not by reading those cards.
    untouched = max(0, sum(deck.items for deck in decks.values()) - len(rows))
    cards = summarize_cards(rows, now=now, tz=tz, today=study_day(now, tz), untouched=untouched)
    mock = content.mock if bank is None else [item.bank_item() for item in bank if item.mock]
    bank = bank if bank is not None else content.bank
    answers = study.answers
    accuracy, last, _mocks, _predictions = learner_quiz(user=user, parts=parts)
    retention, parameters = learner_settings(user=user, parts=parts)[2]
    forecast = item_forecast(
        bank=bank,
        mock=mock,
        memory=cards.memory,
        answers=answers,
        last_answers=last,
        profile=profile,
        now=now,
        parameters=parameters,
        parts=parts,
    )
    readiness = readiness_from(
        decks=decks,
        deck_evidence=cards.deck_evidence,
        quiz_accuracy=accuracy,
        profile=profile,
        forecast=forecast,
    )
    readiness.answers = answers
    readiness.bank = bank
    readiness.mock = mock
    readiness.tiers = {item: draw.RIGHT if right else draw.WRONG for item, right in last.items()}
    readiness.desired_retention, readiness.parameters = retention, parameters
    readiness.frame = (parts.found.get("draw") or parts.read.get("draw")) if parts else None
    return cards, readiness


PACE_DAYS = 14  # "current pace": new cards a day over the last two weeks
EXAM_HOUR = 9  # the exam is taken at 09:00 local time on its day


def exam_date_of(*, user) -> date | None:
    return Profile.objects.filter(user=user).values_list("exam_date", flat=True).first()


def current_pace(answers: list[Answer], *, now: datetime) -> float:
    """New cards a day lately: cards first studied in the last ``PACE_DAYS`` days."""
    since = now - timedelta(days=PACE_DAYS)
    first_seen = {
        a.item_id for a in answers if a.stability is None and not a.quiz and a.at >= since
    }
    return len(first_seen) / PACE_DAYS


def plan_from(
    *, cards: CardSummary, readiness: Readiness, profile, now: datetime, exam_day: date, tz
) -> Plan:
    """The plan for ``exam_day`` (no queries)."""
    exam_at = datetime.combine(exam_day, time(EXAM_HOUR), tzinfo=tz)
    mock = readiness.mock or [item.bank_item() for item in readiness.bank if item.mock]
    studied = {i for i, state in cards.memory.items() if state.stability and state.last_review}
    # New cards in the queue's order; questions a mock can draw first within a deck.
    unstudied = [
        item.id
        for item in sorted(readiness.bank, key=lambda i: (i.deck_id, not i.mock, i.id))
        if item.id not in studied
    ]
    return study_plan(
        mock,
        cards.memory,
        cards.due_at,
        readiness.forecast.learner,
        unstudied=unstudied,
        now=now,
        exam_at=exam_at,
        current_pace=current_pace(readiness.answers, now=now),
        tiers=readiness.tiers,
        weights=profile.weights(),
        count=profile.question_count,
        pass_mark=profile.pass_mark,
        desired_retention=readiness.desired_retention,
        parameters=readiness.parameters,
        frame=readiness.frame,
    )


PLAN_TTL = 24 * 3600  # the key holds the study day: an entry outlives it unread


def plan_inputs(*, cards: CardSummary, readiness: Readiness, profile, now: datetime, tz) -> str:
    """A digest of what the plan is built from, in the grain that moves it: the study day,
    the cards studied (a new card learned or one reset), the current pace, the quiz tiers,
    the settings (retention, trained parameters), the exam profile and the learner's fit
    (memory factor, prior knowledge, topic shifts) to 0.01. A review of a card already
    studied changes none of these (its memory moves the plan too little to rerun the FSRS
    simulation); the plan shows it at the next change above, or the next study day."""
    learner = readiness.forecast.learner
    studied = sorted(
        i for i, state in cards.memory.items() if state.stability and state.last_review
    )
    inputs = (
        study_day(now, tz),
        studied,
        round(current_pace(readiness.answers, now=now), 6),
        sorted(readiness.tiers.items()),
        readiness.desired_retention,
        readiness.parameters,
        sorted(profile.weights().items()),
        profile.question_count,
        profile.pass_mark,
        None if learner is None else round(learner.memory_factor, 2),
        None if learner is None else round(learner.known, 2),
        None if learner is None else learner.w20,
        None
        if learner is None
        else sorted((t, round(v, 2)) for t, v in learner.topic_shift.items()),
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()[:24]


def plan_cached(
    *,
    user,
    cards: CardSummary,
    readiness: Readiness,
    profile,
    now: datetime,
    exam_day: date,
    tz,
    content: str | None = None,
) -> Plan:
    """``plan_from``, kept in the shared cache under the content version, the exam date and
    :func:`plan_inputs`: built afresh after a new card, a quiz answer, a settings change,
    an import, a new exam date and every study day, not after each review."""
    digest = plan_inputs(cards=cards, readiness=readiness, profile=profile, now=now, tz=tz)
    content = content or tokens(CONTENT_VERSION_KEY)[0]  # ``content``: read by the caller
    key = f"progress:plan:{user.pk}:{content}:{exam_day}:{digest}"
    cache = caches[settings.SHARED_CACHE]
    plan = cache.get(key)
    if plan is None:
        plan = plan_from(
            cards=cards, readiness=readiness, profile=profile, now=now, exam_day=exam_day, tz=tz
        )
        cache.set(key, plan, PLAN_TTL)
    return plan


def dashboard_get(*, user, now: datetime | None = None, parts: Parts | None = None) -> Dashboard:
    """Everything the student dashboard shows, in a fixed number of queries (fewer with the
    learner's ``parts`` kept from an earlier build: :class:`Parts`)."""
    now = now or timezone.now()
    parts = parts or Parts()
    tz, exam_day, _memory = learner_settings(user=user, parts=parts)
    today = study_day(now, tz)
    profile = parts.get("profile", quiz_selectors.exam_profile)
    cards, readiness, plan = _readiness_and_plan(
        user=user, now=now, tz=tz, profile=profile, exam_day=exam_day, parts=parts
    )
    # "Due now/today" are what the study queue shows: srs's rule, not re-derived here.
    due = srs_selectors.due_counts(user=user, now=now)
    cards.due_now, cards.due_today = due.now, due.today
    cards.forecast[0] = (today, due.today)
    study = learner_study(user=user, tz=tz, today=today, parts=parts)
    activity = activity_from_rows(study.rollups, today=today)
    _accuracy, _last, mocks, predictions = learner_quiz(user=user, parts=parts)
    return Dashboard(
        exam_day=exam_day,
        plan=plan,
        now=now,
        tz=tz,
        today=today,
        cards=cards,
        activity=activity,
        readiness=readiness,
        mocks=[MockRow(m, predictions.get(m.id)) for m in mocks],
        pass_mark=profile.pass_mark,
    )


def exam_outlook(*, user, now: datetime | None = None) -> dict:
    """For the home page: ``exam_day`` and, when there is one ahead, the ``plan`` (days
    left, forecast at the exam date, pace needed). One query without an exam date."""
    exam_day = exam_date_of(user=user)
    result = {"exam_day": exam_day, "plan": None, "show_plan": True}
    if exam_day is None:
        return result
    now = now or timezone.now()
    tz = srs_selectors.user_timezone(user=user)
    if exam_day < study_day(now, tz):
        return result
    # The plan needs the learner's whole readiness to find its inputs: the home page keeps
    # it under the data and content versions (dashboard_cache), the study day and the date.
    data, content = tokens(dashboard_cache.USER_KEY.format(user.pk), CONTENT_VERSION_KEY)
    key = f"progress:outlook:{user.pk}:{data}:{content}:{study_day(now, tz)}:{exam_day}"
    cache = caches[settings.SHARED_CACHE]
    kept = cache.get(key) if "-" not in (data, content) else None
    if kept is None:
        profile = quiz_selectors.exam_profile()
        _cards, _readiness, kept = _readiness_and_plan(
            user=user, now=now, tz=tz, profile=profile, exam_day=exam_day
        )
        if "-" not in (data, content):
            cache.set(key, (kept,), dashboard_cache.TTL)
    else:
        (kept,) = kept
    result["plan"] = kept
    return result


def _readiness_and_plan(*, user, now, tz, profile, exam_day, parts=None) -> tuple:
    """(CardSummary, Readiness, the plan to the exam date or None): no date, a date already
    past, or no question a mock can draw has no plan (the dashboard's and the home page's)."""
    cards, readiness = readiness_get(user=user, now=now, tz=tz, profile=profile, parts=parts)
    if exam_day is None or exam_day < study_day(now, tz) or not readiness.forecast.count:
        return cards, readiness, None
    plan = plan_cached(
        user=user,
        cards=cards,
        readiness=readiness,
        profile=profile,
        now=now,
        exam_day=exam_day,
        tz=tz,
        content=parts.content_version if parts is not None else None,
    )
    return cards, readiness, plan


# --- Instructor class view -------------------------------------------------------------


@dataclass
class Comparison:
    """Predicted vs actual over mock exams: n, mean (actual − predicted), inside the range."""

    n: int = 0
    error_sum: int = 0
    inside: int = 0

    def add(self, *, actual: int, predicted: int, low: int, high: int) -> None:
        self.n += 1
        self.error_sum += actual - predicted
        self.inside += low <= actual <= high

    @property
    def bias(self) -> float | None:
        return self.error_sum / self.n if self.n >= 2 else None

    @property
    def coverage(self) -> float | None:
        return self.inside / self.n if self.n >= 2 else None


def calibration_by_user(*, user_ids=None) -> dict[int | None, Comparison]:
    """{user id: Comparison} over finished mock exams with a stored prediction (the start
    snapshot, else finish, else lazy), and the whole class under the key ``None``. 2 queries."""
    scores = quiz_selectors.mock_scores(user_ids=user_ids)
    best: dict[int, tuple] = {}
    rows = Prediction.objects.filter(attempt_id__in=list(scores)).values_list(
        "attempt_id", "moment", "predicted_score", "score_low", "score_high"
    )
    for attempt_id, moment, predicted, low, high in rows:
        current = best.get(attempt_id)
        rank = _MOMENT_ORDER.get(moment, 3)
        if current is None or rank < current[0]:
            best[attempt_id] = (rank, predicted, low, high)
    result: dict[int | None, Comparison] = defaultdict(Comparison)
    for attempt_id, (_rank, predicted, low, high) in best.items():
        user_id, actual = scores[attempt_id]
        for key in (user_id, None):
            result[key].add(actual=actual, predicted=predicted, low=low, high=high)
    return result


@dataclass
class StudentRow:
    user: object
    reviews_7_days: int
    retention: Retention
    last_mock: int | None
    forecast: object
    calibration: Comparison = field(default_factory=Comparison)


def class_students(*, users, now: datetime | None = None) -> list[StudentRow]:
    """One row per student of ``users`` (a page of them): a fixed number of queries."""
    now = now or timezone.now()
    users = list(users)
    ids = [u.pk for u in users]
    tzs = srs_selectors.user_timezones(user_ids=ids)
    # The class's "last 7/30 days" are counted in the default time zone's study days.
    today = study_day(now, timing.zone(None))
    retention_sums = srs_selectors.rollup_sums(
        user_ids=ids,
        after=today - timedelta(days=RETENTION_DAYS),
        fields=("young_pass", "young_fail", "mature_pass", "mature_fail"),
    )
    retention = {
        user_id: Retention(
            row["young_pass"] + row["mature_pass"], row["young_fail"] + row["mature_fail"]
        )
        for user_id, row in retention_sums.items()
    }
    recent = {
        user_id: row["reviews"]
        for user_id, row in srs_selectors.rollup_sums(
            user_ids=ids, after=today - timedelta(days=7), fields=("reviews",)
        ).items()
    }
    decks = content_map()
    profile = quiz_selectors.exam_profile()
    rows_by_user = defaultdict(list)
    for row in srs_selectors.card_memory_rows(user_ids=ids):
        rows_by_user[row[0]].append(row)
    accuracy = quiz_selectors.accuracy_by_users(user_ids=ids)
    last_mock = quiz_selectors.last_mock_scores(user_ids=ids)
    bank = study_bank()
    answer_rows = defaultdict(list)
    for row in srs_selectors.answer_log(user_ids=ids, limit=EVIDENCE_LIMIT):
        answer_rows[row[0]].append(row)
    tiers = quiz_selectors.last_answers(user_ids=ids)
    memory_settings = srs_selectors.memory_settings(user_ids=ids)
    compared = calibration_by_user(user_ids=ids)
    result = []
    for user in users:
        user_tz = tzs[user.pk]
        cards = summarize_cards(
            rows_by_user[user.pk], now=now, tz=user_tz, today=study_day(now, user_tz)
        )
        forecast = item_forecast(
            bank=bank,
            memory=cards.memory,
            answers=answers_from(answer_rows[user.pk]),
            last_answers=tiers.get(user.pk, {}),
            profile=profile,
            now=now,
            parameters=memory_settings.get(user.pk, (0.9, None))[1],
        )
        readiness = readiness_from(
            decks=decks,
            deck_evidence=cards.deck_evidence,
            quiz_accuracy=accuracy.get(user.pk, {}),
            profile=profile,
            forecast=forecast,
        )
        result.append(
            StudentRow(
                user=user,
                reviews_7_days=recent.get(user.pk, 0),
                retention=retention.get(user.pk, Retention()),
                last_mock=last_mock.get(user.pk),
                forecast=readiness.forecast,
                calibration=compared.get(user.pk, Comparison()),
            )
        )
    return result


# --- The question bank for the item model ----------------------------------------------


def study_bank() -> list:
    """Every studiable source item with its format (authored options, how many correct),
    exam domains and topics (the item's own, as the mock draw reads them): 2 queries.
    ``mock`` marks the questions a mock exam can draw (``Item.objects.mock_eligible``)."""
    rows = list(
        Item.objects.studiable()
        .annotate(
            n_options=Count("options"),
            n_correct=Count("options", filter=Q(options__is_correct=True)),
        )
        .values_list("id", "deck_id", "kind", "domains", "deck__in_mock", "n_options", "n_correct")
    )
    topics: dict[int, set[int]] = defaultdict(set)
    links = Item.topics.through.objects.filter(item__in=Item.objects.studiable()).values_list(
        "item_id", "topic_id"
    )
    for item_id, topic_id in links:
        topics[item_id].add(topic_id)
    items = []
    for item_id, deck_id, kind, domains, in_mock, n_options, n_correct in rows:
        question = kind == Item.Kind.QUESTION
        domains = frozenset(d for d in domains or () if isinstance(d, int) and d in exam.DOMAINS)
        items.append(
            SimItem(
                id=item_id,
                deck_id=deck_id,
                question=question,
                options=n_options,
                correct=n_correct,
                domains=domains,
                topics=frozenset(topics[item_id]),
                mock=question and in_mock and n_options > n_correct,
                in_mock=in_mock,
            )
        )
    return sorted(items, key=lambda item: item.id)
