"""Reads for spaced repetition: the study queue, today's counts, what a card shows.

The hot path (answer → next card) uses a fixed number of queries whatever the learner's
history: today's counts read only today's logs through the (user, reviewed_at) index, and
the queue reads only due cards through the (user, due) index.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.db.models.expressions import RawSQL

from studyapp.content import translation
from studyapp.content.models import Deck, Item, Option, Reference

from . import timing
from .models import CardAction, DailyReviewStats, ReviewLog, State, StudyCard, StudySettings
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
    new_done: int
    reviews_done: int
    new_left: int
    reviews_left: int


@dataclass
class QueueCounts:
    learning: int = 0
    review: int = 0
    new: int = 0


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
    def has_cloze(self) -> bool:
        return bool(self.item.cloze_term and self.item.cloze_html)


def scope_for(*, settings: StudySettings, slug: str | None, ahead: bool = False) -> Scope:
    """One query: the deck for ``slug`` (source-language deck; Deck.DoesNotExist → 404)
    or the learner's chosen decks (empty = all)."""
    if slug:
        deck = Deck.objects.sources().get(slug=slug)
        return Scope(deck=deck, ahead=ahead)
    return Scope(deck_ids=tuple(settings.decks.values_list("id", flat=True)), ahead=ahead)


def day_counts(*, user, settings: StudySettings, now: datetime) -> DayCounts:
    """New cards introduced and reviews done since 04:00 local (study answers only)."""
    start = timing.day_start(now, settings.tzinfo)
    totals = ReviewLog.objects.filter(
        user=user, reviewed_at__gte=start, source=ReviewLog.Source.STUDY
    ).aggregate(
        new=Count("id", filter=Q(state_before=State.NEW)),
        reviews=Count("id", filter=Q(state_before=State.REVIEW)),
    )
    return DayCounts(
        new_done=totals["new"],
        reviews_done=totals["reviews"],
        new_left=max(0, settings.new_per_day - totals["new"]),
        reviews_left=max(0, settings.reviews_per_day - totals["reviews"]),
    )


def _studiable_cards(*, user, scope: Scope, now: datetime) -> QuerySet[StudyCard]:
    cards = StudyCard.objects.filter(
        user=user,
        suspended=False,
        item__retired_at__isnull=True,
        item__deck__retired_at__isnull=True,
    ).filter(Q(buried_until__isnull=True) | Q(buried_until__lte=now))
    if scope.deck is not None:
        cards = cards.filter(item__deck_id=scope.deck.pk)
    elif scope.deck_ids:
        cards = cards.filter(item__deck_id__in=scope.deck_ids)
    return cards


def next_card(
    *, user, scope: Scope, now: datetime, day: DayCounts, card_id: int | None = None
) -> StudyCard | None:
    """The card to show: due learning/relearning cards first (by due), then due reviews,
    then new cards (while the daily limits allow), then learning cards due soon.
    ``card_id`` asks for that card first (e.g. the card just restored by undo).

    One query: the first card of each tier is a LIMIT 1 subquery that walks the
    (user, state, due) index in order, and COALESCE picks the first tier that has one, so
    the cost does not grow with the number of cards waiting.
    """
    cards = _studiable_cards(user=user, scope=scope, now=now)
    related = ("item__deck", "item__section")
    if card_id is not None:
        card = cards.select_related(*related).filter(pk=card_id).first()
        if card is not None:
            return card
    if scope.ahead:
        states = [*LEARNING_STATES, *([State.REVIEW] if day.reviews_left else [])]
        return cards.filter(state__in=states).select_related(*related).order_by("due", "id").first()
    tiers = [(LEARNING_STATES, now)]
    if day.reviews_left:
        tiers.append(((State.REVIEW,), now))
    if day.new_left:
        tiers.append(((State.NEW,), now))
    tiers.append((LEARNING_STATES, now + LEARN_AHEAD))
    chosen = StudyCard.objects.filter(pk=_tiers_sql(user=user, scope=scope, now=now, tiers=tiers))
    return next(iter(chosen.select_related(*related)[:1]), None)


def _studiable_sql(*, user, scope: Scope, now: datetime) -> tuple[str, list]:
    """``FROM … WHERE …`` (cards ``c``, items ``i``, decks ``d``) and its parameters:
    what :func:`_studiable_cards` selects, as SQL for the two hot queries below."""
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


def _tiers_sql(*, user, scope: Scope, now: datetime, tiers) -> RawSQL:
    """COALESCE of one ``LIMIT 1`` subquery per tier: the same SQL ``_studiable_cards``
    gives, written out because building four such subqueries with the ORM took ~4 ms per
    request (the query itself runs in well under 1 ms)."""
    at = connection.ops.adapt_datetimefield_value
    cards, base = _studiable_sql(user=user, scope=scope, now=now)
    subqueries, params = [], []
    for states, until in tiers:
        placeholders = ", ".join(["%s"] * len(states))
        subqueries.append(
            f"(SELECT c.id {cards} AND c.state IN ({placeholders})"  # noqa: S608
            " AND c.due <= %s ORDER BY c.due, c.id LIMIT 1)"
        )
        params += [*base, *(str(state) for state in states), at(until)]
    return RawSQL(f"COALESCE({', '.join(subqueries)})", params)  # noqa: S611 - no user text


