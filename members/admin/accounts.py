"""Login data of other apps (allauth's addresses, authenticators) under the account rule."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


def _guard_registered_admin(model) -> None:
    """Re-register a third-party ModelAdmin with the account guard mixed in."""
    original = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(
        model, type(f"Guarded{original.__name__}", (AccountGuardMixin, original), {})
    )


_guard_registered_admin(EmailAddress)
_guard_registered_admin(Authenticator)
