"""Spaced-repetition state per user: settings, one study card per (user, item), and an
append-only review log. Datetimes are stored in UTC; the scheduler lives in ``scheduler.py``."""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studyapp.content.models import Deck, Item

from . import retention, timing
from .timing import DEFAULT_TIMEZONE


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            _("Fuso horário desconhecido: %(tz)s"), params={"tz": value}
        ) from error


def new_token() -> str:
    return secrets.token_urlsafe(16)


class StudySettings(models.Model):
    """A learner's study preferences (created with defaults when first needed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_settings"
    )
    new_per_day = models.PositiveSmallIntegerField(
        _("cartões novos por dia"), default=20, validators=[MaxValueValidator(9999)]
    )
    reviews_per_day = models.PositiveSmallIntegerField(
        _("revisões por dia"), default=200, validators=[MaxValueValidator(9999)]
    )
    desired_retention = models.FloatField(
        _("retenção desejada"),
        default=0.90,
        validators=[MinValueValidator(0.70), MaxValueValidator(0.97)],
    )
    maximum_interval = models.PositiveIntegerField(
        _("intervalo máximo (dias)"),
        default=36500,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
    )
    leech_threshold = models.PositiveSmallIntegerField(
        _("limite de sanguessuga (lapsos)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_(
            "Um cartão esquecido tantas vezes vira sanguessuga e é suspenso; "
            "depois, a cada metade desse número de lapsos."
        ),
    )
    timezone = models.CharField(
        _("fuso horário"), max_length=64, default=DEFAULT_TIMEZONE, validators=[validate_timezone]
    )
    decks = models.ManyToManyField(
        Deck,
        blank=True,
        related_name="+",
        verbose_name=_("decks para estudar"),
        help_text=_("Nenhum marcado: todos os decks."),
    )
    # The learner's trained FSRS parameters (optimizer.py; None: the defaults) and the
    # simulator's suggested desired retention (computed on demand, never on a page view).
    fsrs_parameters = models.JSONField(_("parâmetros FSRS"), null=True, blank=True)
    suggested_retention = models.FloatField(_("retenção sugerida"), null=True, blank=True)
    # Retention keeping (retention.py): the retention the scheduler aims at so the learner
    # keeps ``desired_retention``, computed once a study day (``retention_day``) from the
    # learner's review answers of the window; None: not computed yet (the desired one).
    keep_retention = models.BooleanField(
        _("manter a retenção desejada"),
        default=True,
        help_text=_(
            "Mede quanto você lembra nas revisões e ajusta os intervalos para que você mantenha "
            "a retenção desejada (mais revisões quando você lembra menos)."
        ),
    )
    # Stored as the target minus the desired retention, so a desired retention changed by
    # any path (the admin, a script) is aimed at at once: see :attr:`aimed_retention`.
    retention_offset = models.FloatField(default=0.0, editable=False)
    retention_day = models.DateField(null=True, blank=True, editable=False)
    retention_reviews = models.PositiveIntegerField(default=0, editable=False)
    retention_observed = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("configuração de estudo")
        verbose_name_plural = _("configurações de estudo")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return timing.zone(self.timezone)

    @property
    def aimed_retention(self) -> float:
        """The retention the scheduler aims at: the desired one moved by today's retention
        keeping (retention.py), within its bounds; the desired one when keeping is off."""
        if not self.keep_retention:
            return self.desired_retention
        low, high = retention.bounds(self.desired_retention)
        return round(min(high, max(low, self.desired_retention + self.retention_offset)), 3)

    @property
    def parameters(self) -> tuple[float, ...] | None:
        """The learner's FSRS parameters as the scheduler takes them (None: defaults)."""
        return tuple(self.fsrs_parameters) if self.fsrs_parameters else None


class DeckLimits(models.Model):
    """A learner's own daily limits for one deck (Anki's deck options). Empty: the overall
    limit alone applies. A deck's limit works within the overall one: a session never
    introduces more than either allows."""

    settings = models.ForeignKey(
        StudySettings, on_delete=models.CASCADE, related_name="deck_limits"
    )
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="+")
    new_per_day = models.PositiveSmallIntegerField(
        _("cartões novos por dia neste deck"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(9999)],
    )
    reviews_per_day = models.PositiveSmallIntegerField(
        _("revisões por dia neste deck"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(9999)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["settings", "deck"], name="srs_decklimits_deck"),
        ]
        verbose_name = _("limite do deck")
        verbose_name_plural = _("limites dos decks")

    def __str__(self) -> str:
        return f"{self.settings} · {self.deck}"


class State(models.TextChoices):
    NEW = "new", _("novo")
    LEARNING = "learning", _("aprendendo")
    REVIEW = "review", _("revisão")
    RELEARNING = "relearning", _("reaprendendo")


class Rating(models.IntegerChoices):
    AGAIN = 1, _("De novo")
    HARD = 2, _("Difícil")
    GOOD = 3, _("Bom")
    EASY = 4, _("Fácil")