def queue_counts(*, user, scope: Scope, now: datetime, day: DayCounts) -> QueueCounts:
    """How many cards are waiting now, by kind (new capped by today's limit)."""
    cards, params = _studiable_sql(user=user, scope=scope, now=now)
    # SQL for the same reason as next_card's (the ORM's aggregate cost ~1 ms to build).
    sql = (
        "SELECT COUNT(CASE WHEN c.state IN (%s, %s) THEN 1 END),"  # noqa: S608
        f" COUNT(CASE WHEN c.state = %s THEN 1 END), COUNT(CASE WHEN c.state = %s THEN 1 END)"
        f" {cards} AND c.due <= %s"
    )
    states = [*LEARNING_STATES, State.REVIEW, State.NEW]
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [str(state) for state in states]
            + params
            + [connection.ops.adapt_datetimefield_value(now)],
        )
        learning, review, new = cursor.fetchone()
    return QueueCounts(
        learning=learning,
        review=min(review, day.reviews_left),
        new=min(new, day.new_left),
    )


def next_due(
    *, user, settings: StudySettings, scope: Scope, now: datetime, day: DayCounts
) -> datetime | None:
    """When the next card becomes due (for "Nada para estudar agora")."""
    cards = _studiable_cards(user=user, scope=scope, now=now).exclude(state=State.NEW)
    upcoming = cards.filter(due__gt=now).order_by("due").values_list("due", flat=True).first()
    candidates = [upcoming] if upcoming else []
    if (
        not day.new_left
        and _studiable_cards(user=user, scope=scope, now=now).filter(state=State.NEW).exists()
    ):
        candidates.append(timing.next_day_start(now, settings.tzinfo))
    return min(candidates) if candidates else None


def has_undo(*, user) -> bool:
    """Whether Undo has something to revert: a study answer, a bury or a suspend.
    One query over both tables (SQL: the ORM has no SELECT without a FROM)."""
    log, action = (
        connection.ops.quote_name(model._meta.db_table) for model in (ReviewLog, CardAction)
    )
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {log} WHERE user_id = %s AND source = %s)"  # noqa: S608
        f" OR EXISTS (SELECT 1 FROM {action} WHERE user_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, str(ReviewLog.Source.STUDY), user.pk])
        return bool(cursor.fetchone()[0])


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


def card_display(
    *, card: StudyCard, language: str | None, intervals: dict | None = None
) -> CardDisplay:
    """Everything the template needs for one card: 2 queries (+1 for another language)."""
    item = display_item(card.item, language)
    prefetch_related_objects(
        [item],
        Prefetch("options", queryset=Option.objects.order_by("position")),
        Prefetch("references", queryset=Reference.objects.order_by("position")),
    )
    return CardDisplay(
        card=card,
        item=item,
        deck_title=item.deck.title,
        section_title=item.section.title,
        correct_options=[option for option in item.options.all() if option.is_correct],
        references=list(item.references.all()),
        intervals=intervals or {},
    )


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


def user_timezones(*, user_ids) -> dict[int, zoneinfo.ZoneInfo]:
    """{user id: time zone} for every id of ``user_ids`` (one query)."""
    names = dict(
        StudySettings.objects.filter(user_id__in=user_ids).values_list("user_id", "timezone")
    )
    return {user_id: timing.zone(names.get(user_id)) for user_id in user_ids}


def rollup_rows(*, user, after: date, until: date) -> list[DayStats]:
    """The user's daily roll-ups for the study days in (``after``, ``until``], oldest first."""
    rows = DailyReviewStats.objects.filter(user=user, day__gt=after, day__lte=until)
    return [DayStats(*values) for values in rows.order_by("day").values_list(*DayStats._fields)]


def rollup_sums(*, user_ids, after: date, fields) -> dict[int, dict[str, int]]:
    """{user id: {field: sum}} over the study days after ``after`` (users with rows only)."""
    rows = (
        DailyReviewStats.objects.filter(user_id__in=user_ids, day__gt=after)
        .values("user_id")
        .annotate(**{name: Sum(name) for name in fields})
    )
    return {row["user_id"]: {name: row[name] for name in fields} for row in rows}


# --- memory and history (read by progress) -------------------------------------------------


def card_memory_rows(*, user_ids):
    """(user id, deck id, state, stability, last review, due, suspended, buried until) for
    the users' cards on active source items (one query; rows, not model instances)."""
    return StudyCard.objects.filter(
        user_id__in=user_ids,
        item__retired_at__isnull=True,
        item__deck__retired_at__isnull=True,
        item__translation_of__isnull=True,
    ).values_list(
        "user_id",
        "item__deck_id",
        "state",
        "stability",
        "last_review",
        "due",
        "suspended",
        "buried_until",
    )


def memory_history(*, user, before: datetime) -> list[tuple[int, int, datetime, float]]:
    """(card id, deck id, reviewed at, stability after) of the user's reviews that
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
        .values_list("card_id", "card__item__deck_id", "reviewed_at", "stability_after")
    )


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
