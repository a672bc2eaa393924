"""Writes for quizzes: start an attempt (draw), save answers, flag, check, submit, expire.

The server owns the clock. A mock exam's ``deadline`` is stored at start; an answer that
arrives after ``deadline + GRACE`` is refused (:class:`TooLate`) and the attempt is finalized
instead. Every write re-reads the attempt with ``select_for_update`` inside
``transaction.atomic`` (row lock on PostgreSQL; BEGIN IMMEDIATE on SQLite), so a late
autosave and a submit cannot interleave. Every service takes ``now`` for tests.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache

from django.db import connection, transaction
from django.db.models import Max
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from studyapp import rows
from studyapp.content.models import Deck, Item, Option, Topic
from studyapp.srs.services import cards_lock_for_quiz, review_from_quiz

from . import draw, exam
from .models import Attempt, AttemptQuestion, ExamProfile

# Network grace after the deadline: an answer sent at 0:00:00 still counts if it arrives
# within this window; anything later is refused.
GRACE = timedelta(seconds=20)
PRACTICE_MIN = 5
PRACTICE_MAX = 65
# A practice quiz with no activity (start, answer, check, reveal) for longer than this is
# ended as abandoned: checked answers keep counting, nothing else is graded, no score.
PRACTICE_IDLE = timedelta(days=1)


class QuizError(Exception):
    """Bad input for a quiz action: the view answers ``status`` with ``message``."""

    status = 400
    message = _("Pedido inválido.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class QuestionNotFound(QuizError):
    status = 404
    message = _("Esta questão não faz parte da tentativa.")


class AttemptClosed(QuizError):
    message = _("Esta tentativa já foi finalizada; a resposta não foi registrada.")


class TooLate(QuizError):
    message = _(
        "O tempo do simulado acabou: esta resposta chegou depois do prazo e não foi contada. "
        "O simulado foi finalizado com as respostas salvas até o fim do tempo."
    )


class InvalidAnswer(QuizError):
    pass


class NotFinishable(QuizError):
    message = _("Esta tentativa já terminou; não há o que descartar.")


class AlreadyChecked(QuizError):
    message = _("Esta questão já foi corrigida; a resposta não pode mais ser alterada.")


SELF_GRADED_MESSAGE = _(
    "Esta questão é autoavaliada: mostre a resposta e diga se acertou; nada foi alterado."
)


class NotEnoughQuestions(QuizError):
    def __init__(self, *, available: int, wanted: int):
        self.available = available
        self.wanted = wanted
        super().__init__(
            ngettext(
                "Só há %(available)d questão disponível para esta seleção (pedidas: %(wanted)d).",
                "Só há %(available)d questões disponíveis para esta seleção (pedidas: %(wanted)d).",
                available,
            )
            % {"available": available, "wanted": wanted}
        )


# --- the draw -----------------------------------------------------------------------------


def _history_tiers(user) -> dict[int, int]:
    """item id → WRONG or RIGHT from the user's last answer to it (unlisted = unseen)."""
    rows = (
        AttemptQuestion.objects.filter(attempt__user=user, answered_at__isnull=False)
        .exclude(is_correct__isnull=True)
        .order_by("answered_at", "id")
        .values_list("item_id", "is_correct")
    )
    return {item_id: draw.RIGHT if correct else draw.WRONG for item_id, correct in rows}


def _candidates(user, items, topic_weights: dict[int, int] | None = None) -> list[draw.Candidate]:
    """One candidate per item, with the item's own domains and topics (its ``🏷️`` lines,
    else its deck's front matter, as stored at import)."""
    rows = list(items.values_list("id", "deck_id", "domains"))
    topics: dict[int, set[int]] = {}
    links = Item.topics.through.objects.filter(item_id__in=[row[0] for row in rows])
    for item_id, topic_id in links.values_list("item_id", "topic_id"):
        topics.setdefault(item_id, set()).add(topic_id)
    tiers = _history_tiers(user)
    result = []
    for item_id, deck_id, item_domains in rows:
        topic_ids = frozenset(topics.get(item_id, ()))
        weight = 1.0
        if topic_weights:
            weight = float(max((topic_weights.get(t, 0) for t in topic_ids), default=0))
        domains = frozenset(
            d for d in item_domains or () if isinstance(d, int) and d in exam.DOMAINS
        )
        result.append(
            draw.Candidate(
                item_id=item_id,
                deck_id=deck_id,
                topic_ids=topic_ids,
                domains=domains,
                tier=tiers.get(item_id, draw.UNSEEN),
                weight=weight,
            )
        )
    return result


