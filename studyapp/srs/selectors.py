"""Reads for spaced repetition: the study queue, today's counts, what a card shows.

The hot path (answer → next card) uses a fixed number of queries whatever the learner's
history: today's counts read only today's logs through the (user, reviewed_at) index, and
the queue reads only due cards through the (user, due) index.
"""

from __future__ import annotations

import dataclasses
import threading
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber

from studyapp import rows, versions
from studyapp.accounts import roles
from studyapp.content import selectors as content_selectors
from studyapp.content import translation
from studyapp.content.models import Deck, Item, Option, Reference, Section

from . import timing
from .models import (
    CardAction,
    DailyReviewStats,
    DeckLimits,
    ReviewLog,
    State,
    StudyCard,
    StudySettings,
)
from .rollups import DayStats

# Like Anki's "learn ahead limit": when nothing else is due, learning cards due within
# this window are shown rather than making the learner wait a few minutes.
LEARN_AHEAD = timedelta(minutes=20)
LEARNING_STATES = (State.LEARNING, State.RELEARNING)


@dataclass(frozen=True)
class Scope:
    """Which cards a session draws from: one deck, the learner's chosen decks, or all."""

    deck: Deck | None = None
    deck_ids: tuple[int, ...] = ()
    ahead: bool = False

    @property
    def slug(self) -> str:
        return self.deck.slug if self.deck else ""


@dataclass
class DayCounts:
    """Today's study answers against the daily limits. ``new_left``/``reviews_left`` are the
    overall ones; decks with their own limits (``DeckLimits``) are in ``deck_new`` and
    ``deck_reviews`` as {deck id: (limit, done today)}: a deck's limit works within the
    overall one (Anki's deck options)."""

    new_done: int
    reviews_done: int
    new_left: int
    reviews_left: int
    new_limit: int = 0
    reviews_limit: int = 0
    deck_new: dict = field(default_factory=dict)
    deck_reviews: dict = field(default_factory=dict)
    # Whether Undo has something to revert (:func:`has_undo`), when asked with the counts.
    has_undo: bool | None = None

    @staticmethod
    def _left(overall: int, own: dict, deck_id: int | None) -> int:
        if deck_id in own:
            limit, done = own[deck_id]
            return min(overall, max(0, limit - done))
        return overall

    def new_left_in(self, scope) -> int:
        """New cards still allowed today in ``scope`` (a deck's own limit within the overall)."""
        return self._left(self.new_left, self.deck_new, scope.deck.pk if scope.deck else None)

    def reviews_left_in(self, scope) -> int:
        deck_id = scope.deck.pk if scope.deck else None
        return self._left(self.reviews_left, self.deck_reviews, deck_id)

    def deck_new_left(self, deck_id: int) -> int:
        return self._left(self.new_left, self.deck_new, deck_id)

    def deck_reviews_left(self, deck_id: int) -> int:
        return self._left(self.reviews_left, self.deck_reviews, deck_id)

    def new_closed_decks(self) -> tuple[int, ...]:
        """Decks whose own new-card limit is used up today."""
        return tuple(d for d, (limit, done) in self.deck_new.items() if done >= limit)

    def review_closed_decks(self) -> tuple[int, ...]:
        return tuple(d for d, (limit, done) in self.deck_reviews.items() if done >= limit)

    def deck_limit_binds(self, kind: str, scope) -> bool:
        """Whether the deck's own limit (not the overall one) is what stops ``kind``
        ("new" or "review") in a one-deck ``scope``."""
        own = self.deck_new if kind == "new" else self.deck_reviews
        overall = self.new_left if kind == "new" else self.reviews_left
        if scope.deck is None or scope.deck.pk not in own:
            # Several decks: the decks' own limits hold cards back while the overall allows.
            return scope.deck is None and overall > 0
        limit, done = own[scope.deck.pk]
        return max(0, limit - done) < overall


@dataclass
class QueueCounts:
    """Cards waiting now, by kind, as the header shows them: learning includes steps due
    within :data:`LEARN_AHEAD`; review and new are capped by today's limits (the deck's own
    within the overall). ``review_due`` and ``new_waiting`` are the uncapped numbers."""

    learning: int = 0
    review: int = 0
    new: int = 0
    review_due: int = 0
    new_waiting: int = 0

    @property
    def total(self) -> int:
        return self.learning + self.review + self.new

    @property
    def new_held(self) -> int:
        """New cards waiting that today's limits hold back."""
        return self.new_waiting - self.new

    @property
    def reviews_held(self) -> int:
        return self.review_due - self.review


@dataclass
class CardDisplay:
    """What the page shows for a card (the item in the learner's language when translated)."""

    card: StudyCard
    item: Item
    deck_title: str
    section_title: str
    correct_options: list = field(default_factory=list)
    references: list = field(default_factory=list)
    intervals: dict = field(default_factory=dict)

    @property
    def is_question(self) -> bool:
        return self.item.is_question

    @property
    def card_id(self) -> str:
        """The card's id as text (a template would localize the integer)."""
        return str(self.card.pk)

    @property
    def has_cloze(self) -> bool:
        return bool(self.item.cloze_term and self.item.cloze_html)


@cache  # the same text on every study page, answer and dashboard (per database vendor)
def _session_settings_sql(vendor: str) -> tuple[str, list]:
    """The SQL of :func:`session_settings_read` and its parameters after the user's ids."""
    settings_table, decks_table, limits_table = (
        rows.table(model) for model in (StudySettings, StudySettings.decks.through, DeckLimits)
    )
    blanks = ", ".join(["NULL"] * rows.width(StudySettings))
    instructor, instructor_params = roles.instructor_sql()
    sql = (
        f"SELECT 0, 0, 0, 0, {rows.columns(StudySettings, 's')}"  # noqa: S608
        f" FROM {settings_table} s WHERE s.user_id = %s"
        f" UNION ALL SELECT 1, m.deck_id, 0, 0, {blanks} FROM {decks_table} m"
        f" INNER JOIN {settings_table} s ON s.id = m.studysettings_id WHERE s.user_id = %s"
        " UNION ALL SELECT 2, l.deck_id, l.new_per_day, l.reviews_per_day,"
        f" {blanks} FROM {limits_table} l"
        f" INNER JOIN {settings_table} s ON s.id = l.settings_id WHERE s.user_id = %s"
        # Whether the user is an instructor (the page's edit links): asked here, not apart.
        f" UNION ALL SELECT 3, {instructor}, 0, 0, {blanks}"
    )
    return sql, list(instructor_params)


def session_settings_read(*, user) -> tuple[StudySettings, tuple[int, ...], dict] | None:
    """(the learner's settings, their chosen decks' ids (sorted; empty: all decks), their
    decks' own limits {deck id: (new, reviews)}), or None before their first study page or
    quiz answer (the service creates the row: ``services.study_session_settings``). One SQL
    query: the settings row, one row per chosen deck and per deck limit, and whether the
    user is an instructor (kept on ``user`` for the page's navigation: ``roles``)."""
    sql, instructor_params = _session_settings_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * 4 + instructor_params)
        found = cursor.fetchall()
    settings, deck_ids, limits = None, [], {}
    for kind, deck_id, new, reviews, *values in found:
        if kind == 0:
            settings = rows.instance(StudySettings, values)
        elif kind == 1:
            deck_ids.append(deck_id)
        elif kind == 2:
            limits[deck_id] = (new, reviews)
        else:
            roles.instructor_known(user, deck_id)
    if settings is None:
        return None
    return settings, tuple(sorted(deck_ids)), limits


def scope_for(
    *, settings: StudySettings, slug: str | None, ahead: bool = False, deck_ids=None
) -> Scope:
    """One query: the deck for ``slug`` (source-language deck; Deck.DoesNotExist → 404)
    or the learner's chosen decks (empty = all; none when ``deck_ids`` gives them)."""
    if slug:
        deck = Deck.objects.sources().get(slug=slug)
        return Scope(deck=deck, ahead=ahead)
    if deck_ids is None:
        deck_ids = tuple(settings.decks.values_list("id", flat=True))
    return Scope(deck_ids=tuple(deck_ids), ahead=ahead)


def deck_limits(*, settings: StudySettings) -> dict[int, tuple[int | None, int | None]]:
    """{deck id: (new per day, reviews per day)} of the learner's own deck limits (None:
    only the overall limit applies)."""
    return {
        deck_id: (new, reviews)
        for deck_id, new, reviews in DeckLimits.objects.filter(settings=settings).values_list(
            "deck_id", "new_per_day", "reviews_per_day"
        )
    }


def day_counts(*, user, settings: StudySettings, now: datetime) -> DayCounts:
    """New cards introduced and reviews done since 04:00 local (study answers only),
    overall and for each deck with its own limits (one query: today's answers, per deck,
    and the learner's deck limits; the study page reads the limits with its settings and
    these counts with the queue's, :func:`study_counts`)."""
    today, params = _today_sql(user=user, settings=settings, now=now, own=None)
    found = _fetch(today, params)
    limits = {deck_id: (new, reviews) for kind, deck_id, new, reviews, _ in found if kind == 4}
    return _day(settings, limits, found)


