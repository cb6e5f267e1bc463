from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QiyueConfig(AppConfig):
    name = "qiyue"
    verbose_name = _("Qiyue")