def _option_rows(queryset) -> list[draw.OptionRow]:
    return [
        draw.OptionRow(id=pk, item_id=item_id, is_correct=correct, text=text)
        for pk, item_id, correct, text in queryset.values_list(
            "id", "item_id", "is_correct", "text_md"
        )
    ]


def _create_attempt(
    *,
    user,
    kind: str,
    title: str,
    drawn: Sequence[draw.Drawn],
    seed: int,
    now: datetime,
    profile: ExamProfile | None = None,
    scope: dict | None = None,
) -> Attempt:
    item_ids = [d.item_id for d in drawn]
    own: dict[int, list[draw.OptionRow]] = {item_id: [] for item_id in item_ids}
    for row in _option_rows(
        Option.objects.filter(item_id__in=item_ids).order_by("item_id", "position")
    ):
        own[row.item_id].append(row)
    # Items with correct answers only (flashcards such as the seed's) are self-graded: the
    # learner sees the answer and says right or wrong. Mocks never draw them.
    self_graded = {i for i in item_ids if own[i] and all(o.is_correct for o in own[i])}
    with transaction.atomic():
        attempt = Attempt.objects.create(
            user=user,
            kind=kind,
            profile=profile,
            title=title[:200],
            scope=scope or {},
            seed=seed,
            started_at=now,
            deadline=now + timedelta(minutes=profile.minutes) if profile else None,
            pass_mark=profile.pass_mark if profile else None,
            question_count=len(drawn),
        )
        rows = []
        for position, chosen in enumerate(drawn, start=1):
            built = draw.build_options(item_id=chosen.item_id, own=own[chosen.item_id], seed=seed)
            rows.append(
                AttemptQuestion(
                    attempt=attempt,
                    item_id=chosen.item_id,
                    position=position,
                    domain=chosen.domain,
                    option_ids=built.option_ids,
                    choose_count=built.choose_count,
                    self_graded=chosen.item_id in self_graded,
                )
            )
        AttemptQuestion.objects.bulk_create(rows)
    return attempt


def _new_seed() -> int:
    return secrets.randbelow(2**31 - 1) + 1


def attempt_start_practice(
    *,
    user,
    decks: Iterable[Deck] = (),
    topics: Iterable[Topic] = (),
    count: int,
    item_ids: Iterable[int] | None = None,
    title: str = "",
    now: datetime | None = None,
    seed: int | None = None,
) -> Attempt:
    """A practice quiz of ``count`` questions from ``decks`` and/or ``topics`` (all when both
    are empty), or exactly the questions ``item_ids`` (still studiable) for "Refazer as erradas".

    Raises :class:`NotEnoughQuestions` (with ``available``) when the selection is too small.
    """
    now = now or timezone.now()
    seed = seed or _new_seed()
    decks, topics = list(decks), list(topics)
    items = Item.objects.studiable().questions()
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    elif decks or topics:
        items = (items.filter(deck__in=decks) | items.filter(topics__in=topics)).distinct()
    candidates = _candidates(user, items)
    if count > len(candidates) or not candidates:
        raise NotEnoughQuestions(available=len(candidates), wanted=count)
    drawn = draw.draw_simple(candidates, count, seed)
    if not title:
        title = ", ".join([deck.title for deck in decks] + [topic.name for topic in topics])
    scope = {"decks": [d.slug for d in decks], "topics": [t.slug for t in topics]}
    return _create_attempt(
        user=user,
        kind=Attempt.Kind.PRACTICE,
        title=title,
        drawn=drawn,
        seed=seed,
        now=now,
        scope=scope,
    )


def attempt_start_mock(
    *, user, profile: ExamProfile, now: datetime | None = None, seed: int | None = None
) -> Attempt:
    """A timed mock exam drawn by the profile's domain and topic weights, from questions
    with authored distractors outside out-of-mock decks, by each question's own domains."""
    now = now or timezone.now()
    seed = seed or _new_seed()
    topic_weights = {tw.topic_id: tw.weight for tw in profile.topic_weights.all()}
    eligible = Item.objects.studiable().mock_eligible()
    candidates = [c for c in _candidates(user, eligible, topic_weights or None) if c.weight > 0]
    if len(candidates) < profile.question_count:
        raise NotEnoughQuestions(available=len(candidates), wanted=profile.question_count)
    drawn = draw.draw_weighted(candidates, profile.question_count, seed, profile.domain_weights)
    # The readiness forecast at this moment is rebuilt by the progress app when it first
    # shows the finished exam (progress.services.prediction_backfill): nothing to call here.
    return _create_attempt(
        user=user,
        kind=Attempt.Kind.MOCK,
        title=profile.name,
        drawn=drawn,
        seed=seed,
        now=now,
        profile=profile,
    )


