"""Login data of other apps (allauth's addresses, authenticators) under the account rule."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from members.admin.filters import titled_filter
from members.selectors import may_administer_account


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


class AuthenticatorLabels:
    """allauth's authenticator fields have no verbose names: columns, filters and form labels
    in the office's language (its model, and so its migrations, stay allauth's)."""

    list_display = ["person", "kind", "created", "last_used"]
    list_select_related = ["user"]
    list_filter = [
        ("type", titled_filter(admin.ChoicesFieldListFilter, _("type"))),
        ("created_at", titled_filter(admin.DateFieldListFilter, _("created"))),
        ("last_used_at", titled_filter(admin.DateFieldListFilter, _("last used"))),
    ]
    labels = {
        "user": _("person"),
        "type": _("type"),
        "data": _("data"),
        "created_at": _("created"),
        "last_used_at": _("last used"),
    }

    @admin.display(description=_("person"), ordering="user")
    def person(self, obj):
        return obj.user

    @admin.display(description=_("type"), ordering="type")
    def kind(self, obj):
        return obj.get_type_display()

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("labels", self.labels)
        return super().get_form(request, obj, **kwargs)


def _guard_registered_admin(model, *extras: type) -> None:
    """Re-register a third-party ModelAdmin with the account guard (and `extras`) mixed in."""
    original = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(
        model, type(f"Guarded{original.__name__}", (AccountGuardMixin, *extras, original), {})
    )


_guard_registered_admin(EmailAddress)
_guard_registered_admin(Authenticator, AuthenticatorLabels)