def next_card(
    *, user, scope: Scope, now: datetime, day: DayCounts, card_id: int | None = None
) -> StudyCard | None:
    """The card to show: due learning/relearning cards first (by due), then due reviews,
    then new cards (while the daily limits allow), then learning cards due soon.
    ``card_id`` asks for that card first (e.g. the card just restored by undo).
    :func:`session_card` (one query, whatever the number of cards waiting), with the
    content state read here."""
    return session_card(
        user=user, scope=scope, now=now, day=day, content=content_state(), card_id=card_id
    )


def _studiable_sql(*, user, scope: Scope, now: datetime) -> tuple[str, list]:
    """``FROM … WHERE …`` (cards ``c``, items ``i``, decks ``d``) and its parameters: the
    cards a session may show now (not suspended, not buried, their item and deck active, in
    the scope), as SQL for the two hot queries below."""
    card, item, deck = (
        connection.ops.quote_name(model._meta.db_table) for model in (StudyCard, Item, Deck)
    )
    sql = (
        f"FROM {card} c INNER JOIN {item} i ON i.id = c.item_id"
        f" INNER JOIN {deck} d ON d.id = i.deck_id"
        " WHERE c.user_id = %s AND c.suspended = %s AND i.retired_at IS NULL"
        " AND d.retired_at IS NULL AND (c.buried_until IS NULL OR c.buried_until <= %s)"
    )
    params = [user.pk, False, connection.ops.adapt_datetimefield_value(now)]
    if scope.deck is not None:
        sql += " AND i.deck_id = %s"
        params.append(scope.deck.pk)
    elif scope.deck_ids:
        sql += f" AND i.deck_id IN ({', '.join(['%s'] * len(scope.deck_ids))})"
        params.extend(scope.deck_ids)
    return sql, params


def queue_counts(*, user, scope: Scope, now: datetime, day: DayCounts) -> QueueCounts:
    """How many cards are waiting now, by kind: learning steps due within
    :data:`LEARN_AHEAD` (they are shown before the learner would wait), reviews and new
    cards capped by today's limits, each deck's own within the overall (one query; the
    study page reads it with today's counts, :func:`study_counts`)."""
    own = sorted(set(day.deck_new) | set(day.deck_reviews))
    # The inactive items as a subquery (no cache read: callers such as the dashboard pin
    # their query counts).
    content = ContentState(version=NO_VERSION, inactive=None)
    sql, params = _queue_sql(user=user, scope=scope, now=now, content=content, own=own)
    return _queue(day, scope, _fetch(sql, params))


@dataclass
class DueCounts:
    """Non-new cards the study queue (the learner's decks, as ``/study/``) shows ``now`` and
    during the rest of the study day, reviews within today's review limit."""

    now: int = 0
    today: int = 0


def due_counts(*, user, now: datetime) -> DueCounts:
    """The dashboard's "para revisar agora" and "vencem hoje", by the queue's own rules (its
    SQL filters, the learner's decks as ``/study/``, today's limits, each deck's own within
    the overall): ``now`` is the header's learning + review count (:func:`queue_counts`);
    ``today`` adds what becomes due before the next study day starts. A review card is due
    from the start of the study day that holds its due time (the scheduler stores that
    start), a learning card at its exact due time. 2 queries: the settings with the chosen
    decks and the deck limits (as the study page reads them), then today's answers and the
    learning and review cards due (per deck, through the (user, state, due) index: never
    the new cards, whatever the content's size)."""
    found = session_settings_read(user=user)
    if found is None:  # never opened a study page nor answered a quiz: nothing studied
        return DueCounts()
    settings, deck_ids, limits = found
    scope = Scope(deck_ids=deck_ids)  # scope_for's: the chosen decks (empty = all)
    # Today's answers per deck for the decks with their own limits (the study page's own).
    today_sql, today_params = _today_sql(user=user, settings=settings, now=now, own=sorted(limits))
    due_sql, due_params = _due_sql(user=user, scope=scope, now=now, settings=settings)
    found = _fetch(f"{today_sql} UNION ALL {due_sql}", [*today_params, *due_params])
    day = _day(settings, limits, found)
    now_rows = [(deck_id, a, b) for kind, deck_id, a, b, _c in found if kind == 12]
    today_rows = [(deck_id, a, b) for kind, deck_id, a, b, _c in found if kind == 13]
    waiting = QueueCounts(
        learning=sum(a for _deck, a, _b in now_rows),
        review_due=sum(b for _deck, _a, b in now_rows),
    )
    own = set(day.deck_reviews)
    per_deck = {deck_id: (a, b, 0) for deck_id, a, b in now_rows if deck_id in own}
    counts = _capped(day, scope, waiting, per_deck)
    learning = sum(a for _deck, a, _b in today_rows)
    review = sum(min(b, day.deck_reviews_left(deck_id)) for deck_id, _a, b in today_rows)
    today = max(learning, counts.learning) + min(review, day.reviews_left_in(scope))
    return DueCounts(now=counts.learning + counts.review, today=today)


def _due_sql(*, user, scope: Scope, now: datetime, settings: StudySettings) -> tuple[str, list]:
    """Per deck, rows (12, deck, learning due within LEARN_AHEAD, reviews due now, 0) and
    (13, deck, learning due today, reviews due today, 0) over the user's studiable started
    cards (as :func:`_studiable_sql`), each arm an index range of the started states."""
    at = connection.ops.adapt_datetimefield_value
    cards, params = _studiable_sql(user=user, scope=scope, now=now)
    learning = [str(state) for state in LEARNING_STATES]
    review = str(State.REVIEW)
    ahead, end = now + LEARN_AHEAD, timing.next_day_start(now, settings.tzinfo)
    counts = (
        "COUNT(CASE WHEN c.state IN (%s, %s) AND c.due {} %s THEN 1 END),"
        " COUNT(CASE WHEN c.state = %s AND c.due {} %s THEN 1 END), 0"
    )
    sql = (
        f"SELECT 12, i.deck_id, {counts.format('<=', '<=')} {cards}"  # noqa: S608
        " AND c.state IN (%s, %s, %s) AND c.due <= %s GROUP BY i.deck_id"
        f" UNION ALL SELECT 13, i.deck_id, {counts.format('<', '<')} {cards}"
        " AND c.state IN (%s, %s, %s) AND c.due < %s GROUP BY i.deck_id"
    )
    started = [*learning, review]
    return sql, [
        *[*learning, at(ahead), review, at(now), *params, *started, at(ahead)],
        *[*learning, at(end), review, at(end), *params, *started, at(end)],
    ]


@dataclass(frozen=True)
class DeckCounts:
    due: int = 0  # learning, relearning and review cards due now
    new: int = 0  # never studied: new cards and items without a card yet


def deck_counts(*, user, deck_ids, now: datetime) -> dict[int, DeckCounts]:
    """{source deck id: DeckCounts} for the home page, in one query whatever the number of
    decks. Counts the deck's studiable items through the user's card (if any): items
    without a card yet (``cards_ensure`` has not run) count as new, suspended cards and
    cards buried until later do not count. Not capped by the daily limits."""
    deck_ids = list(deck_ids)
    if not deck_ids or not user.is_authenticated:
        return {}
    # From the decks: SQLite then reads each deck's items by its index; from the items it
    # picked the source-item index and read every deck's items (it grew with the content).
    mine = FilteredRelation("items__study_cards", condition=Q(items__study_cards__user=user))
    studiable = Q(items__retired_at__isnull=True, items__translation_of__isnull=True)
    waiting = Q(mine__suspended=False) & (
        Q(mine__buried_until__isnull=True) | Q(mine__buried_until__lte=now)
    )
    rows = (
        Deck.objects.filter(pk__in=deck_ids, retired_at__isnull=True)
        .annotate(mine=mine)
        .values("pk")
        .annotate(
            due=Count(
                "items",
                filter=studiable
                & waiting
                & Q(mine__state__in=[*LEARNING_STATES, State.REVIEW], mine__due__lte=now),
            ),
            new=Count(
                "items",
                filter=studiable
                & (Q(mine__id__isnull=True) | (waiting & Q(mine__state=State.NEW))),
            ),
        )
        .values_list("pk", "due", "new")
    )
    return {deck_id: DeckCounts(due=due, new=new) for deck_id, due, new in rows}


def has_studied(*, user) -> bool:
    """Whether the user has answered any card (study or quiz): the home page's first step."""
    return user.is_authenticated and ReviewLog.objects.filter(user=user).exists()


def next_due(
    *,
    user,
    settings: StudySettings,
    scope: Scope,
    now: datetime,
    day: DayCounts,
    content: ContentState | None = None,
) -> datetime | None:
    """When the next learning or review card becomes due (for "Nada para estudar agora").
    New cards held back by a daily limit are not "due": the empty state says so apart
    (:class:`EmptyState`), with the time the limit resets. One query as SQL (the ORM took
    ~1.5 ms to build it, on most study pages and answers of a learner who is done for now):
    the first due after ``now`` per state through the (user, state, due) index, the cards
    the session may show (:func:`_cards_sql`, the inactive items as ``content`` lists them
    or as a subquery)."""
    content = content or ContentState(version=NO_VERSION, inactive=None)
    cards, base = _cards_sql(user=user, scope=scope, now=now, content=content)
    at = connection.ops.adapt_datetimefield_value(now)
    firsts, params = [], []
    for n, state in enumerate((*LEARNING_STATES, State.REVIEW)):  # every state but new
        firsts.append(
            f"SELECT * FROM (SELECT c.due {cards} AND c.state = %s AND c.due > %s"  # noqa: S608
            f" ORDER BY c.due LIMIT 1) q{n}"
        )
        params += [*base, str(state), at]
    sql = f"SELECT f.due FROM ({' UNION ALL '.join(firsts)}) f ORDER BY f.due LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else rows.value(StudyCard, "due", row[0])


