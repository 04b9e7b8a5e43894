from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategiesConfig(AppConfig):
    name = "strategies"
    verbose_name = _("Strategy projects")

    def ready(self):
        # Importing the step modules registers their editable row kinds.
        from . import content_changes
        from .wizard import steps  # noqa: F401

        content_changes.connect()
