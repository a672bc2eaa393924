"""Writes for spaced repetition: answering, suspend/bury, undo, quiz answers as reviews.

Every write on a card runs in ``transaction.atomic`` and re-reads the card with
``select_for_update`` (a row lock on PostgreSQL; on SQLite the project opens every
transaction with BEGIN IMMEDIATE, which serializes writers). The card's one-time ``token``
is checked and rotated inside that transaction, so a double click, a retry or a second tab
posting the same answer records one review and gets :class:`TokenUsed` otherwise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studyapp import rows
from studyapp.content.models import Deck, Item

from . import optimizer, retention, scheduler, selectors, timing
from .models import (
    CardAction,
    DeckLimits,
    ReviewLog,
    State,
    StudyCard,
    StudySettings,
    new_token,
)
from .rollups import rollup_record, rollup_unrecord

# Bury/suspend actions kept per user for Undo (older ones are deleted as new ones come).
CARD_ACTIONS_KEPT = 20


class StudyError(Exception):
    """Bad input for a study action: the view answers 400 with ``message``."""

    message = _("Pedido inválido.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class InvalidRating(StudyError):
    message = _("Resposta inválida: escolha de 1 (De novo) a 4 (Fácil).")


class TokenUsed(StudyError):
    message = _("Este cartão já foi respondido (outro clique ou outra aba). Nada foi alterado.")


class CardUnavailable(StudyError):
    message = _("Este cartão não está disponível para estudo (retirado ou suspenso).")


class NothingToUndo(StudyError):
    message = _("Não há resposta para desfazer.")


@dataclass
class ReviewResult:
    card: StudyCard
    log: ReviewLog
    leech: bool


@dataclass
class UndoResult:
    """What :func:`action_undo` reverted: ``kind`` is ``"answer"``, ``"bury"`` or ``"suspend"``."""

    card: StudyCard
    kind: str


def study_settings_get(*, user) -> StudySettings:
    """The learner's settings, created with the defaults on first use."""
    settings, _created = StudySettings.objects.get_or_create(user=user)
    return settings


@dataclass(frozen=True)
class SessionSettings:
    """What a study page needs of the learner's settings: the row, the chosen decks' ids
    (empty: all decks) and the decks' own limits ({deck id: (new, reviews)}, None: the
    overall limit alone)."""

    settings: StudySettings
    deck_ids: tuple[int, ...]
    limits: dict[int, tuple[int | None, int | None]]


def study_session_settings(*, user) -> SessionSettings:
    """The learner's settings with their chosen decks and deck limits: one SQL query
    (:func:`selectors.session_settings_read`), created on first use."""
    found = selectors.session_settings_read(user=user)
    if found is None:
        return SessionSettings(settings=study_settings_get(user=user), deck_ids=(), limits={})
    settings, deck_ids, limits = found
    return SessionSettings(settings=settings, deck_ids=deck_ids, limits=limits)


def study_settings_update(*, settings: StudySettings, decks=None, **fields) -> StudySettings:
    before = (settings.desired_retention, settings.keep_retention)
    for name, value in fields.items():
        setattr(settings, name, value)
    if (settings.desired_retention, settings.keep_retention) != before:
        retention_reset(settings)
    settings.full_clean()
    with transaction.atomic():
        settings.save()
        if decks is not None:
            settings.decks.set(decks)
    return settings


def deck_limits_update(
    *, settings: StudySettings, deck, new_per_day: int | None, reviews_per_day: int | None
) -> DeckLimits | None:
    """Set the learner's own daily limits for ``deck`` (None: the overall limit alone);
    both None removes the deck's row."""
    with transaction.atomic():
        if new_per_day is None and reviews_per_day is None:
            DeckLimits.objects.filter(settings=settings, deck=deck).delete()
            return None
        limits, _created = DeckLimits.objects.get_or_create(settings=settings, deck=deck)
        limits.new_per_day = new_per_day
        limits.reviews_per_day = reviews_per_day
        limits.full_clean()
        limits.save()
        return limits


def cards_ensure(*, user, now: datetime | None = None) -> int:
    """Create the user's missing study cards (one per studiable item). Returns how many.

    Called when a study page is opened, not on the answer path, so answering keeps a
    fixed number of queries. Cards are created in introduction order, and the queue orders
    new cards by id: decks in the order they were first imported (oldest first: a deck saved
    today never jumps ahead of the course, whatever its title), out-of-mock decks after the
    rest, and each deck in document order (docs/study.md, "New cards").
    """
    now = now or timezone.now()
    missing = (
        Item.objects.studiable()
        .exclude(study_cards__user=user)
        .order_by("-deck__in_mock", "deck_id", "section__position", "position", "id")
        .values_list("id", flat=True)
    )
    cards = [StudyCard(user=user, item_id=item_id, due=now) for item_id in missing]
    if cards:
        StudyCard.objects.bulk_create(cards, ignore_conflicts=True, batch_size=500)
    return len(cards)


