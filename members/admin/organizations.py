"""Organisations and their e-mail domains, with import and export for the office."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from members import services
from members.admin.transfer import PortalImportExportMixin
from members.models import Organization, OrganizationDomain, User
from members.resources import OrganizationResource
from optonet.admin_labels import LabelledTabularInline


class OrganizationDomainInline(LabelledTabularInline):
    model = OrganizationDomain
    extra = 1


class PersonInline(LabelledTabularInline):
    model = User
    fk_name = "organization"
    fields = [
        "email",
        "first_name",
        "last_name",
        "job_title",
        "function",
        "is_organization_coordinator",
    ]
    readonly_fields = ["email"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(PortalImportExportMixin, admin.ModelAdmin):
    resource_classes = [OrganizationResource]
    transfer_label = "organizations"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "kind",
        "city",
        "status",
        "member_since",
        "member_until",
        "people_count",
    ]
    list_filter = ["status", "kind", "city"]
    search_fields = ["name", "city", "domains__domain"]
    inlines = [OrganizationDomainInline, PersonInline]
    autocomplete_fields = ["survey_contact"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_total=Count("people", distinct=True))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"status", "member_until"} & set(form.changed_data):
            withdrawn = services.organization_membership_changed(
                organization=obj, actor=request.user
            )
            if withdrawn:
                self.message_user(
                    request,
                    _("The membership has ended: %(count)d future registration(s) cancelled.")
                    % {"count": withdrawn},
                )

    @admin.display(description=_("people"), ordering="people_total")
    def people_count(self, obj):
        return obj.people_total
