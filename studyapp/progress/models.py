"""Progress read models: per-user per-day review roll-ups and readiness prediction snapshots.

Both are derived data. ``DailyReviewStats`` can always be rebuilt from ``srs.ReviewLog``
(``python manage.py rebuild_rollups``); it exists so the dashboard reads at most ~365 small
rows per user instead of the whole review history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyReviewStats(models.Model):
    """What one user did on one study day (in their time zone; the day starts at 04:00).

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
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="progress_daily_user_day"),
        ]
        ordering = ["user", "day"]
        verbose_name = _("resumo diário de revisões")
        verbose_name_plural = _("resumos diários de revisões")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.day} · {self.reviews}"


class Prediction(models.Model):
    """A snapshot of the readiness forecast, taken when a mock exam starts or finishes
    (or computed later for older attempts), so predictions can be compared with results.

    ``attempt_id`` is the quizzes ``Attempt`` primary key (a plain integer, not a foreign key,
    so this app does not depend on the quizzes migrations).
    """

    class Moment(models.TextChoices):
        START = "start", _("início do simulado")
        FINISH = "finish", _("fim do simulado")
        LAZY = "lazy", _("calculada depois")
        MANUAL = "manual", _("avulsa")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="predictions"
    )
    attempt_id = models.PositiveBigIntegerField(null=True, blank=True)
    moment = models.CharField(max_length=6, choices=Moment.choices, default=Moment.MANUAL)
    created_at = models.DateTimeField()
    predicted_score = models.PositiveSmallIntegerField(_("nota prevista"))
    score_low = models.PositiveSmallIntegerField()
    score_high = models.PositiveSmallIntegerField()
    pass_probability = models.FloatField(_("chance de aprovação"))
    expected_fraction = models.FloatField()
    domains = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "attempt_id"], name="progress_pred_user_attempt"),
        ]
        verbose_name = _("previsão de nota")
        verbose_name_plural = _("previsões de nota")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.predicted_score} ({self.get_moment_display()})"