def cards_ensure_current(*, user, now: datetime | None = None, content=None) -> int:
    """:func:`cards_ensure`, skipped when it already ran for the user at the current content
    version (the study page's work then does not grow with the number of items): the shared
    cache keeps the version it last ran at (``selectors.content_state(user=…)`` reads it).
    That version is read before the check runs: an import committing meanwhile renews it,
    so the next request runs it again. Only cards_ensure and an import make items studiable
    for a user who has cards (a quiz answer creates its one card itself). Without the shared
    cache (Redis) nothing is kept and it runs on every study page."""
    content = content or selectors.content_state(user=user)
    if content.ensured:
        return 0
    created = cards_ensure(user=user, now=now)
    caches[django_settings.SHARED_CACHE].set(selectors.ensured_key(user), content.version, None)
    return created


def cards_edited(*, user) -> None:
    """A card of ``user`` was changed or deleted outside these services (the admin): what
    the study queue keeps for them (held new cards, cards ensured at the content version)
    is read again once the change commits."""
    selectors.held_changed(user=user)
    key = selectors.ensured_key(user)
    transaction.on_commit(lambda: caches[django_settings.SHARED_CACHE].delete(key))


# The card's scheduling fields (same names on StudyCard); the review log keeps all of them
# as ``*_before`` and the first five as ``*_after``.
MEMORY_FIELDS = tuple(field.name for field in dataclasses.fields(scheduler.Memory))
LOGGED_AFTER = ("state", "step", "stability", "difficulty", "due")


def _memory(card: StudyCard) -> scheduler.Memory:
    return scheduler.Memory(**{name: getattr(card, name) for name in MEMORY_FIELDS})


def _memory_before(log: ReviewLog) -> scheduler.Memory:
    return scheduler.Memory(**{name: getattr(log, f"{name}_before") for name in MEMORY_FIELDS})


def _memory_set(card: StudyCard, memory: scheduler.Memory) -> None:
    for name in MEMORY_FIELDS:
        setattr(card, name, getattr(memory, name))


def _log_fields(before: scheduler.Memory, after: scheduler.Memory) -> dict:
    """The review log's ``*_before`` and ``*_after`` columns."""
    fields = {f"{name}_before": getattr(before, name) for name in MEMORY_FIELDS}
    fields.update({f"{name}_after": getattr(after, name) for name in LOGGED_AFTER})
    return fields


# The same mapping for bulk writers of review logs (the demo data in studyapp/demo).
log_fields = _log_fields


def retention_reset(settings: StudySettings) -> None:
    """Forget today's target (the desired retention or the parameters changed): the next
    answer or card shown computes it again. The caller saves ``settings``."""
    settings.retention_day = None


