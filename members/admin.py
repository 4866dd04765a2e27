"""The office's back office for organisations, people, link requests and office contacts."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import (
    AuditEvent,
    Consent,
    LinkRequest,
    OfficeContact,
    Organization,
    OrganizationDomain,
    User,
)
from members.selectors import may_administer_account
from optonet.admin_actions import apply_to_each


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 1


class PersonInline(admin.TabularInline):
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
class OrganizationAdmin(admin.ModelAdmin):
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


class LinkStateFilter(admin.SimpleListFilter):
    title = _("link state")
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Linked to an organisation")),
            ("no", _("Not linked")),
            ("pending", _("Request pending")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(organization__isnull=False)
        if self.value() == "no":
            return queryset.filter(organization__isnull=True)
        if self.value() == "pending":
            return queryset.filter(link_requests__state=LinkRequest.State.PENDING)
        return queryset


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["kind", "version", "given_at", "withdrawn_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organization",
        "function",
        "is_organization_coordinator",
        "is_staff",
        "is_active",
    ]
    list_select_related = ["organization"]
    list_filter = [
        LinkStateFilter,
        ("organization", admin.RelatedOnlyFieldListFilter),
        "function",
        "is_staff",
        "is_organization_coordinator",
        "follows__group",
        "moderations__group",
        "organization__status",
    ]
    search_fields = ["email", "first_name", "last_name", "organization__name"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["last_login", "date_joined", "created", "updated", "anonymised_at"]
    inlines = [ConsentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Person"),
            {
                "fields": [
                    "title",
                    "first_name",
                    "last_name",
                    "job_title",
                    "function",
                    "phone",
                    "language",
                ]
            },
        ),
        (_("Membership"), {"fields": ["organization", "is_organization_coordinator"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (
            _("Dates"),
            {"fields": ["last_login", "date_joined", "created", "updated", "anonymised_at"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "organization",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    filter_horizontal = ["groups"]
    # Who may grant roles: only superusers. Office staff manage people, not privileges.
    privilege_fields = ["is_staff", "is_superuser", "groups"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.privilege_fields
        return fields

    def has_change_permission(self, request, obj=None):
        # Covers the password form too: Django's UserAdmin asks this before changing one.
        if obj is not None and not may_administer_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_administer_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        # The same erasure as "Delete my account": seats freed, past counts kept.
        services.person_delete(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            services.person_delete(user=person, actor=request.user)


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "object_repr"]
    list_select_related = ["actor"]
    list_filter = ["action"]
    search_fields = ["action", "object_repr", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccountGuardMixin:
    """Admins of login data (addresses, authenticators) of other apps: rows of accounts the
    acting person may not administer (see `may_administer_account`) cannot be changed, deleted,
    created or acted upon."""

    def _guarded(self, request, obj) -> bool:
        return obj is not None and not may_administer_account(request.user, obj.user)

    def has_change_permission(self, request, obj=None):
        return not self._guarded(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._guarded(request, obj) and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        class GuardedForm(form):
            def clean(self):
                cleaned = super().clean()
                target = cleaned.get("user")
                if target is not None and not may_administer_account(actor, target):
                    self.add_error(
                        "user",
                        _("Only a superuser may change the login of staff or superusers."),
                    )
                return cleaned

        return GuardedForm

    def get_actions(self, request):
        # Bulk actions (e.g. "mark verified") would bypass the per-row check above.
        actions = super().get_actions(request)
        return actions if request.user.is_superuser else {}


def _guard_registered_admin(model) -> None:
    """Re-register a third-party ModelAdmin with the account guard mixed in."""
    original = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(
        model, type(f"Guarded{original.__name__}", (AccountGuardMixin, original), {})
    )


_guard_registered_admin(EmailAddress)
_guard_registered_admin(Authenticator)