@dataclass
class EmptyState:
    """Why the session has no card to show: limits holding cards back (how many studied
    today, the limit, whether it is the deck's own, when it resets) and/or when the next
    learning or review card is due."""

    new_held: int = 0
    reviews_held: int = 0
    new_done: int = 0
    new_limit: int = 0
    new_deck_limit: bool = False
    reviews_done: int = 0
    reviews_limit: int = 0
    reviews_deck_limit: bool = False
    resets_at: datetime | None = None
    next_due: datetime | None = None

    @property
    def limited(self) -> bool:
        return bool(self.new_held or self.reviews_held)


def empty_state(
    *,
    user,
    settings: StudySettings,
    scope: Scope,
    now: datetime,
    day: DayCounts,
    counts: QueueCounts,
    content: ContentState | None = None,
) -> EmptyState:
    """What the empty state says (one query: the next due time)."""
    state = EmptyState(
        new_held=counts.new_held,
        reviews_held=counts.reviews_held,
        resets_at=timing.next_day_start(now, settings.tzinfo),
        next_due=next_due(
            user=user, settings=settings, scope=scope, now=now, day=day, content=content
        ),
    )
    deck_id = scope.deck.pk if scope.deck else None
    state.new_limit, state.new_done = day.new_limit, day.new_done
    state.new_deck_limit = day.deck_limit_binds("new", scope)
    if state.new_deck_limit and deck_id in day.deck_new:
        state.new_limit, state.new_done = day.deck_new[deck_id]
    state.reviews_limit, state.reviews_done = day.reviews_limit, day.reviews_done
    state.reviews_deck_limit = day.deck_limit_binds("review", scope)
    if state.reviews_deck_limit and deck_id in day.deck_reviews:
        state.reviews_limit, state.reviews_done = day.deck_reviews[deck_id]
    return state


def has_undo(*, user) -> bool:
    """Whether Undo has something to revert: a study answer, a bury or a suspend.
    One query over both tables (SQL: the ORM has no SELECT without a FROM); the study page
    asks it with its counts (:func:`study_counts`)."""
    sql, params = _undo_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)  # noqa: S608
        return bool(cursor.fetchone()[0])


def _undo_sql(user) -> tuple[str, list]:
    """:func:`has_undo` as an SQL expression (1 or 0) and its parameters."""
    log, action = rows.table(ReviewLog), rows.table(CardAction)
    sql = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {log} WHERE user_id = %s AND source = %s)"  # noqa: S608
        f" OR EXISTS (SELECT 1 FROM {action} WHERE user_id = %s) THEN 1 ELSE 0 END"
    )
    return sql, [user.pk, str(ReviewLog.Source.STUDY), user.pk]


def display_item(item: Item, language: str | None) -> Item:
    """The item or one of its active translations, for a reader of ``language``
    (``content.translation.pick``). Progress always stays on the source item."""
    if not language or translation.is_exact(item.deck.language, language):
        return item
    translations = (
        Item.objects.active()
        .filter(translation_of=item)
        .select_related("deck", "section")
        .order_by("id")
    )
    return translation.pick(item, translations, language, language_of=_item_language)


def _item_language(item: Item) -> str:
    return item.deck.language


# --- the study session's hot path (answer → next card) -----------------------------------
#
# Written as SQL (``rows``): the ORM spent ~10× longer building these queries than SQLite
# spent running them. Nothing here grows with the number of items: the cards are found
# through the (user, state, due) index and checked against the few inactive items, never
# joined to the (wide) item rows; counts read card rows only.

# (content version, ids): the source items learners cannot study now (retired, or in a
# retired deck), for the content version they were read at.
# (content version, inactive ids, {deck id: studiable items}): what the study queue needs of
# the content, for the content version it was read at.
CONTENT_MEMO_KEY = "srs:content-memo"
# Above this many, the queries ask the database instead of listing the ids.
INACTIVE_LIST_MAX = 500
# {(item id, language, content version): what the card shows} (see ``session_display``).
DISPLAY_KEY = "srs:display:{}:{}:{}"
# (source deck id, language, content version): {item id: what the card shows} for the deck.
DISPLAY_DECK_KEY = "srs:display-deck:{}:{}:{}"
# The version studyapp.versions gives when the shared cache keeps nothing (no Redis).
NO_VERSION = "-"
# Entries of old content versions are never read again; let them expire.
DISPLAY_TTL = 7 * 24 * 3600


def _shared_cache():
    return caches[django_settings.SHARED_CACHE]


# The content version at which ``services.cards_ensure`` last ran for a user.
ENSURED_KEY = "srs:cards-ensured:{}"
# A version token (``studyapp.versions``) renewed whenever a card of the user may become a
# held new card (suspended or buried: ``services.card_suspend``, ``card_bury``, the undo of
# either, ``card_unsuspend``, the admin), and (that token, ids) of the user's new cards
# that were held when it was current.
HELD_VERSION_KEY = "version:srs:held-cards:{}"
HELD_KEY = "srs:held-cards:{}"


def _user_key(user) -> str:
    # The join date too: a deleted user's id may come back (SQLite) for someone new.
    return f"{user.pk}:{user.date_joined.timestamp()}"


def ensured_key(user) -> str:
    return ENSURED_KEY.format(_user_key(user))


def held_version_key(user) -> str:
    return HELD_VERSION_KEY.format(_user_key(user))


@dataclass(frozen=True)
class ContentState:
    """The content version (``content.selectors.content_version``), the ids of the
    inactive source items as of that version (None: too many to list; the queries then
    ask the database), whether the user's cards were ensured at that version, the number
    of studiable items per deck at that version (None: not kept, no shared cache) and the
    ids of the user's new cards that may be held (suspended or buried; None: unknown)."""

    version: str
    inactive: tuple[int, ...] | None
    ensured: bool = False
    deck_items: dict[int, int] | None = None
    held: tuple[int, ...] | None = None

    def after_ensure(self) -> ContentState:
        """This state once ``services.cards_ensure`` ran for the user."""
        return dataclasses.replace(self, ensured=True)

    def after_held_change(self) -> ContentState:
        """This state after a write of this request that may hold or free a new card (a
        bury, a suspend, an undo): the held cards kept are renewed only once it commits
        (at once in production, at the end of a test's block), so the counts read every
        waiting card instead."""
        return dataclasses.replace(self, held=None)


def content_state(*, user=None) -> ContentState:
    """One round trip to the shared cache when nothing was imported since the last request
    (with ``user``: also whether ``services.cards_ensure`` ran for them at this version, and
    their held new cards); after an import (a new version) two queries read the inactive
    items and the items per deck again; after a bury or a suspend one query reads the held
    new cards. Without the shared cache (no Redis) the inactive items are read on every
    request, and nothing else."""
    keys = [content_selectors.CONTENT_VERSION_KEY, CONTENT_MEMO_KEY]
    if user is not None:
        keys += [ensured_key(user), held_version_key(user), HELD_KEY.format(_user_key(user))]
    found = versions.get_many(keys)  # with the renewals of an answer just committed
    version = found.get(content_selectors.CONTENT_VERSION_KEY)
    if version is None:
        version = content_selectors.content_version()
    ensured = user is not None and found.get(keys[2]) == version
    memo = found.get(CONTENT_MEMO_KEY)
    if memo is None or memo[0] != version:
        memo = _content_memo(version)
    state = ContentState(version=version, inactive=memo[1], ensured=ensured, deck_items=memo[2])
    if user is None or version == NO_VERSION:
        return state
    return dataclasses.replace(state, held=_held(user, found.get(keys[3]), found.get(keys[4])))


def _content_memo(version: str) -> tuple:
    """(version, inactive ids or None, {deck id: studiable items} or None), read now and
    kept under ``version``. Read after the version: an import that commits in between renews
    the version again, so what is stored here under the older version is never used with
    the newer one."""
    inactive = tuple(
        Item.objects.filter(translation_of__isnull=True)
        .filter(Q(retired_at__isnull=False) | Q(deck__retired_at__isnull=False))
        .order_by("id")
        .values_list("id", flat=True)[: INACTIVE_LIST_MAX + 1]
    )
    deck_items = None
    if version != NO_VERSION:  # only worth it when kept
        deck_items = dict(
            Item.objects.studiable()
            .order_by()
            .values("deck_id")
            .annotate(n=Count("id"))
            .values_list("deck_id", "n")
        )
    memo = (version, inactive if len(inactive) <= INACTIVE_LIST_MAX else None, deck_items)
    _shared_cache().set(CONTENT_MEMO_KEY, memo, None)
    return memo


def _held(user, token: str | None, kept) -> tuple[int, ...]:
    """The ids of the user's new cards that are suspended or buried (buried until any time:
    a superset; the queue checks each card's fields now), kept under the user's held-cards
    token. One query when the token changed since they were kept (reads every new card of
    the user; only after a bury, a suspend or their undo)."""
    if token is None:
        token = versions.token(held_version_key(user))
    if kept is not None and kept[0] == token:
        return kept[1]
    card = rows.table(StudyCard)
    sql = (
        f"SELECT c.id FROM {card} c WHERE c.user_id = %s AND c.state = %s"  # noqa: S608
        " AND (c.suspended = %s OR c.buried_until IS NOT NULL) ORDER BY c.id"
    )
    ids = tuple(row[0] for row in _fetch(sql, [user.pk, str(State.NEW), True]))
    _shared_cache().set(HELD_KEY.format(_user_key(user)), (token, ids), None)
    return ids