def retention_refresh(
    *, settings: StudySettings, now: datetime, save: bool = True
) -> retention.Keeping:
    """Compute and store the learner's target for the study day of ``now`` (retention keeping,
    :mod:`.retention`) from their review answers of the last ``WINDOW_DAYS`` study days.
    ``save=False``: only on ``settings`` (what the settings page shows when keeping is off)."""
    tz = settings.tzinfo
    since = timing.day_start(now, tz) - timedelta(days=retention.WINDOW_DAYS)
    parameters = settings.parameters or optimizer.DEFAULT_PARAMETERS
    answers = []
    rows = ReviewLog.objects.filter(
        user_id=settings.user_id,
        reviewed_at__gte=since,
        reviewed_at__lte=now,
        state_before=State.REVIEW,
        rescheduled=True,
        stability_before__gt=0,
        last_review_before__isnull=False,
    ).values_list(
        "rating",
        "stability_before",
        "last_review_before",
        "reviewed_at",
        "scheduled_retention_before",
    )
    for rating, stability, last_review, reviewed_at, scheduled in rows.iterator(chunk_size=2000):
        days = scheduler.study_days_between(last_review, reviewed_at, tz)
        if days < 1:  # studied ahead the same day: not a review at its interval
            continue
        answers.append(
            retention.Answer(
                passed=rating > 1,
                predicted=optimizer.retrievability(parameters, stability, days),
                scheduled=scheduled,
            )
        )
    kept = retention.keep(settings.desired_retention, answers)
    values = {
        "retention_offset": round(kept.target - settings.desired_retention, 3),
        "retention_day": timing.study_day(now, tz),
        "retention_reviews": kept.reviews,
        "retention_observed": kept.observed,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    if save:
        # save(), not update(): its post_save renews the learner's cached figures (the
        # dashboard's forecasts read the aimed retention).
        settings.save(update_fields=list(values))
    return kept


def retention_target(*, settings: StudySettings, now: datetime) -> float:
    """The retention the scheduler aims at on the study day of ``now``: computed by the day's
    first answer or card shown, then read from the settings (no query); the desired retention
    when keeping is switched off."""
    if not settings.keep_retention:
        return settings.desired_retention  # switched off: nothing to read or write
    if settings.retention_day != timing.study_day(now, settings.tzinfo):
        retention_refresh(settings=settings, now=now)
    return settings.aimed_retention


def card_preview(*, card: StudyCard, settings: StudySettings, now: datetime) -> dict:
    """Interval per rating (1–4) for this card now; equals what :func:`review_record` applies."""
    return scheduler.preview(
        _memory(card),
        now=now,
        seed=card.pk,
        desired_retention=retention_target(settings=settings, now=now),
        maximum_interval=settings.maximum_interval,
        parameters=settings.parameters,
        tz=settings.tzinfo,
        leech_threshold=settings.leech_threshold,
    )


# The namespace of the learner's write lock (pg_advisory_xact_lock's first key).
LEARNER_LOCK = 0x5253  # "RS"


def _learner_lock(user_id: int) -> None:
    """On PostgreSQL, one writer per learner until the transaction ends, taken before any of
    their cards is locked: a learner's review logs then commit in the order of their ids
    (two tabs, or a study answer beside a quiz submit or the overdue-mock cron, would
    otherwise commit a lower id after a higher one, and a reader keeping "the logs after id
    N" would miss it for good: progress's kept study part). Reentrant within a transaction.
    One lock order for every path that writes a learner's cards: this lock first, then
    rows (:func:`_locked_card`, :func:`cards_lock_for_quiz`, :func:`action_undo`, adopting
    trained parameters); a row locked before it could deadlock against a study answer.
    SQLite needs none: BEGIN IMMEDIATE already serializes writers."""
    if connection.vendor == "postgresql":
        # int4 keys: ids past 2**31 share a lock with another learner (serialized, harmless).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LEARNER_LOCK, user_id % 2**31])


def _locked_card(*, user, card_id) -> StudyCard:
    """The user's card, row-locked (PostgreSQL, after the learner's write lock:
    :func:`_learner_lock`; SQLite's BEGIN IMMEDIATE already serializes writers), with
    whether its item and deck are active (:func:`_is_active`); DoesNotExist (→ 404) for
    another user's card. SQL: one row, on every answer (rows.py)."""
    if not rows.pk_fits(StudyCard, card_id):
        raise StudyCard.DoesNotExist(f"card {card_id}")
    _learner_lock(user.pk)
    card, item, deck = (rows.table(model) for model in (StudyCard, Item, Deck))
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {rows.columns(StudyCard, 'c')}, i.retired_at, d.retired_at"  # noqa: S608
        f" FROM {card} c INNER JOIN {item} i ON i.id = c.item_id"
        f" INNER JOIN {deck} d ON d.id = i.deck_id WHERE c.id = %s AND c.user_id = %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [card_id, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise StudyCard.DoesNotExist(f"card {card_id} of user {user.pk}")
    locked = rows.instance(StudyCard, row[:-2])
    locked.active = row[-2] is None and row[-1] is None
    return locked


def _is_active(card: StudyCard) -> bool:
    """The card's item and deck are not retired (as read by :func:`_locked_card`)."""
    return card.active


def _apply_review(
    *,
    card: StudyCard,
    rating: int,
    now: datetime,
    settings: StudySettings,
    source: str,
    duration_ms: int | None,
) -> ReviewResult:
    before = _memory(card)
    outcome = scheduler.review(
        before,
        rating,
        now=now,
        seed=card.pk,
        desired_retention=retention_target(settings=settings, now=now),
        maximum_interval=settings.maximum_interval,
        parameters=settings.parameters,
        tz=settings.tzinfo,
        leech_threshold=settings.leech_threshold,
    )
    after = outcome.memory
    log = ReviewLog(
        user_id=card.user_id,
        card=card,
        source=source,
        rating=rating,
        reviewed_at=now,
        duration_ms=duration_ms,
        **_log_fields(before, after),
        interval_after=outcome.interval,
    )
    rows.insert(log)  # as log.save(), with SQL (rows.py)
    rollup_record(log=log, tz=settings.tzinfo)
    _memory_set(card, after)
    card.token = new_token()
    if outcome.leech:
        card.suspended = True
    rows.update(card, [*MEMORY_FIELDS, "token", "suspended"])
    return ReviewResult(card=card, log=log, leech=outcome.leech)


def review_record(
    *,
    user,
    card_id: int,
    token: str,
    rating: int,
    duration_ms: int | None = None,
    settings: StudySettings | None = None,
    now: datetime | None = None,
) -> ReviewResult:
    """Answer a shown card with ``rating`` (1 De novo, 2 Difícil, 3 Bom, 4 Fácil).

    Raises InvalidRating, TokenUsed (token already used: nothing changes),
    CardUnavailable (retired or suspended) or StudyCard.DoesNotExist (not the user's card).
    A lapse that meets the leech rule (``settings.leech_threshold`` lapses, then every half
    threshold more) tags the card as a leech and suspends it (``result.leech``).
    """
    if rating not in scheduler.RATINGS:
        raise InvalidRating()
    now = now or timezone.now()
    settings = settings or study_settings_get(user=user)
    if duration_ms is not None:
        duration_ms = max(0, min(int(duration_ms), 3_600_000))
    with transaction.atomic():
        card = _locked_card(user=user, card_id=card_id)
        if not token or card.token != token:
            raise TokenUsed()
        if not _is_active(card) or card.suspended:
            raise CardUnavailable()
        return _apply_review(
            card=card,
            rating=rating,
            now=now,
            settings=settings,
            source=ReviewLog.Source.STUDY,
            duration_ms=duration_ms,
        )


def _last_study_log(*, user) -> ReviewLog | None:
    return (
        ReviewLog.objects.filter(user=user, source=ReviewLog.Source.STUDY)
        .order_by("-reviewed_at", "-id")
        .first()
    )


def _log_undo(*, user, log: ReviewLog) -> StudyCard:
    card = _locked_card(user=user, card_id=log.card_id)
    latest = card.logs.order_by("-reviewed_at", "-id").values_list("id", flat=True).first()
    if latest != log.id:
        raise NothingToUndo(_("A última resposta já não pode ser desfeita."))
    _memory_set(card, _memory_before(log))
    # The card was answerable when answered: neither suspended (a leech suspension
    # made by that answer is undone too) nor buried.
    card.suspended = False
    card.buried_until = None
    card.token = new_token()
    card.save()
    rollup_unrecord(log=log, tz=study_settings_get(user=user).tzinfo)
    log.delete()
    return card


def action_undo(*, user, now: datetime | None = None) -> UndoResult:
    """Undo the user's most recent study action, whichever it was: an answer (the card gets
    back exactly its previous scheduling state and the log entry is deleted; only the card's
    latest log can be undone) or a bury or suspend (the card gets back its ``suspended`` and
    ``buried_until`` and the :class:`CardAction` is deleted). Raises NothingToUndo."""
    with transaction.atomic():
        _learner_lock(user.pk)  # before the action's row and the card's: one lock order
        log = _last_study_log(user=user)
        # Locked so that two undo requests at once revert it once (PostgreSQL; on SQLite
        # BEGIN IMMEDIATE already serializes them).
        action = CardAction.objects.select_for_update().filter(user=user).order_by("-id").first()
        if action is not None and (log is None or log.id <= action.latest_log_id_before):
            card = _locked_card(user=user, card_id=action.card_id)
            card.suspended = action.suspended_before
            card.buried_until = action.buried_until_before
            card.token = new_token()
            card.save(update_fields=["suspended", "buried_until", "token"])
            selectors.held_changed(user=user)
            action.delete()
            return UndoResult(card=card, kind=action.kind)
        if log is None:
            raise NothingToUndo()
        return UndoResult(card=_log_undo(user=user, log=log), kind="answer")


def _action_record(*, card: StudyCard, kind: str, now: datetime) -> None:
    """Remember the card's ``suspended``/``buried_until`` before a bury or suspend, for
    Undo, and forget the user's actions beyond the latest :data:`CARD_ACTIONS_KEPT`."""
    latest_log_id = (
        ReviewLog.objects.filter(user_id=card.user_id, source=ReviewLog.Source.STUDY)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    action = CardAction(
        user_id=card.user_id,
        card=card,
        kind=kind,
        suspended_before=card.suspended,
        buried_until_before=card.buried_until,
        latest_log_id_before=latest_log_id or 0,
        created_at=now,
    )
    action.full_clean(exclude=["user", "card"])
    action.save()
    kept = CardAction.objects.filter(user_id=card.user_id).order_by("-id").values("id")
    CardAction.objects.filter(
        user_id=card.user_id, id__lt=Subquery(kept[CARD_ACTIONS_KEPT - 1 : CARD_ACTIONS_KEPT])
    ).delete()


def card_suspend(*, user, card_id: int, token: str, now: datetime | None = None) -> StudyCard:
    """Take the card out of study until the learner unsuspends it (Undo can revert it)."""
    now = now or timezone.now()
    with transaction.atomic():
        card = _locked_card(user=user, card_id=card_id)
        if card.token != token:
            raise TokenUsed()
        _action_record(card=card, kind=CardAction.Kind.SUSPEND, now=now)
        card.suspended = True
        card.token = new_token()
        card.save(update_fields=["suspended", "token"])
        selectors.held_changed(user=user)
        return card


def card_unsuspend(*, user, card_id: int) -> StudyCard:
    with transaction.atomic():
        card = _locked_card(user=user, card_id=card_id)
        card.suspended = False
        card.token = new_token()
        card.save(update_fields=["suspended", "token"])
        selectors.held_changed(user=user)
        return card


def card_bury(
    *, user, card_id: int, token: str, settings: StudySettings, now: datetime | None = None
) -> StudyCard:
    """Hide the card until the next study day (04:00 in the learner's time zone); Undo can
    revert it."""
    now = now or timezone.now()
    with transaction.atomic():
        card = _locked_card(user=user, card_id=card_id)
        if card.token != token:
            raise TokenUsed()
        _action_record(card=card, kind=CardAction.Kind.BURY, now=now)
        card.buried_until = timing.next_day_start(now, settings.tzinfo)
        card.token = new_token()
        card.save(update_fields=["buried_until", "token"])
        selectors.held_changed(user=user)
        return card


def cards_lock_for_quiz(*, user, items) -> None:
    """Row-lock the user's cards for ``items`` (translations count for their source) at once,
    in id order. Call before several :func:`review_from_quiz` in one transaction: each of
    those locks a card and then adds to the day's roll-up row, so locking the cards one by
    one could hold the roll-up while a study answer in another tab holds the next card and
    waits for the roll-up: a deadlock (PostgreSQL aborts one). No-op on SQLite (BEGIN
    IMMEDIATE already serializes writers)."""
    _learner_lock(user.pk)  # before any card row: the study answer's lock order
    item_ids = {getattr(item, "translation_of_id", None) or item.pk for item in items}
    locked = StudyCard.objects.select_for_update().filter(user=user, item_id__in=item_ids)
    list(locked.order_by("id").values_list("id", flat=True))


def review_from_quiz(
    *, user, item, correct: bool, now=None, attempt_id: int | None = None
) -> str | None:
    """Feed one graded quiz answer to the item's study card, by the quiz policy
    (docs/study.md, "Quiz answers and the study queue"), and return what it did
    (a :class:`QuizEffect` value; None for a retired item):

    * a card that is due (a review card due this study day, a learning step due now) is
      reviewed: right → Good, wrong → Again, exactly as in a study session (a wrong answer
      on a due review card is a lapse, with the leech rule, and a retention failure);
    * a card that is not due, or is suspended, keeps its memory: the answer is only logged
      (``rescheduled=False``: never a lapse, a leech step or a retention failure; a right
      answer stays as evidence for the readiness forecast, see
      :func:`~studyapp.srs.selectors.quiz_evidence`). A wrong answer brings a review or
      learning card forward to now (it comes back in today's queue);
    * a never-studied (new) card stays new: a wrong answer puts it first among the new
      cards, so it is introduced next, within the daily new-card limit.

    ``item`` may be a translation: progress is kept on its source item. The log has
    ``source="quiz"`` and ``quiz_attempt_id=attempt_id``; quiz answers do not count
    against daily limits.
    """
    now = now or timezone.now()
    item_id = getattr(item, "translation_of_id", None) or item.pk
    settings = study_settings_get(user=user)
    with transaction.atomic():
        card_id = (
            StudyCard.objects.filter(user=user, item_id=item_id)
            .values_list("id", flat=True)
            .first()
        )
        if card_id is None:
            if not Item.objects.studiable().filter(pk=item_id).exists():
                return None
            card, _created = StudyCard.objects.get_or_create(
                user=user, item_id=item_id, defaults={"due": now}
            )
            card_id = card.pk
        card = _locked_card(user=user, card_id=card_id)
        if not _is_active(card):
            return None
        effect = quiz_effect_for(card=card, correct=correct, now=now, tz=settings.tzinfo)
        if effect in (QuizEffect.GOOD, QuizEffect.AGAIN):
            result = _apply_review(
                card=card,
                rating=1 if effect == QuizEffect.AGAIN else 3,
                now=now,
                settings=settings,
                source=ReviewLog.Source.QUIZ,
                duration_ms=None,
            )
            if attempt_id is not None:
                result.log.quiz_attempt_id = attempt_id
                result.log.save(update_fields=["quiz_attempt_id"])
            return QuizEffect.LEECH if result.leech else effect
        before = _memory(card)
        after = before
        if effect == QuizEffect.FORWARD:
            # A review card is due from the start of its study day (as the scheduler
            # stores review dues); a learning step at an exact time: now.
            due = timing.day_start(now, settings.tzinfo) if card.state == State.REVIEW else now
            after = dataclasses.replace(before, due=due)
        elif effect == QuizEffect.NEW_FIRST:
            after = dataclasses.replace(before, due=_front_of_new(user=user, now=now))
        log = ReviewLog.objects.create(
            user_id=card.user_id,
            card=card,
            source=ReviewLog.Source.QUIZ,
            rating=3 if correct else 1,
            reviewed_at=now,
            rescheduled=False,
            quiz_attempt_id=attempt_id,
            **_log_fields(before, after),
            interval_after=None,
        )
        rollup_record(log=log, tz=settings.tzinfo)
        if after.due != before.due:
            card.due = after.due
            card.token = new_token()
            card.save(update_fields=["due", "token"])
        return effect


class QuizEffect:
    """What a quiz answer did to its study card (:func:`review_from_quiz`)."""

    GOOD = "good"  # due card, right: reviewed as Good
    AGAIN = "again"  # due card, wrong: reviewed as Again (a lapse for a review card)
    LEECH = "leech"  # as AGAIN, and the lapse suspended the card as a leech
    FORWARD = "forward"  # not due, wrong: back in today's queue, memory unchanged
    NEW_FIRST = "new_first"  # never studied, wrong: first among the new cards
    LOGGED = "logged"  # not due (or new, or suspended), right: logged only (evidence)


def _due_for_quiz(card: StudyCard, now: datetime, tz) -> bool:
    """A review card is due for its whole study day (until the next 04:00 local); a
    learning or relearning step at its exact time."""
    if card.state == State.REVIEW:
        return card.due < timing.next_day_start(now, tz)
    return card.due <= now


def quiz_effect_for(*, card: StudyCard, correct: bool, now: datetime, tz) -> str:
    """The policy of :func:`review_from_quiz` as a decision (pure; no writes)."""
    if card.suspended:
        return QuizEffect.LOGGED
    if card.state == State.NEW:
        return QuizEffect.LOGGED if correct else QuizEffect.NEW_FIRST
    if _due_for_quiz(card, now, tz):
        return QuizEffect.GOOD if correct else QuizEffect.AGAIN
    return QuizEffect.LOGGED if correct else QuizEffect.FORWARD


def _front_of_new(*, user, now: datetime) -> datetime:
    """A due time that puts a new card before all of the user's other new cards (the new
    tier of the queue is ordered by due, then id)."""
    earliest = (
        StudyCard.objects.filter(user=user, state=State.NEW)
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )
    return min(earliest or now, now) - timedelta(seconds=1)


__all__ = [
    "CardUnavailable",
    "InvalidRating",
    "NothingToUndo",
    "QuizEffect",
    "ReviewResult",
    "State",
    "StudyError",
    "TokenUsed",
    "UndoResult",
    "action_undo",
    "card_bury",
    "card_preview",
    "card_suspend",
    "card_unsuspend",
    "cards_ensure",
    "cards_ensure_current",
    "cards_edited",
    "cards_lock_for_quiz",
    "deck_limits_update",
    "quiz_effect_for",
    "review_from_quiz",
    "review_record",
    "study_session_settings",
    "study_settings_get",
    "study_settings_update",
]