class StudyCard(models.Model):
    """One user's memory of one item. Linked to the Item row, which the importer keeps
    when an item is reworded (history survives) and retires when it is removed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_cards"
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="study_cards")
    state = models.CharField(_("estado"), max_length=10, choices=State.choices, default=State.NEW)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(_("vence em"), default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    # The leech tag: set when a lapse meets the leech rule (scheduler.leech_threshold_met).
    leech = models.BooleanField(_("sanguessuga"), default=False)
    # The retention the scheduler aimed at when it set ``due`` (retention keeping).
    scheduled_retention = models.FloatField(null=True, blank=True)
    suspended = models.BooleanField(_("suspenso"), default=False)
    buried_until = models.DateTimeField(null=True, blank=True)
    # One-time token carried by the card as shown; rotated on every answer so a double
    # click, a retry or a second tab cannot record the same answer twice.
    token = models.CharField(max_length=32, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="srs_card_user_item"),
        ]
        indexes = [
            models.Index(fields=["user", "due"], name="srs_card_user_due"),
            models.Index(fields=["user", "state", "due"], name="srs_card_user_state_due"),
        ]
        verbose_name = _("cartão de estudo")
        verbose_name_plural = _("cartões de estudo")

    def __str__(self) -> str:
        return f"{self.user} · {self.item}"


class ReviewLog(models.Model):
    """Append-only record of one answer, with the card's scheduling state before and after.
    Feeds progress, undo (restores the *_before fields exactly) and parameter optimization."""

    class Source(models.TextChoices):
        STUDY = "study", _("estudo")
        QUIZ = "quiz", _("simulado")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs"
    )
    card = models.ForeignKey(StudyCard, on_delete=models.CASCADE, related_name="logs")
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.STUDY)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # False when a quiz answer was logged without rescheduling (the card was not due).
    rescheduled = models.BooleanField(default=True)
    # The quiz attempt a quiz answer came from (an id, not a key: srs sits below quizzes);
    # the quiz result page reads what the attempt did to the study queue through it.
    quiz_attempt_id = models.PositiveBigIntegerField(null=True, blank=True)

    state_before = models.CharField(max_length=10, choices=State.choices)
    step_before = models.PositiveSmallIntegerField(null=True, blank=True)
    stability_before = models.FloatField(null=True, blank=True)
    difficulty_before = models.FloatField(null=True, blank=True)
    due_before = models.DateTimeField()
    last_review_before = models.DateTimeField(null=True, blank=True)
    reps_before = models.PositiveIntegerField(default=0)
    lapses_before = models.PositiveIntegerField(default=0)
    leech_before = models.BooleanField(default=False)
    scheduled_retention_before = models.FloatField(null=True, blank=True)

    state_after = models.CharField(max_length=10, choices=State.choices)
    step_after = models.PositiveSmallIntegerField(null=True, blank=True)
    stability_after = models.FloatField(null=True, blank=True)
    difficulty_after = models.FloatField(null=True, blank=True)
    due_after = models.DateTimeField()
    interval_after = models.DurationField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="srs_log_user_reviewed"),
        ]
        verbose_name = _("registro de revisão")
        verbose_name_plural = _("registros de revisão")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_rating_display()} · {self.reviewed_at:%Y-%m-%d %H:%M}"


class CardAction(models.Model):
    """A bury or suspend done while studying, kept so Undo can revert it. The review log
    holds answers only (it feeds statistics); only the latest few actions per user are kept.
    """

    class Kind(models.TextChoices):
        BURY = "bury", _("Esconder até amanhã")
        SUSPEND = "suspend", _("Suspender")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_actions"
    )
    card = models.ForeignKey(StudyCard, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    suspended_before = models.BooleanField()
    buried_until_before = models.DateTimeField(null=True, blank=True)
    # The id of the user's latest study log when the action was taken (0: none). Undo
    # reverts this action before any log with an id up to it, and after any later one:
    # ids only grow, whereas two timestamps can be equal.
    latest_log_id_before = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ação de estudo")
        verbose_name_plural = _("ações de estudo")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.card_id}"


class DailyReviewStats(models.Model):
    """What one user did on one study day (``timing.study_day``), written by ``rollups.py``.

    Retention columns count only the first review of a card that day, when the card was
    in the review state and the review rescheduled it (a scheduled test of memory):
    Again is a fail, Hard/Good/Easy a pass. Young = scheduled interval < 21 days, mature ≥ 21.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_review_stats"
    )
    day = models.DateField(_("dia"))
    reviews = models.PositiveIntegerField(default=0)
    again = models.PositiveIntegerField(default=0)
    hard = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    easy = models.PositiveIntegerField(default=0)
    young_pass = models.PositiveIntegerField(default=0)
    young_fail = models.PositiveIntegerField(default=0)
    mature_pass = models.PositiveIntegerField(default=0)
    mature_fail = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveBigIntegerField(default=0)

    class Meta:
        # Created by the progress app, which owned the roll-ups until they moved here.
        db_table = "progress_dailyreviewstats"
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="progress_daily_user_day"),
        ]
        ordering = ["user", "day"]
        verbose_name = _("resumo diário de revisões")
        verbose_name_plural = _("resumos diários de revisões")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.day} · {self.reviews}"


class ParameterEvaluation(models.Model):
    """One run of the FSRS optimizer for a learner (``manage.py optimize_fsrs`` or the
    settings page): trained on the older 80% of the reviews, scored on the latest 20%.
    ``accepted``: the new parameters predicted the held-out reviews better and were kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parameter_evaluations"
    )
    created_at = models.DateTimeField(_("data"), default=timezone.now)
    reviews = models.PositiveIntegerField(_("revisões usadas"))
    logloss_before = models.FloatField()
    logloss_after = models.FloatField()
    rmse_before = models.FloatField()
    rmse_after = models.FloatField()
    accepted = models.BooleanField(_("aceito"), default=False)
    parameters = models.JSONField(default=list)
    rescheduled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("avaliação de parâmetros")
        verbose_name_plural = _("avaliações de parâmetros")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M} · {self.accepted}"
