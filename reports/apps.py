from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Growth report")

    def ready(self) -> None:
        from reports.privacy import register_privacy

        register_privacy()