def held_changed(*, user) -> None:
    """Every write that may suspend or bury a new card of ``user`` calls this: their held
    new cards are read again once it commits."""
    versions.renew(held_version_key(user))


def _cards_sql(*, user, scope: Scope, now: datetime, content: ContentState) -> tuple[str, list]:
    """``FROM … WHERE …`` of the cards ``c`` a session may show now (as
    :func:`_studiable_sql`), without joining the item rows."""
    card, item, deck = (rows.table(model) for model in (StudyCard, Item, Deck))
    sql = (
        f"FROM {card} c WHERE c.user_id = %s AND c.suspended = %s"
        " AND (c.buried_until IS NULL OR c.buried_until <= %s)"
    )
    params = [user.pk, False, connection.ops.adapt_datetimefield_value(now)]
    if content.inactive is None:
        sql += (
            f" AND c.item_id NOT IN (SELECT x.id FROM {item} x WHERE x.retired_at IS NOT NULL)"  # noqa: S608
            f" AND c.item_id NOT IN (SELECT x.id FROM {item} x INNER JOIN {deck} y"
            " ON y.id = x.deck_id WHERE y.retired_at IS NOT NULL)"
        )
    elif content.inactive:
        sql += f" AND c.item_id NOT IN ({', '.join(['%s'] * len(content.inactive))})"
        params.extend(content.inactive)
    decks = (scope.deck.pk,) if scope.deck is not None else scope.deck_ids
    if decks:
        sql += _in_decks(len(decks))
        params.extend(decks)
    return sql, params


def _in_decks(n: int, negate: bool = False) -> str:
    item = rows.table(Item)
    placeholders = ", ".join(["%s"] * n)
    return (
        f" AND c.item_id {'NOT IN' if negate else 'IN'}"  # noqa: S608
        f" (SELECT x.id FROM {item} x WHERE x.deck_id IN ({placeholders}))"
    )


def _count_columns() -> tuple[str, list]:
    """Learning (steps due within LEARN_AHEAD), review due and new due, as counted by
    :func:`queue_counts`; the WHERE gets :func:`_waiting_sql`."""
    learning = [str(state) for state in LEARNING_STATES]
    sql = (
        "COUNT(CASE WHEN c.state IN (%s, %s) THEN 1 END),"
        " COUNT(CASE WHEN c.state = %s AND c.due <= %s THEN 1 END),"
        " COUNT(CASE WHEN c.state = %s AND c.due <= %s THEN 1 END)"
    )
    return sql, learning


def _waiting_sql(now: datetime) -> tuple[str, list]:
    at = connection.ops.adapt_datetimefield_value
    learning = [str(state) for state in LEARNING_STATES]
    return (
        " AND (c.due <= %s OR (c.state IN (%s, %s) AND c.due <= %s))",
        [at(now), *learning, at(now + LEARN_AHEAD)],
    )


def _today_sql(*, user, settings: StudySettings, now: datetime, own) -> tuple[str, list]:
    """Rows (0, 0, new, reviews, 0): today's study answers; (1, deck, new, reviews, 0) for
    each deck of ``own`` (the decks with their own limits; None: every deck, and the
    learner's deck limits as rows (4, deck, new per day, reviews per day, 0)). Unused
    columns hold 0, not NULL: PostgreSQL types a UNION's column of NULLs as text."""
    at = connection.ops.adapt_datetimefield_value
    log, card, item = (rows.table(model) for model in (ReviewLog, StudyCard, Item))
    start = at(timing.day_start(now, settings.tzinfo))
    study, new, review = str(ReviewLog.Source.STUDY), str(State.NEW), str(State.REVIEW)
    done = (
        "COUNT(CASE WHEN l.state_before = %s THEN 1 END),"
        " COUNT(CASE WHEN l.state_before = %s THEN 1 END)"
    )
    sql = (
        f"SELECT 0, 0, {done}, 0 FROM {log} l"  # noqa: S608
        " WHERE l.user_id = %s AND l.reviewed_at >= %s AND l.source = %s"
    )
    params = [new, review, user.pk, start, study]
    if own:
        sql += (
            f" UNION ALL SELECT 1, i.deck_id, {done}, 0 FROM {log} l"  # noqa: S608
            f" INNER JOIN {card} c ON c.id = l.card_id INNER JOIN {item} i ON i.id = c.item_id"
            " WHERE l.user_id = %s AND l.reviewed_at >= %s AND l.source = %s"
            f" AND i.deck_id IN ({', '.join(['%s'] * len(own))}) GROUP BY i.deck_id"
        )
        params += [new, review, user.pk, start, study, *own]
    elif own is None:
        limits = rows.table(DeckLimits)
        sql += (
            f" UNION ALL SELECT 1, i.deck_id, {done}, 0 FROM {log} l"  # noqa: S608
            f" INNER JOIN {card} c ON c.id = l.card_id INNER JOIN {item} i ON i.id = c.item_id"
            " WHERE l.user_id = %s AND l.reviewed_at >= %s AND l.source = %s GROUP BY i.deck_id"
            f" UNION ALL SELECT 4, deck_id, new_per_day, reviews_per_day, 0 FROM {limits}"
            " WHERE settings_id = %s"
        )
        params += [new, review, user.pk, start, study, settings.pk]
    return sql, params


def _queue_sql(*, user, scope: Scope, now: datetime, content: ContentState, own):
    """Rows (2, 0, learning, review due, new due): the cards waiting in ``scope``; (3,
    deck, …) for each deck of ``own`` in the scope."""
    at = connection.ops.adapt_datetimefield_value
    cards, cards_params = _cards_sql(user=user, scope=scope, now=now, content=content)
    columns, learning = _count_columns()
    waiting, waiting_params = _waiting_sql(now)
    count_params = [*learning, str(State.REVIEW), at(now), str(State.NEW), at(now)]
    sql = f"SELECT 2, 0, {columns} {cards}{waiting}"  # noqa: S608
    params = [*count_params, *cards_params, *waiting_params]
    in_scope = scope.deck_ids or ((scope.deck.pk,) if scope.deck is not None else ())
    for deck_id in own:
        if in_scope and deck_id not in in_scope:
            continue
        sql += f" UNION ALL SELECT 3, %s, {columns} {cards}{_in_decks(1)}{waiting}"
        params += [deck_id, *count_params, *cards_params, deck_id, *waiting_params]
    return sql, params


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        rows.execute(cursor, sql, params)  # long queries with named placeholders
        return cursor.fetchall()


def _day(settings: StudySettings, limits, found) -> DayCounts:
    """DayCounts from :func:`_today_sql`'s rows and the learner's deck ``limits``."""
    deck_done = {}
    new_done = reviews_done = 0
    for kind, deck_id, a, b, _c in found:
        if kind == 0:
            new_done, reviews_done = a, b
        elif kind == 1:
            deck_done[deck_id] = (a, b)
    deck_new, deck_reviews = {}, {}
    for deck_id, (new_limit, reviews_limit) in limits.items():
        new_n, reviews_n = deck_done.get(deck_id, (0, 0))
        if new_limit is not None:
            deck_new[deck_id] = (new_limit, new_n)
        if reviews_limit is not None:
            deck_reviews[deck_id] = (reviews_limit, reviews_n)
    undo = next((bool(deck_id) for kind, deck_id, *_rest in found if kind == 11), None)
    return DayCounts(
        has_undo=undo,
        new_done=new_done,
        reviews_done=reviews_done,
        new_left=max(0, settings.new_per_day - new_done),
        reviews_left=max(0, settings.reviews_per_day - reviews_done),
        new_limit=settings.new_per_day,
        reviews_limit=settings.reviews_per_day,
        deck_new=deck_new,
        deck_reviews=deck_reviews,
    )


def _queue(day: DayCounts, scope: Scope, found) -> QueueCounts:
    """QueueCounts from :func:`_queue_sql`'s rows, capped by today's limits."""
    counts, per_deck = QueueCounts(), {}
    for kind, deck_id, a, b, c in found:
        if kind == 2:
            counts = QueueCounts(learning=a, review_due=b, new_waiting=c)
        elif kind == 3:
            per_deck[deck_id] = (a, b, c)
    return _capped(day, scope, counts, per_deck)


def _capped(day: DayCounts, scope: Scope, counts: QueueCounts, per_deck: dict) -> QueueCounts:
    """``counts`` capped by today's limits, ``per_deck`` ({deck id: (learning, review due,
    new waiting)}) holding the decks with their own limits."""
    # Each deck with its own limit counts up to it; the rest count together (the overall
    # cap below is never above a deck's share of it: the same as capping deck by deck).
    review, new = counts.review_due, counts.new_waiting
    for deck_id, (_learning, review_n, new_n) in per_deck.items():
        if deck_id in day.deck_reviews:
            review += min(review_n, day.deck_reviews_left(deck_id)) - review_n
        if deck_id in day.deck_new:
            new += min(new_n, day.deck_new_left(deck_id)) - new_n
    counts.review = min(review, day.reviews_left_in(scope))
    counts.new = min(new, day.new_left_in(scope))
    return counts


