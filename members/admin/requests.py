"""Link requests and office contacts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import LinkRequest, OfficeContact
from optonet.admin_actions import apply_to_each


@admin.register(LinkRequest)
class LinkRequestAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "user_email",
        "organization",
        "organization_name",
        "state",
        "created_at",
        "decided_by",
    ]
    list_select_related = ["user", "organization", "decided_by"]
    list_filter = ["state", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__last_name", "organization__name", "organization_name"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["user", "state", "created_at", "decided_by", "decided_at"]
    actions = ["approve", "reject"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    @admin.action(
        description=_("Approve selected requests (link and notify)"), permissions=["change"]
    )
    def approve(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.filter(state=LinkRequest.State.PENDING),
            lambda lr: services.link_request_approve(link_request_id=lr.pk, actor=request.user),
            _("%(count)d request(s) approved."),
        )

    @admin.action(description=_("Reject selected requests (and notify)"), permissions=["change"])
    def reject(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.filter(state=LinkRequest.State.PENDING),
            lambda lr: services.link_request_reject(link_request_id=lr.pk, actor=request.user),
            _("%(count)d request(s) rejected."),
        )


@admin.register(OfficeContact)
class OfficeContactAdmin(admin.ModelAdmin):
    list_display = ["name", "role_de", "role_en", "phone", "email", "groups_count"]
    search_fields = ["name", "role_de", "role_en"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(groups_total=Count("working_groups"))

    @admin.display(description=_("working groups"), ordering="groups_total")
    def groups_count(self, obj):
        return obj.groups_total
