"""The audit trail in the admin, and the registry of readable names for its action codes.

Services record actions by code (`members.person.merged`). Each app names its codes next to its
admin with `register_audit_actions`; the audit trail shows those names (in the reader's
language) in its list, its filter and its detail page, and a code nobody named as it is. The
audit trail never imports the apps it serves.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.apps import apps
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import AuditEvent

_action_labels: dict[str, str] = {}


def register_audit_actions(labels: Mapping[str, str]) -> None:
    """Name audit action codes for the office: `{code: gettext_lazy("…")}`.

    Call it at import time of the app's admin module; a code registered twice keeps the
    later name."""
    _action_labels.update(labels)


def audit_action_label(code: str) -> str:
    """The readable, translated name of an action code; the code itself if nobody named it."""
    label = _action_labels.get(code)
    return str(label) if label is not None else code


register_audit_actions(
    {
        "members.contact.created": _("Contact created"),
        "members.contact.activation_sent": _("Activation e-mail sent"),
        "members.contact.activated": _("Contact activated their login"),
        "members.contact.claimed_by_signup": _("Contact taken over by a sign-up"),
        "members.contacts.imported": _("Contacts imported"),
        "members.contacts.exported": _("Contacts exported"),
        "members.organizations.imported": _("Organisations imported"),
        "members.organizations.exported": _("Organisations exported"),
        "members.organization.membership_ended": _("Membership ended"),
        "members.link_request.approved": _("Link request approved"),
        "members.link_request.rejected": _("Link request rejected"),
        "members.person.signed_up": _("Signed up"),
        "members.person.privacy_accepted": _("Privacy policy accepted"),
        "members.person.linked_by_domain": _("Linked to an organisation by e-mail domain"),
        "members.person.objected": _("Objected to e-mail"),
        "members.person.data_exported": _("Own data downloaded"),
        "members.person.merged": _("Two records of a person merged"),
        "members.person.deleted": _("Person deleted"),
    }
)


class AuditActionFilter(admin.SimpleListFilter):
    """The actions that occur, by their names (sorted as the reader reads them)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(
            ((code, audit_action_label(code)) for code in codes), key=lambda c: c[1].casefold()
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action_label", "actor", "object_repr"]
    list_select_related = ["actor"]
    list_filter = [AuditActionFilter]
    search_fields = ["action", "object_repr", "actor__email"]
    date_hierarchy = "at"
    fields = [
        "at",
        "action_label",
        "action",
        "actor",
        "object_kind",
        "object_id",
        "object_repr",
        "data",
    ]
    readonly_fields = ["action_label", "object_kind"]

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return audit_action_label(obj.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_kind(self, obj):
        if not obj.object_type:
            return "–"
        try:
            model = apps.get_model(obj.object_type)
        except (LookupError, ValueError):
            return obj.object_type
        return capfirst(model._meta.verbose_name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
