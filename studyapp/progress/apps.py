from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "studyapp.progress"
    label = "progress"
    verbose_name = _("Progresso")

    def ready(self):
        from . import dashboard_cache

        dashboard_cache.connect()
