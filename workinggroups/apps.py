from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkingGroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workinggroups"
    verbose_name = _("Working groups")
