from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkingGroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workinggroups"
    verbose_name = _("Working groups")

    def ready(self) -> None:
        from members import lifecycle
        from workinggroups.services import registrations_release_for_ended_membership

        lifecycle.on_membership_ended(registrations_release_for_ended_membership)

        from workinggroups.privacy import register_privacy

        register_privacy()

        from mailings.registry import register_renderer
        from workinggroups import emails

        register_renderer(emails.REGISTRATION_RENDERER, emails.render_registration_messages)
        register_renderer(emails.INVITATION_RENDERER, emails.render_invitations)

        from workinggroups import page_cache

        page_cache.connect()
