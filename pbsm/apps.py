from django.apps import AppConfig


class PbsmConfig(AppConfig):
    """The project package as an app, only so that its signal receivers are connected at start."""

    name = "pbsm"
    verbose_name = "pbsm workbench"

    def ready(self):
        # The sign-in mark must be set by the first login of the process, before any middleware loads.
        from . import middleware  # noqa: F401