STARTED_STATES = (*LEARNING_STATES, State.REVIEW)


def _scope_decks(scope: Scope) -> tuple[int, ...]:
    """The decks of ``scope`` (empty: all)."""
    return (scope.deck.pk,) if scope.deck is not None else scope.deck_ids


def _started_sql(
    *, user, scope: Scope, now: datetime, content: ContentState, own
) -> tuple[str, list]:
    """The queue's counts without reading one row per new card: rows (5, 0, learning, review
    due, 0) over the waiting learning and review cards (index ranges); (6, 0, started, 0, 0)
    the user's started cards (learning, review, relearning; held or not) in the scope, and
    (7, …) those of them on inactive items (subtracted); (8, 0, new not waiting, 0, 0): new
    cards due later, and the held ones among ``content.held`` (suspended, or buried until
    later). For each deck of ``own`` (rows 9 and 10, grouped by deck) the same. With the
    studiable items per deck they give the new cards waiting (:func:`_counted`): the work
    follows the learner's started cards, not the content's size."""
    at = connection.ops.adapt_datetimefield_value
    at_now, at_ahead = at(now), at(now + LEARN_AHEAD)
    card, item = rows.table(StudyCard), rows.table(Item)
    learning = [str(state) for state in LEARNING_STATES]
    started = [str(state) for state in STARTED_STATES]
    new = str(State.NEW)
    decks = _scope_decks(scope)
    in_scope = _in_decks(len(decks)) if decks else ""
    active, active_params = _active_sql(content)
    cards, cards_params = _cards_sql(user=user, scope=scope, now=now, content=content)
    sql = (
        f"SELECT 5, 0, COUNT(*), 0, 0 {cards} AND c.state IN (%s, %s) AND c.due <= %s"  # noqa: S608
        f" UNION ALL SELECT 5, 0, 0, COUNT(*), 0 {cards} AND c.state = %s AND c.due <= %s"
    )
    params = [*cards_params, *learning, at_ahead]
    params += [*cards_params, str(State.REVIEW), at_now]
    mine = f"FROM {card} c WHERE c.user_id = %s AND c.state IN (%s, %s, %s){in_scope}"
    if content.inactive is None:  # too many to list: ask the database
        sql += f" UNION ALL SELECT 6, 0, COUNT(*), 0, 0 {mine}{active}"
        params += [user.pk, *started, *decks, *active_params]
    else:  # every started card (an index range), less those on inactive items
        sql += f" UNION ALL SELECT 6, 0, COUNT(*), 0, 0 {mine}"
        params += [user.pk, *started, *decks]
        if content.inactive:
            ids = ", ".join(["%s"] * len(content.inactive))
            sql += f" UNION ALL SELECT 7, 0, COUNT(*), 0, 0 {mine} AND c.item_id IN ({ids})"
            params += [user.pk, *started, *decks, *content.inactive]
    waiting_not = [(" AND c.due > %s", [at_now])]
    if content.held:
        ids = ", ".join(["%s"] * len(content.held))
        waiting_not.append(
            (
                f" AND c.id IN ({ids}) AND c.due <= %s"
                " AND (c.suspended = %s OR c.buried_until > %s)",
                [*content.held, at_now, True, at_now],
            )
        )
    for condition, condition_params in waiting_not:
        sql += (
            f" UNION ALL SELECT 8, 0, COUNT(*), 0, 0 FROM {card} c"  # noqa: S608
            f" WHERE c.user_id = %s AND c.state = %s{condition}{in_scope}{active}"
        )
        params += [user.pk, new, *condition_params, *decks, *active_params]
    owned = [deck_id for deck_id in own if not decks or deck_id in decks]
    if owned:
        free = "c.suspended = %s AND (c.buried_until IS NULL OR c.buried_until <= %s)"
        by_deck = (
            f"FROM {card} c INNER JOIN {item} i ON i.id = c.item_id WHERE c.user_id = %s"
            f" AND i.deck_id IN ({', '.join(['%s'] * len(owned))})"
        )
        sql += (
            " UNION ALL SELECT 9, i.deck_id,"  # noqa: S608
            f" COUNT(CASE WHEN c.state IN (%s, %s) AND c.due <= %s AND {free} THEN 1 END),"
            f" COUNT(CASE WHEN c.state = %s AND c.due <= %s AND {free} THEN 1 END), COUNT(*)"
            f" {by_deck} AND c.state IN (%s, %s, %s){active} GROUP BY i.deck_id"
        )
        params += [*learning, at_ahead, False, at_now]
        params += [str(State.REVIEW), at_now, False, at_now]
        params += [user.pk, *owned, *started, *active_params]
        for condition, condition_params in waiting_not:
            sql += (
                f" UNION ALL SELECT 10, i.deck_id, COUNT(*), 0, 0 {by_deck}"  # noqa: S608
                f" AND c.state = %s{condition}{active} GROUP BY i.deck_id"
            )
            params += [user.pk, *owned, new, *condition_params, *active_params]
    return sql, params


def _active_sql(content: ContentState) -> tuple[str, list]:
    """`` AND …``: the card's item is active (as :func:`_cards_sql`)."""
    if content.inactive is None:
        item, deck = rows.table(Item), rows.table(Deck)
        return (
            f" AND c.item_id NOT IN (SELECT x.id FROM {item} x WHERE x.retired_at IS NOT NULL)"  # noqa: S608
            f" AND c.item_id NOT IN (SELECT x.id FROM {item} x INNER JOIN {deck} y"
            " ON y.id = x.deck_id WHERE y.retired_at IS NOT NULL)",
            [],
        )
    if content.inactive:
        ids = ", ".join(["%s"] * len(content.inactive))
        return f" AND c.item_id NOT IN ({ids})", list(content.inactive)
    return "", []


def _counted(content: ContentState, scope: Scope, own, found) -> tuple[QueueCounts, dict]:
    """QueueCounts (uncapped) and {deck of ``own``: (learning, review due, new waiting)}
    from :func:`_started_sql`'s rows. New cards waiting = studiable items − the user's
    started cards − their new cards not waiting (due later, suspended, buried until later):
    every studiable item has the user's card (``content.ensured``)."""
    decks = _scope_decks(scope)
    items = content.deck_items
    total = sum(n for deck_id, n in items.items() if not decks or deck_id in decks)
    learning = review = 0
    per_deck = {  # a deck of ``own`` without started cards has no row 9
        deck_id: [0, 0, items.get(deck_id, 0)] for deck_id in own if not decks or deck_id in decks
    }
    for kind, deck_id, a, b, c in found:
        if kind == 5:
            learning, review = learning + a, review + b
        elif kind == 6:
            total -= a
        elif kind == 7:
            total += a
        elif kind == 8:
            total -= a
        elif kind == 9:
            values = per_deck[deck_id]
            values[0], values[1], values[2] = a, b, values[2] - c
        elif kind == 10:
            per_deck[deck_id][2] -= a
    counts = QueueCounts(learning=learning, review_due=review, new_waiting=max(0, total))
    return counts, {deck_id: (a, b, max(0, c)) for deck_id, (a, b, c) in per_deck.items()}


def study_counts(
    *,
    user,
    settings: StudySettings,
    limits: dict[int, tuple[int | None, int | None]],
    scope: Scope,
    now: datetime,
    content: ContentState,
    undo: bool = False,
) -> tuple[DayCounts, QueueCounts]:
    """:func:`day_counts` and :func:`queue_counts` in one query, ``limits`` being the
    learner's deck limits (``services.study_session_settings``); with ``undo``, also
    :func:`has_undo` (``DayCounts.has_undo``). Reads today's logs and,
    when the user's cards are ensured at the current content version and the shared cache
    keeps the items per deck and the held new cards, the user's started cards
    (:func:`_started_sql`); otherwise the waiting cards' rows (:func:`_queue_sql`)."""
    sql, params, read = _counts_query(
        user=user,
        settings=settings,
        limits=limits,
        scope=scope,
        now=now,
        content=content,
        undo=undo,
    )
    return read(_fetch(sql, params))


def _counts_query(*, user, settings, limits, scope, now, content, undo):
    """(SQL, parameters, a function of its rows giving (DayCounts, QueueCounts)) of
    :func:`study_counts`. Its rows have five columns."""
    own = sorted(limits)
    today, today_params = _today_sql(user=user, settings=settings, now=now, own=own)
    if undo:
        undo_sql, undo_params = _undo_sql(user)
        today += f" UNION ALL SELECT 11, {undo_sql}, 0, 0, 0"
        today_params = [*today_params, *undo_params]
    if content.ensured and content.deck_items is not None and content.held is not None:
        queue, queue_params = _started_sql(
            user=user, scope=scope, now=now, content=content, own=own
        )

        def read(found):
            day = _day(settings, limits, found)
            counts, per_deck = _counted(content, scope, own, found)
            return day, _capped(day, scope, counts, per_deck)

    else:
        queue, queue_params = _queue_sql(user=user, scope=scope, now=now, content=content, own=own)

        def read(found):
            day = _day(settings, limits, found)
            return day, _queue(day, scope, found)

    return f"{today} UNION ALL {queue}", [*today_params, *queue_params], read


# The rows of :func:`study_queue` that hold a candidate next card (kind 12; the counts' rows
# use the kinds 0 to 11).
CANDIDATE = 12


