from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SrsConfig(AppConfig):
    name = "studyapp.srs"
    label = "srs"
    verbose_name = _("Estudo")
