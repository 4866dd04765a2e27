from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_office_group(sender, **kwargs):
    # Permissions only exist after post_migrate created them, so the group follows them here.
    from members.services import office_group_sync

    office_group_sync()


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        post_migrate.connect(_sync_office_group, dispatch_uid="members_office_group")

        from members.privacy import register_privacy

        register_privacy()