def study_queue(
    *,
    user,
    settings: StudySettings,
    limits: dict[int, tuple[int | None, int | None]],
    scope: Scope,
    now: datetime,
    content: ContentState,
    undo: bool = False,
    card_id: int | None = None,
) -> tuple[DayCounts, QueueCounts, StudyCard | None]:
    """:func:`study_counts` and :func:`session_card`, in one query when the next card's
    rules do not need today's counts inside the query: no card asked for, not studying
    ahead and no deck with its own limits (no deck closed today). The query then also gives
    the first card of each of the session's tiers (learning due, review due, new due,
    learning due within LEARN_AHEAD) and today's limits pick among them here, as
    :func:`session_card`'s ``COALESCE`` does; otherwise two queries."""
    if card_id is not None or scope.ahead or limits:
        day, counts = study_counts(
            user=user,
            settings=settings,
            limits=limits,
            scope=scope,
            now=now,
            content=content,
            undo=undo,
        )
        card = session_card(
            user=user, scope=scope, now=now, day=day, content=content, card_id=card_id
        )
        return day, counts, card
    counts_sql, counts_params, read = _counts_query(
        user=user,
        settings=settings,
        limits=limits,
        scope=scope,
        now=now,
        content=content,
        undo=undo,
    )
    cards, base = _cards_sql(user=user, scope=scope, now=now, content=content)
    tiers = (
        (LEARNING_STATES, now),
        ((State.REVIEW,), now),
        ((State.NEW,), now),
        (LEARNING_STATES, now + LEARN_AHEAD),
    )
    # The card rows first: each of their columns gets its type (and SQLite its declared
    # type, for the converters) from them, not from the counts' NULLs. Each also gives its
    # item's deck (what the card shows is kept per deck too: ``session_display``).
    table, columns, item = rows.table(StudyCard), rows.columns(StudyCard, "sc"), rows.table(Item)
    arms, params = [], []
    for tier, (states, until) in enumerate(tiers):
        chosen, tier_params = _first_sql(cards, base, states, until=until)
        arms.append(
            f"SELECT {CANDIDATE}, {tier}, si.deck_id, 0, 0, {columns} FROM {table} sc"  # noqa: S608
            f" INNER JOIN {item} si ON si.id = sc.item_id WHERE sc.id = {chosen}"
        )
        params += tier_params
    blanks = ", ".join(["NULL"] * rows.width(StudyCard))
    arms.append(f"SELECT q.*, {blanks} FROM ({counts_sql}) q")  # noqa: S608
    found = _fetch(" UNION ALL ".join(arms), [*params, *counts_params])
    day, counts = read([row[:5] for row in found if row[0] != CANDIDATE])
    candidates = {row[1]: row for row in found if row[0] == CANDIDATE}
    allowed = (
        0,
        1 if day.reviews_left_in(scope) else None,
        2 if day.new_left_in(scope) else None,
        3,
    )
    for tier in allowed:
        if tier in candidates:
            row = candidates[tier]
            card = rows.instance(StudyCard, row[5:])
            card.deck_hint = row[2]  # its item's deck, for session_display
            return day, counts, card
    return day, counts, None


def session_card(
    *,
    user,
    scope: Scope,
    now: datetime,
    day: DayCounts,
    content: ContentState,
    card_id: int | None = None,
) -> StudyCard | None:
    """:func:`next_card` (same rules, one query); :func:`session_display` gives what it
    shows."""
    if card_id is not None and rows.pk_fits(StudyCard, card_id):
        cards, params = _cards_sql(user=user, scope=Scope(), now=now, content=content)
        card = _card_by(f"(SELECT c.id {cards} AND c.id = %s)", [*params, card_id])
        if card is not None:
            return card
    cards, base = _cards_sql(user=user, scope=scope, now=now, content=content)
    if scope.ahead:
        states = [*LEARNING_STATES, *([State.REVIEW] if day.reviews_left else [])]
        chosen, params = _first_sql(cards, base, states)
        return _card_by(chosen, params)
    tiers = [(LEARNING_STATES, now, ())]
    if day.reviews_left_in(scope):
        tiers.append(((State.REVIEW,), now, day.review_closed_decks()))
    if day.new_left_in(scope):
        tiers.append(((State.NEW,), now, day.new_closed_decks()))
    tiers.append((LEARNING_STATES, now + LEARN_AHEAD, ()))
    subqueries, params = [], []
    for states, until, closed in tiers:
        sql, tier_params = _first_sql(cards, base, states, closed=closed, until=until)
        subqueries.append(sql)
        params += tier_params
    return _card_by(f"COALESCE({', '.join(subqueries)})", params)


def _first_sql(cards: str, base: list, states, *, closed=(), until=None) -> tuple[str, list]:
    """The id of the first card (by due, then id) in ``states`` (not in the ``closed``
    decks, due by ``until``), as a scalar subquery. One ``LIMIT 1`` per state, each walking
    the (user, state, due) index: with ``state IN (…)`` the database walks the (user, due)
    index instead and reads every due card (all the new ones) before finding none."""
    excluded = _in_decks(len(closed), negate=True) if closed else ""
    due = " AND c.due <= %s" if until is not None else ""
    firsts, params = [], []
    for state in states:
        firsts.append(
            f"SELECT c.id, c.due {cards} AND c.state = %s{excluded}{due}"  # noqa: S608
            " ORDER BY c.due, c.id LIMIT 1"
        )
        params += [*base, str(state), *closed]
        if until is not None:
            params.append(connection.ops.adapt_datetimefield_value(until))
    if len(firsts) == 1:
        return f"({firsts[0].replace('SELECT c.id, c.due ', 'SELECT c.id ', 1)})", params
    arms = " UNION ALL ".join(
        f"SELECT * FROM ({sql}) q{n}"  # noqa: S608
        for n, sql in enumerate(firsts)
    )
    return f"(SELECT f.id FROM ({arms}) f ORDER BY f.due, f.id LIMIT 1)", params  # noqa: S608


def _card_by(chosen: str, params: list) -> StudyCard | None:
    """The card whose id the SQL expression ``chosen`` gives (what it shows comes from
    :func:`session_display`: usually the cache, without reading the item)."""
    sql = f"SELECT {rows.columns(StudyCard)} FROM {rows.table(StudyCard)} WHERE id = {chosen}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else rows.instance(StudyCard, row)


