"""Progress read model: readiness prediction snapshots (derived data).

The daily review roll-ups the dashboard reads belong to the srs app (``srs.rollups``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
