from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """Per-user preferences shared by every area (the study settings live in srs)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(_("idioma"), max_length=10, choices=settings.LANGUAGES, blank=True)
    # The day the learner sits the exam: the progress app plans and forecasts for it.
    exam_date = models.DateField(_("data do exame"), null=True, blank=True)

    class Meta:
        verbose_name = _("perfil")
        verbose_name_plural = _("perfis")

    def __str__(self) -> str:
        return str(self.user)