def _item_with_deck(item_id: int) -> Item:
    """The item with its deck and section (one query)."""
    item, deck, section = (rows.table(m) for m in (Item, Deck, Section))
    sql = (
        f"SELECT {rows.columns(Item, 'si')}, {rows.columns(Deck, 'sd')},"  # noqa: S608
        f" {rows.columns(Section, 'ss')} FROM {item} si"
        f" INNER JOIN {deck} sd ON sd.id = si.deck_id"
        f" INNER JOIN {section} ss ON ss.id = si.section_id WHERE si.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [item_id])
        row = cursor.fetchone()
    a = rows.width(Item)
    b = a + rows.width(Deck)
    found = rows.instance(Item, row[:a])
    found.deck = rows.instance(Deck, row[a:b])
    found.section = rows.instance(Section, row[b:])
    return found


def _item_extras(item: Item) -> tuple[list[Option], list[Reference]]:
    """The item's correct options and its references, by position (one query)."""
    option, reference = rows.table(Option), rows.table(Reference)
    n_option, n_reference = rows.width(Option), rows.width(Reference)
    sql = (
        f"SELECT 0, o.position, o.id, {rows.columns(Option, 'o')},"  # noqa: S608
        f" {', '.join(['NULL'] * n_reference)} FROM {option} o"
        " WHERE o.item_id = %s AND o.is_correct = %s"
        f" UNION ALL SELECT 1, r.position, r.id, {', '.join(['NULL'] * n_option)},"
        f" {rows.columns(Reference, 'r')} FROM {reference} r WHERE r.item_id = %s"
        " ORDER BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [item.pk, True, item.pk])
        found = cursor.fetchall()
    options = [rows.instance(Option, row[3 : 3 + n_option]) for row in found if row[0] == 0]
    references = [rows.instance(Reference, row[3 + n_option :]) for row in found if row[0]]
    return options, references


def _item_display(source: Item, language: str | None) -> tuple:
    item = display_item(source, language)
    return (item, *_item_extras(item))


def _deck_displays(source: Item, language: str | None) -> dict[int, tuple]:
    """{item id: (item shown, correct options, references)} for every studiable item of
    ``source``'s deck, as :func:`display_item` and :func:`_item_extras` give them (3-4
    queries): the next cards of a session mostly come from the same decks, so one miss
    fills the cache for the deck's other cards."""
    items = list(
        Item.objects.studiable()
        .filter(deck_id=source.deck_id)
        .select_related("deck", "section")
        .order_by("id")
    )
    shown = {item.pk: item for item in items}
    if language and not translation.is_exact(source.deck.language, language):
        translated: dict[int, list[Item]] = {}
        for version in (
            Item.objects.active()
            .filter(translation_of__in=list(shown))
            .select_related("deck", "section")
            .order_by("id")
        ):
            translated.setdefault(version.translation_of_id, []).append(version)
        shown = {
            item_id: translation.pick(
                item, translated.get(item_id, ()), language, language_of=_item_language
            )
            for item_id, item in shown.items()
        }
    ids = [item.pk for item in shown.values()]
    options: dict[int, list[Option]] = {}
    for option in Option.objects.filter(item_id__in=ids, is_correct=True).order_by(
        "item_id", "position", "id"
    ):
        options.setdefault(option.item_id, []).append(option)
    references: dict[int, list[Reference]] = {}
    for reference in Reference.objects.filter(item_id__in=ids).order_by(
        "item_id", "position", "id"
    ):
        references.setdefault(reference.item_id, []).append(reference)
    return {
        item_id: (item, options.get(item.pk, []), references.get(item.pk, []))
        for item_id, item in shown.items()
    }


class _DisplayMemo:
    """What cards show, kept in this process's memory too, under the same keys as in the
    shared cache (item, language and content version): bounded (least recently used out),
    and only ever read under the content version the request read from the shared cache, so
    an import in any process shows at once (its new version is a new key). Saves the shared
    cache's round trip and the unpickling on most study pages and answers. Nothing is kept
    without the shared cache (no version)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# About 2-5 KB an entry (the item with its deck and section, its options and references):
# today's content in two languages is ~530 entries.
display_memo = _DisplayMemo(2048)


def session_display(
    *, card: StudyCard, language: str | None, content: ContentState, intervals: dict
) -> CardDisplay:
    """Everything the template needs for one card: what it shows (the reader's translation,
    its correct options and references) is kept in the shared cache per item, language and
    content version, so an import or another language shows at once; a miss reads the
    item and fills the cache for its whole deck (:func:`_deck_displays`). This process
    keeps a copy under the same key (:data:`display_memo`)."""
    memo_key = (card.item_id, language or "-", content.version)
    cached = None if content.version == NO_VERSION else display_memo.get(memo_key)
    deck_id = getattr(card, "deck_hint", None)
    if cached is None and deck_id is not None and content.version != NO_VERSION:
        # The first card of a deck this process shows at this version: the deck's other
        # cards come from the memo next (one read of the deck instead of one per card).
        deck = _shared_cache().get(
            DISPLAY_DECK_KEY.format(deck_id, language or "-", content.version)
        )
        if deck is not None:
            for item_id, shown in deck.items():
                display_memo.put((item_id, language or "-", content.version), shown)
            cached = deck.get(card.item_id)
    if cached is None:
        cached = _display_read(card=card, language=language, content=content)
        if content.version != NO_VERSION:
            display_memo.put(memo_key, cached)
    item, options, references = cached
    return CardDisplay(
        card=card,
        item=item,
        deck_title=item.deck.title,
        section_title=item.section.title,
        correct_options=options,
        references=references,
        intervals=intervals or {},
    )


def _display_read(*, card: StudyCard, language: str | None, content: ContentState) -> tuple:
    """(item shown, correct options, references) of ``card`` from the shared cache, or read
    and kept there with the rest of its deck."""
    key = DISPLAY_KEY.format(card.item_id, language or "-", content.version)
    cached = _shared_cache().get(key)
    if cached is None and content.version == NO_VERSION:  # no shared cache: nothing kept
        card.item = _item_with_deck(card.item_id)
        cached = _item_display(card.item, language)
    elif cached is None:
        source = _item_with_deck(card.item_id)
        card.item = source
        displays = _deck_displays(source, language)
        entries = {
            DISPLAY_KEY.format(item_id, language or "-", content.version): shown
            for item_id, shown in displays.items()
        }
        entries[DISPLAY_DECK_KEY.format(source.deck_id, language or "-", content.version)] = (
            displays
        )
        _shared_cache().set_many(entries, DISPLAY_TTL)
        for item_id, shown in displays.items():
            display_memo.put((item_id, language or "-", content.version), shown)
        cached = displays.get(source.pk) or _item_display(source, language)
    return cached


def suspended_cards(*, user) -> QuerySet[StudyCard]:
    return (
        StudyCard.objects.filter(user=user, suspended=True, item__retired_at__isnull=True)
        .select_related("item__deck", "item__section")
        .order_by("item__deck__title", "item_id")
    )


# --- time zones and daily roll-ups (read by progress) ---------------------------------------


def user_timezone(*, user) -> zoneinfo.ZoneInfo:
    """The learner's time zone (``timing.zone``'s fallback when unset or unknown)."""
    name = StudySettings.objects.filter(user=user).values_list("timezone", flat=True).first()
    return timing.zone(name)


def memory_settings(*, user_ids) -> dict[int, tuple[float, tuple[float, ...] | None]]:
    """{user id: (retention the scheduler aims at, trained FSRS parameters or None)} for users
    with study settings (one query); the others use the defaults (0.9, None). The retention is
    the latest retention-keeping target (``StudySettings.aimed_retention``)."""
    rows = StudySettings.objects.filter(user_id__in=list(user_ids)).only(
        "user_id", "desired_retention", "keep_retention", "retention_offset", "fsrs_parameters"
    )
    return {row.user_id: (row.aimed_retention, row.parameters) for row in rows}


def user_timezones(*, user_ids) -> dict[int, zoneinfo.ZoneInfo]:
    """{user id: time zone} for every id of ``user_ids`` (one query)."""
    names = dict(
        StudySettings.objects.filter(user_id__in=user_ids).values_list("user_id", "timezone")
    )
    return {user_id: timing.zone(names.get(user_id)) for user_id in user_ids}


# rollup_rows' columns: DayStats' fields of the roll-up rows.
_ROLLUP_FIELDS = tuple((DailyReviewStats, "r", name) for name in DayStats._fields)


def rollup_rows(*, user, after: date, until: date) -> list[DayStats]:
    """The user's daily roll-ups for the study days in (``after``, ``until``], oldest first
    (one query, written as SQL: the dashboard reads it on every rebuild)."""
    with connection.cursor() as cursor:
        cursor.execute(_rollup_sql(connection.vendor), [user.pk, *_days(after, until)])
        found = cursor.fetchall()
    return [DayStats._make(rows.converted(_ROLLUP_FIELDS, row)) for row in found]


def _days(*days: date) -> list:
    return [connection.ops.adapt_datefield_value(day) for day in days]


@cache
def _rollup_sql(vendor: str) -> str:
    return (
        f"SELECT {rows.fields(_ROLLUP_FIELDS)} FROM {rows.table(DailyReviewStats)} r"  # noqa: S608
        " WHERE r.user_id = %s AND r.day > %s AND r.day <= %s ORDER BY r.day"
    )


def rollup_sums(*, user_ids, after: date, fields) -> dict[int, dict[str, int]]:
    """{user id: {field: sum}} over the study days after ``after`` (users with rows only)."""
    rows = (
        DailyReviewStats.objects.filter(user_id__in=user_ids, day__gt=after)
        .values("user_id")
        .annotate(**{name: Sum(name) for name in fields})
    )
    return {row["user_id"]: {name: row[name] for name in fields} for row in rows}


# --- memory and history (read by progress) -------------------------------------------------


MEMORY_ROW_COLUMNS = (
    "user_id",
    "item__deck_id",
    "state",
    "stability",
    "last_review",
    "due",
    "suspended",
    "buried_until",
    "item_id",
)


def _source_cards(**filters) -> QuerySet:
    """Study cards on active source items (what progress reads as the learner's memory)."""
    return StudyCard.objects.filter(
        item__retired_at__isnull=True,
        item__deck__retired_at__isnull=True,
        item__translation_of__isnull=True,
        **filters,
    )


def card_memory_rows(*, user_ids):
    """(user id, deck id, state, stability, last review, due, suspended, buried until, item
    id) for the users' cards on active source items (one query; rows, not model instances)."""
    return _source_cards(user_id__in=user_ids).values_list(*MEMORY_ROW_COLUMNS)


def card_memory_rows_seen(*, user) -> list[tuple]:
    """:func:`card_memory_rows` of ``user`` without the cards never reviewed, never
    suspended (new, no last review: no memory, nothing due). A new learner's page costs what
    they studied, not the content's size (one query)."""
    untouched = Q(state=State.NEW, suspended=False, last_review__isnull=True)
    return list(_source_cards(user=user).exclude(untouched).values_list(*MEMORY_ROW_COLUMNS))


def memory_history(*, user, before: datetime) -> list[tuple[int, int, datetime, float, int]]:
    """(card id, deck id, reviewed at, stability after, item id) of the user's reviews that
    rescheduled a card of an active source item before ``before``, oldest first: replayed,
    they give each card's memory at any earlier moment (as ``card_memory_rows`` gives now)."""
    return list(
        ReviewLog.objects.filter(
            user=user,
            reviewed_at__lt=before,
            rescheduled=True,
            card__item__retired_at__isnull=True,
            card__item__deck__retired_at__isnull=True,
            card__item__translation_of__isnull=True,
        )
        .order_by("reviewed_at", "pk")
        .values_list(
            "card_id", "card__item__deck_id", "reviewed_at", "stability_after", "card__item_id"
        )
    )


def answer_log(*, user_ids, before: datetime | None = None, limit: int = 500) -> list[tuple]:
    """The latest ``limit`` answers of each user (study reviews and quiz answers), newest
    first, with the card's memory *before* each: (user id, item id, reviewed at, rating,
    stability before, last review before, source, rescheduled). Active source items only.
    One query (a window per user), bounded by ``limit`` per user whatever the history."""
    logs = ReviewLog.objects.filter(
        user_id__in=list(user_ids),
        card__item__retired_at__isnull=True,
        card__item__deck__retired_at__isnull=True,
        card__item__translation_of__isnull=True,
    )
    if before is not None:
        logs = logs.filter(reviewed_at__lt=before)
    fields = (
        "user_id",
        "card__item_id",
        "reviewed_at",
        "rating",
        "stability_before",
        "last_review_before",
        "source",
        "rescheduled",
    )
    if len(user_ids) == 1:
        return list(logs.order_by("-reviewed_at", "-pk").values_list(*fields)[:limit])
    ranked = logs.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("user_id")],
            order_by=[F("reviewed_at").desc(), F("pk").desc()],
        )
    ).filter(rank__lte=limit)
    return list(ranked.order_by("user_id", "-reviewed_at", "-pk").values_list(*fields))


