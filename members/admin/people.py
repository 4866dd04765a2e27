"""People: members with a login and contacts without one; import, export, activation, merging."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import RelatedFieldListFilter
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from members import services
from members.admin.filters import titled_filter
from members.admin.transfer import PortalImportExportMixin
from members.models import Consent, LinkRequest, User
from members.resources import ContactResource
from members.selectors import may_administer_account
from optonet.admin_labels import LabelledTabularInline


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


class ConsentInline(LabelledTabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["kind", "version", "given_at", "withdrawn_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PersonCreationForm(AdminUserCreationForm):
    """Django's form for adding a person, with its choice of a login in the office's words
    (Django's German catalog lacks them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice = self.fields.get("usable_password")
        if choice is not None:
            choice.label = _("Password-based authentication")
            choice.choices = [("true", _("Enabled")), ("false", _("Disabled"))]
            choice.help_text = _(
                "Whether the person logs in with a password. Without one, the person is a "
                "contact: invited and counted all the same."
            )


class LoginFilter(admin.SimpleListFilter):
    title = _("login")
    parameter_name = "login"

    def lookups(self, request, model_admin):
        return [
            ("contact", _("Contact only (no login)")),
            ("unverified", _("Login, address not verified")),
            ("verified", _("Login, address verified")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "contact":
            return queryset.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        with_login = queryset.exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        if self.value() == "unverified":
            return with_login.filter(has_verified_address=False)
        if self.value() == "verified":
            return with_login.filter(has_verified_address=True)
        return queryset


@admin.register(User)
class UserAdmin(PortalImportExportMixin, DjangoUserAdmin):
    resource_classes = [ContactResource]
    transfer_label = "contacts"
    add_form = PersonCreationForm
    ordering = ["last_name", "first_name"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organization",
        "login",
        "function",
        "roles",
        "is_staff",
        "is_active",
    ]
    actions = ["send_activation", "merge_two"]
    list_select_related = ["organization"]
    list_filter = [
        LoginFilter,
        "source",
        LinkStateFilter,
        ("organization", admin.RelatedOnlyFieldListFilter),
        "function",
        "is_staff",
        "is_organization_coordinator",
        ("follows__group", titled_filter(RelatedFieldListFilter, _("working group followed"))),
        (
            "moderations__group",
            titled_filter(RelatedFieldListFilter, _("working group moderated")),
        ),
        "organization__status",
    ]
    search_fields = ["email", "first_name", "last_name", "organization__name"]
    autocomplete_fields = ["organization"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "created",
        "updated",
        "anonymised_at",
        "source",
        "objected_at",
    ]
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
        (
            _("Membership"),
            {"fields": ["organization", "is_organization_coordinator", "is_main_contact"]},
        ),
        (_("Contact"), {"fields": ["source", "objected_at"]}),
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
                    "usable_password",
                    "password1",
                    "password2",
                ],
                "description": _(
                    "For a contact without a login choose “Password-based authentication: "
                    "Disabled”; the person can get a login later (“Send activation e-mail”, "
                    "or by signing up with the same address)."
                ),
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

    def get_queryset(self, request):
        from allauth.account.models import EmailAddress

        verified = EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)
        return super().get_queryset(request).annotate(has_verified_address=Exists(verified))

    @admin.display(description=_("login"))
    def login(self, obj):
        if not obj.has_usable_password():
            return _("Contact only")
        if getattr(obj, "has_verified_address", False):
            return _("Login, verified")
        return _("Login, not verified")

    @admin.display(description=_("roles"))
    def roles(self, obj):
        names = []
        if obj.is_main_contact:
            names.append(_("main contact"))
        if obj.is_organization_coordinator:
            names.append(_("coordinator"))
        return ", ".join(str(n) for n in names) or "–"

    def save_model(self, request, obj, form, change):
        if not change and not obj.has_usable_password():
            obj.source = User.Source.OFFICE
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send “activate your access” e-mail"), permissions=["change"])
    def send_activation(self, request, queryset):
        sent = sum(
            services.contact_send_activation(person=person, actor=request.user)
            for person in queryset
        )
        self.message_user(
            request,
            _("%(count)d activation e-mail(s) queued; people with a login were skipped.")
            % {"count": sent},
            messages.SUCCESS,
        )

    @admin.action(description=_("Merge two records of the same person…"), permissions=["change"])
    def merge_two(self, request, queryset):
        """An intermediate page: which record to keep; then everything of the other moves."""
        from django.core.exceptions import ValidationError
        from django.template.response import TemplateResponse

        people = list(queryset.select_related("organization")[:3])
        if len(people) != 2:
            self.message_user(
                request, _("Please select exactly two people to merge."), messages.WARNING
            )
            return None
        keep_id = request.POST.get("keep")
        if keep_id in {str(p.pk) for p in people} and request.POST.get("confirm"):
            keep = next(p for p in people if str(p.pk) == keep_id)
            duplicate = next(p for p in people if p.pk != keep.pk)
            try:
                services.person_merge(keep=keep, duplicate=duplicate, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                _("Merged: %(duplicate)s is now part of %(keep)s.")
                % {"duplicate": duplicate.email, "keep": keep.email},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/members/user/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge two records of the same person"),
                "opts": self.model._meta,
                "people": people,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