def retry_wrong_start(*, user, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """ "Refazer as erradas": a practice quiz with the questions missed in ``attempt``."""
    missed = list(
        attempt.questions.filter(is_correct=False)
        .order_by("position")
        .values_list("item_id", flat=True)
    )
    if not missed:
        raise QuizError(_("Não há questões erradas para refazer nesta tentativa."))
    return attempt_start_practice(
        user=user, item_ids=missed, count=len(missed), title=attempt.title, now=now
    )


# --- answering ----------------------------------------------------------------------------


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """True once the deadline plus the network grace has passed (mock exams only)."""
    return (
        attempt.status == Attempt.Status.IN_PROGRESS
        and attempt.deadline is not None
        and now > attempt.deadline + GRACE
    )


def _locked_row(model, where: str, params: list):
    """The row of ``model`` matching ``where`` as a model instance (None when there is
    none), locked as ``select_for_update()`` locks it: ``FOR UPDATE`` where the database has
    it (PostgreSQL); SQLite's transactions here begin IMMEDIATE, which already holds the
    write lock. SQL because building ``select_for_update().get()`` with the ORM cost ~0.4 ms,
    twice per autosave (the statement runs in µs)."""
    if connection.get_autocommit():
        raise TransactionManagementError("a locked read outside of a transaction")
    sql = f"SELECT {rows.columns(model)} FROM {rows.table(model)} WHERE {where}"  # noqa: S608
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else rows.instance(model, row)


def _locked_attempt(*, user, attempt_id: int) -> Attempt:
    attempt = None
    if rows.pk_fits(Attempt, attempt_id):
        attempt = _locked_row(Attempt, "id = %s AND user_id = %s", [attempt_id, user.pk])
    if attempt is None:
        raise Attempt.DoesNotExist("attempt")
    return attempt


def _question(attempt: Attempt, position: int) -> AttemptQuestion:
    question = None
    if rows.fits(_POSITION, position):
        where = "attempt_id = %s AND position = %s"
        question = _locked_row(AttemptQuestion, where, [attempt.pk, position])
    if question is None:
        raise QuestionNotFound()
    return question


def _validated(question: AttemptQuestion, option_ids: Sequence[int]) -> list[int]:
    chosen = set(option_ids)
    unknown = chosen - set(question.option_ids)
    if unknown:
        raise InvalidAnswer(_("Opção inexistente nesta questão; nada foi alterado."))
    if len(chosen) > question.choose_count:
        raise InvalidAnswer(
            ngettext(
                "Escolha no máximo %(count)d opção; nada foi alterado.",
                "Escolha no máximo %(count)d opções; nada foi alterado.",
                question.choose_count,
            )
            % {"count": question.choose_count}
        )
    return [pk for pk in question.option_ids if pk in chosen]  # in display order


def _correct_ids(item_ids: Iterable[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for item_id, pk in Option.objects.filter(
        item_id__in=list(item_ids), is_correct=True
    ).values_list("item_id", "id"):
        result.setdefault(item_id, set()).add(pk)
    return result


def _grade(question: AttemptQuestion, correct: set[int], now: datetime) -> None:
    question.is_correct = draw.answer_is_correct(question.selected_ids, correct)
    question.graded_at = now


def _writable_attempt(*, user, attempt_id: int, now: datetime) -> Attempt | None:
    """The user's attempt, locked for a change (call inside a transaction); raises
    :class:`AttemptClosed` when finished. ``None`` when it was overdue: it has just been
    finalized, and the caller raises :class:`TooLate` once that is committed."""
    attempt = _locked_attempt(user=user, attempt_id=attempt_id)
    if is_overdue(attempt, now):
        _finalize(attempt, now=now, status=Attempt.Status.EXPIRED)
        return None
    if attempt.is_finished:
        raise AttemptClosed()
    return attempt


def answer_unchanged(
    *, user, attempt_id: int, position: int, option_ids: Sequence[int], now: datetime | None = None
) -> AttemptQuestion | None:
    """The question when saving ``option_ids`` would change nothing: the attempt is the
    user's, in progress and not overdue, and the question (not self-graded) already holds
    exactly this selection (as :func:`answer_save` would store it). Read without a lock or a
    transaction, in one query: "Próxima" after an autosave of the same choice then writes
    nothing and takes no lock (5 statements less on PostgreSQL). ``None`` for anything else
    (a change, an error to report, an attempt to finalize): :func:`answer_save` then decides.
    """
    now = now or timezone.now()
    if not (rows.pk_fits(Attempt, attempt_id) and rows.fits(_POSITION, position)):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_unchanged_sql(connection.vendor), [position, attempt_id, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    width = rows.width(Attempt)
    attempt = rows.instance(Attempt, row[:width])
    question = rows.instance(AttemptQuestion, row[width:])
    if attempt.is_finished or is_overdue(attempt, now) or question.self_graded:
        return None
    try:
        selected = _validated(question, option_ids)
    except InvalidAnswer:
        return None
    return question if selected == question.selected_ids else None


_POSITION = AttemptQuestion._meta.get_field("position")


@cache
def _unchanged_sql(vendor: str) -> str:
    return (
        f"SELECT {rows.columns(Attempt, 'a')}, {rows.columns(AttemptQuestion, 'q')}"  # noqa: S608
        f" FROM {rows.table(Attempt)} a JOIN {rows.table(AttemptQuestion)} q"
        " ON q.attempt_id = a.id AND q.position = %s WHERE a.id = %s AND a.user_id = %s"
    )


def answer_save(
    *,
    user,
    attempt_id: int,
    position: int,
    option_ids: Sequence[int],
    check: bool = False,
    now: datetime | None = None,
) -> AttemptQuestion:
    """Save the selection for one question (autosave; idempotent: the same selection twice
    writes once). ``check`` (practice only) grades it now, feeds spaced repetition and locks it.

    Raises :class:`TooLate` after the deadline plus grace (the attempt is finalized and the
    answer is not counted), :class:`AttemptClosed`, :class:`QuestionNotFound`,
    :class:`InvalidAnswer` or :class:`AlreadyChecked`; nothing changes then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _writable_attempt(user=user, attempt_id=attempt_id, now=now)
        if attempt is not None:
            question = _question(attempt, position)
            if question.self_graded:
                raise InvalidAnswer(SELF_GRADED_MESSAGE)
            selected = _validated(question, option_ids)
            if question.graded_at is not None:
                if selected == question.selected_ids:
                    return question  # the same answer again: nothing to do
                raise AlreadyChecked()
            if check and not selected:
                raise InvalidAnswer(_("Escolha uma opção antes de verificar."))
            if selected != question.selected_ids or check:
                question.selected_ids = selected
                question.answered_at = now if selected else None
                fields = ["selected_ids", "answered_at"]
                if check and attempt.kind == Attempt.Kind.PRACTICE:
                    _grade(
                        question, _correct_ids([question.item_id]).get(question.item_id, set()), now
                    )
                    fields += ["is_correct", "graded_at"]
                rows.update(question, fields)  # one SQL UPDATE (the ORM's save: ~0.3 ms)
                if question.graded_at is not None:
                    review_from_quiz(
                        user=user,
                        item=question.item,
                        correct=bool(question.is_correct),
                        now=now,
                        attempt_id=attempt.pk,
                    )
    if attempt is None:
        raise TooLate()
    return question


def answer_reveal(
    *, user, attempt_id: int, position: int, now: datetime | None = None
) -> AttemptQuestion:
    """Show the answer of a self-graded question ("Mostrar resposta"; idempotent).

    Raises :class:`InvalidAnswer` for a question that is not self-graded, and the errors of
    :func:`answer_save` for a closed attempt or an unknown position.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _writable_attempt(user=user, attempt_id=attempt_id, now=now)
        if attempt is not None:
            question = _question(attempt, position)
            if not question.self_graded:
                raise InvalidAnswer(_("Esta questão tem opções: escolha uma e verifique."))
            if question.revealed_at is None:
                question.revealed_at = now
                question.save(update_fields=["revealed_at"])
    if attempt is None:
        raise TooLate()
    return question


def answer_self_grade(
    *, user, attempt_id: int, position: int, correct: bool, now: datetime | None = None
) -> AttemptQuestion:
    """The learner's verdict on a self-graded question after seeing the answer ("Acertei" /
    "Errei"): grades it, locks it and feeds spaced repetition exactly as a checked answer.

    The same verdict twice is a no-op; a different one after grading raises
    :class:`AlreadyChecked`. Grading before the answer was shown raises :class:`InvalidAnswer`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _writable_attempt(user=user, attempt_id=attempt_id, now=now)
        if attempt is not None:
            question = _question(attempt, position)
            if not question.self_graded:
                raise InvalidAnswer(_("Esta questão tem opções: escolha uma e verifique."))
            if question.graded_at is not None:
                if bool(question.is_correct) == correct:
                    return question
                raise AlreadyChecked()
            if question.revealed_at is None:
                raise InvalidAnswer(_("Mostre a resposta antes de dizer se acertou."))
            # "Acertei" chooses the answers shown; "Errei" chooses none: the grade follows.
            question.selected_ids = list(question.option_ids) if correct else []
            question.answered_at = now
            question.is_correct = correct
            question.graded_at = now
            question.save(update_fields=["selected_ids", "answered_at", "is_correct", "graded_at"])
            review_from_quiz(
                user=user, item=question.item, correct=correct, now=now, attempt_id=attempt.pk
            )
    if attempt is None:
        raise TooLate()
    return question


def flag_set(
    *, user, attempt_id: int, position: int, flagged: bool, now: datetime | None = None
) -> AttemptQuestion:
    """Mark or unmark a question for review (idempotent)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _writable_attempt(user=user, attempt_id=attempt_id, now=now)
        if attempt is not None:
            question = _question(attempt, position)
            if question.flagged != flagged:
                question.flagged = flagged
                question.save(update_fields=["flagged"])
    if attempt is None:
        raise TooLate()
    return question


def strike_toggle(
    *, user, attempt_id: int, position: int, option_id: int, now: datetime | None = None
) -> AttemptQuestion:
    """Strike an option through (eliminate it) or restore it, as the real exam allows.
    Display only: a struck option can still be chosen, and grading ignores strikes.

    Raises :class:`InvalidAnswer` for an option not in the question (or a self-graded card),
    and the errors of :func:`answer_save` for a closed attempt or an unknown position.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _writable_attempt(user=user, attempt_id=attempt_id, now=now)
        if attempt is not None:
            question = _question(attempt, position)
            if question.self_graded or option_id not in question.option_ids:
                raise InvalidAnswer(_("Opção inexistente nesta questão; nada foi alterado."))
            struck = set(question.struck_ids or ())
            struck ^= {option_id}
            question.struck_ids = [pk for pk in question.option_ids if pk in struck]
            question.save(update_fields=["struck_ids"])
    if attempt is None:
        raise TooLate()
    return question


# --- finishing ----------------------------------------------------------------------------


def _finalize(attempt: Attempt, *, now: datetime, status: str) -> Attempt:
    """Grade every ungraded question, feed spaced repetition, compute the score. Runs inside
    the caller's transaction with the attempt row locked."""
    questions = list(attempt.questions.select_related("item").order_by("position"))
    pending = [q for q in questions if q.graded_at is None]
    correct = _correct_ids(q.item_id for q in pending)
    for question in pending:
        _grade(question, correct.get(question.item_id, set()), now)
    AttemptQuestion.objects.bulk_update(pending, ["is_correct", "graded_at"])
    answered = [question.item for question in pending if question.answered_at is not None]
    cards_lock_for_quiz(user=attempt.user, items=answered)
    for question in pending:
        if question.answered_at is not None:
            review_from_quiz(
                user=attempt.user,
                item=question.item,
                correct=bool(question.is_correct),
                now=now,
                attempt_id=attempt.pk,
            )
    total = len(questions)
    right = sum(1 for q in questions if q.is_correct)
    attempt.status = status
    attempt.finished_at = min(now, attempt.deadline) if attempt.deadline else now
    attempt.correct_count = right
    attempt.scaled_score = exam.scaled_score(right, total)
    attempt.passed = attempt.scaled_score >= attempt.pass_mark if attempt.pass_mark else None
    attempt.save(update_fields=["status", "finished_at", "correct_count", "scaled_score", "passed"])
    return attempt


def attempt_submit(*, user, attempt_id: int, now: datetime | None = None) -> Attempt:
    """Finish the attempt ("Finalizar", or the timer at zero). After the grace period the
    attempt is finalized as expired (same grading: answers saved in time count). Submitting
    a finished attempt is a no-op, so a double click or a second tab is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(user=user, attempt_id=attempt_id)
        if attempt.is_finished:
            return attempt
        status = Attempt.Status.EXPIRED if is_overdue(attempt, now) else Attempt.Status.SUBMITTED
        return _finalize(attempt, now=now, status=status)


def _abandon(attempt: Attempt, *, at: datetime) -> Attempt:
    """End without a score (inside the caller's transaction, attempt row locked). Checked
    practice answers stay graded (they already fed spaced repetition); nothing else is."""
    attempt.status = Attempt.Status.ABANDONED
    attempt.finished_at = at
    graded = attempt.questions.filter(graded_at__isnull=False)
    attempt.correct_count = graded.filter(is_correct=True).count()
    attempt.scaled_score = None
    attempt.passed = None
    attempt.save(update_fields=["status", "finished_at", "correct_count", "scaled_score", "passed"])
    return attempt


def attempt_abandon(*, user, attempt_id: int, now: datetime | None = None) -> Attempt:
    """Discard an attempt in progress ("Descartar"): it ends as abandoned, without a score,
    and a mock exam's answers do not feed spaced repetition. A mock whose time ran out is
    finalized as expired instead (its answers count) and :class:`TooLate` is raised.

    Raises :class:`NotFinishable` (400) for an attempt already finished; someone else's
    attempt raises ``Attempt.DoesNotExist``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(user=user, attempt_id=attempt_id)
        if is_overdue(attempt, now):
            _finalize(attempt, now=now, status=Attempt.Status.EXPIRED)
            expired = True
        elif attempt.is_finished:
            raise NotFinishable()
        else:
            expired = False
            _abandon(attempt, at=now)
    if expired:
        raise TooLate()
    return attempt


def last_activity(attempt: Attempt) -> datetime:
    """The latest of the start and every answer, check, grade or reveal (one query)."""
    latest = attempt.questions.aggregate(
        answered=Max("answered_at"), graded=Max("graded_at"), revealed=Max("revealed_at")
    )
    return max([attempt.started_at, *(value for value in latest.values() if value)])


def is_idle(attempt: Attempt, now: datetime) -> bool:
    """A practice quiz in progress untouched for more than :data:`PRACTICE_IDLE`. Cheap
    when it started less than that ago (no query)."""
    return (
        attempt.kind == Attempt.Kind.PRACTICE
        and attempt.status == Attempt.Status.IN_PROGRESS
        and now - attempt.started_at > PRACTICE_IDLE
        and now - last_activity(attempt) > PRACTICE_IDLE
    )


def attempt_expire_if_overdue(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finalize ``attempt`` if its time (plus grace) is over, or end it as abandoned if it is a
    practice quiz left idle (:func:`is_idle`); called whenever it is touched."""
    now = now or timezone.now()
    if is_idle(attempt, now):
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
            if is_idle(locked, now):
                _abandon(locked, at=last_activity(locked))
        attempt.refresh_from_db()
        return attempt
    if not is_overdue(attempt, now):
        return attempt
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("user").get(pk=attempt.pk)
        if is_overdue(locked, now):
            _finalize(locked, now=now, status=Attempt.Status.EXPIRED)
    attempt.refresh_from_db()
    return attempt


def attempts_expire_overdue(*, user=None, now: datetime | None = None) -> int:
    """Finalize every overdue attempt (of ``user``, or everyone's). Returns how many."""
    now = now or timezone.now()
    overdue = Attempt.objects.in_progress().filter(deadline__lt=now - GRACE)
    if user is not None:
        overdue = overdue.filter(user=user)
    count = 0
    for attempt in overdue.select_related("user"):
        attempt_expire_if_overdue(attempt=attempt, now=now)
        count += 1
    return count


def attempts_abandon_idle(*, user=None, now: datetime | None = None) -> int:
    """End every practice quiz left idle for more than :data:`PRACTICE_IDLE` (of ``user``,
    or everyone's) as abandoned, dated at its last activity. Returns how many."""
    now = now or timezone.now()
    stale = Attempt.objects.in_progress().filter(
        kind=Attempt.Kind.PRACTICE, started_at__lt=now - PRACTICE_IDLE
    )
    if user is not None:
        stale = stale.filter(user=user)
    count = 0
    for attempt in stale:
        if is_idle(attempt, now):
            attempt_expire_if_overdue(attempt=attempt, now=now)
            count += 1
    return count