REVIEW_LOG_EXPORT = [
    ("reviewed_at", "reviewed_at"),
    ("deck", "card__item__deck__slug"),
    ("item", "card__item__key"),
    ("kind", "card__item__kind"),
    ("source", "source"),
    ("rating", "rating"),
    ("duration_ms", "duration_ms"),
    ("rescheduled", "rescheduled"),
    ("state_before", "state_before"),
    ("state_after", "state_after"),
    ("stability_after", "stability_after"),
    ("difficulty_after", "difficulty_after"),
    ("due_after", "due_after"),
]


def review_log_rows(*, user):
    """(header, rows): the user's whole review log for an export, oldest first (streamed)."""
    rows = (
        ReviewLog.objects.filter(user=user)
        .order_by("reviewed_at", "pk")
        .values_list(*[path for _name, path in REVIEW_LOG_EXPORT])
    )
    return [name for name, _path in REVIEW_LOG_EXPORT], rows.iterator(chunk_size=2000)


# --- quiz answers (read by quizzes' result page and by progress) ----------------------------


@dataclass
class QuizEffects:
    """What one quiz attempt's answers did to the learner's study cards (counts of cards),
    by the policy of ``services.review_from_quiz``."""

    forward: int = 0  # wrong, not due: back in today's queue
    new_first: int = 0  # wrong, never studied: first among the new cards
    again: int = 0  # wrong, due: reviewed as Again
    good: int = 0  # right, due: reviewed as Good
    logged: int = 0  # right, not due or new: logged only (readiness evidence)

    @property
    def any(self) -> bool:
        return bool(self.forward or self.new_first or self.again or self.good or self.logged)

    @property
    def queue_changed(self) -> bool:
        return bool(self.forward or self.new_first or self.again)


def quiz_effects(*, user, attempt_id: int) -> QuizEffects:
    """Count the study-queue effects of the user's answers in quiz attempt ``attempt_id``
    (one query; another user's attempt id gives zeros)."""
    rows = ReviewLog.objects.filter(
        user=user, source=ReviewLog.Source.QUIZ, quiz_attempt_id=attempt_id
    ).values_list("rating", "rescheduled", "state_before", "due_before", "due_after")
    effects = QuizEffects()
    for rating, rescheduled, state_before, due_before, due_after in rows:
        if rescheduled:
            if rating == 1:
                effects.again += 1
            else:
                effects.good += 1
        elif rating != 1:
            effects.logged += 1
        elif state_before == State.NEW:
            effects.new_first += 1
        elif due_after < due_before:
            effects.forward += 1
    return effects


def quiz_evidence(*, user_ids, since: datetime | None = None):
    """(user id, deck id, item id, answered at, correct) of quiz answers logged without
    rescheduling a card (the card was not due, was new or suspended): evidence of what a
    learner knows that the memory model does not use (a readiness forecast may)."""
    rows = ReviewLog.objects.filter(
        user_id__in=user_ids, source=ReviewLog.Source.QUIZ, rescheduled=False
    )
    if since is not None:
        rows = rows.filter(reviewed_at__gte=since)
    return [
        (user_id, deck_id, item_id, at, rating != 1)
        for user_id, deck_id, item_id, at, rating in rows.order_by("reviewed_at", "pk").values_list(
            "user_id", "card__item__deck_id", "card__item_id", "reviewed_at", "rating"
        )
    ]


def deck_schedule(*, user, deck_id: int) -> tuple[list[dict], list[dict], float]:
    """The user's cards of one source deck and their review log, for an Anki export with
    progress (read by ``progress``): (cards, rescheduling answers oldest first, desired
    retention). Rows are dicts, not model instances; two queries plus the settings."""
    cards = list(
        StudyCard.objects.filter(user=user, item__deck_id=deck_id).values(
            "id",
            "item_id",
            "state",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "lapses",
            "suspended",
            "buried_until",
        )
    )
    logs = list(
        ReviewLog.objects.filter(user=user, card__item__deck_id=deck_id, rescheduled=True)
        .order_by("reviewed_at", "pk")
        .values(
            "card_id",
            "reviewed_at",
            "rating",
            "state_before",
            "due_before",
            "last_review_before",
            "interval_after",
            "duration_ms",
        )
    )
    retention = (
        StudySettings.objects.filter(user=user).values_list("desired_retention", flat=True).first()
    )
    return cards, logs, retention or 0.9


# --- the dashboard's study reads, whole or since a log (read by progress) ------------------

ANSWER_LOG_COLUMNS = (
    "user_id",
    "card__item_id",
    "reviewed_at",
    "rating",
    "stability_before",
    "last_review_before",
    "source",
    "rescheduled",
)


def _answer_logs(*, user) -> QuerySet:
    """:func:`answer_log`'s logs of ``user`` (active source items)."""
    return ReviewLog.objects.filter(
        user=user,
        card__item__retired_at__isnull=True,
        card__item__deck__retired_at__isnull=True,
        card__item__translation_of__isnull=True,
    )


def answer_log_with_ids(*, user, limit: int = 500) -> list[tuple]:
    """:func:`answer_log` of one user, each row with its log id first: (log id, *row). One
    query. The log ids let a reader apply later answers (:func:`answers_since`)."""
    logs = _answer_logs(user=user).order_by("-reviewed_at", "-pk")
    return list(logs.values_list("pk", *ANSWER_LOG_COLUMNS)[:limit])


@dataclass(frozen=True)
class AnswersSince:
    """What ``user``'s answers logged after a log id changed: the answers (as
    :func:`answer_log_with_ids` rows, any order), the memory rows of the cards they touched
    that :func:`card_memory_rows_seen` holds, and those cards' items (a touched card missing
    from ``memory`` is not held there: an untouched new card), and the last log id seen."""

    answers: list[tuple]
    memory: list[tuple]
    items: frozenset[int]
    last_log: int


# answers_since's columns: the log id, answer_log's (ANSWER_LOG_COLUMNS), the card's deck,
# then the card's memory row (MEMORY_ROW_COLUMNS[2:-1]); tests/srs compares them with the ORM's.
_SINCE_FIELDS = (
    (ReviewLog, "l", "id"),
    (ReviewLog, "l", "user"),
    (StudyCard, "c", "item"),
    *((ReviewLog, "l", name) for name in ANSWER_LOG_COLUMNS[2:]),
    (Item, "i", "deck"),
    *((StudyCard, "c", name) for name in MEMORY_ROW_COLUMNS[2:-1]),
)


@cache
def _since_sql(vendor: str) -> str:
    log, card, item, deck = (rows.table(model) for model in (ReviewLog, StudyCard, Item, Deck))
    return (
        f"SELECT {rows.fields(_SINCE_FIELDS)} FROM {log} l"  # noqa: S608
        f" INNER JOIN {card} c ON c.id = l.card_id INNER JOIN {item} i ON i.id = c.item_id"
        f" INNER JOIN {deck} d ON d.id = i.deck_id"
        " WHERE l.user_id = %s AND l.id > %s AND i.retired_at IS NULL"
        " AND d.retired_at IS NULL AND i.translation_of_id IS NULL"
        " ORDER BY l.reviewed_at DESC, l.id DESC"  # the log's own order (ReviewLog.Meta)
    )


def answers_since(*, user, log_id: int) -> AnswersSince:
    """The answers ``user`` logged after the log ``log_id`` and their cards as they are now
    (one query, written as SQL (a dashboard rebuild after each answer reads it): each log
    with its card's memory row; :func:`_answer_logs`' logs). The log ids of one learner are
    committed in order (every answer takes the day's roll-up row), so nothing below
    ``log_id`` commits later; an undo deletes a log (a reader must rebuild: ``post_delete``)."""
    with connection.cursor() as cursor:
        cursor.execute(_since_sql(connection.vendor), [user.pk, log_id])
        found = [rows.converted(_SINCE_FIELDS, row) for row in cursor.fetchall()]
    if not found:
        return AnswersSince([], [], frozenset(), log_id)
    width = 1 + len(ANSWER_LOG_COLUMNS)
    memory = {}
    for row in found:
        # (user id, deck id, state, stability, last review, due, suspended, buried, item id)
        card = (row[1], row[width], *row[width + 1 :], row[2])
        state, suspended, last_review = card[2], card[6], card[4]
        # card_memory_rows_seen leaves out the untouched cards (see there)
        if not (state == State.NEW and not suspended and last_review is None):
            memory[card[-1]] = card
    return AnswersSince(
        answers=[row[:width] for row in found],
        memory=list(memory.values()),
        items=frozenset(row[2] for row in found),
        last_log=max(row[0] for row in found),
    )
