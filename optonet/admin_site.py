"""The office's admin site: no login form of its own, and only for sessions that passed MFA.

Django's admin ships its own login form, which knows nothing of allauth's rate limits and
two-factor stage. Every login therefore goes through allauth, and the admin additionally refuses
a staff session that did not pass the second factor where `MFA_REQUIRED_FOR_STAFF` is on.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("OptoNet office")
    site_title = _("OptoNet office")
    index_title = _("Back office")

    def has_permission(self, request) -> bool:
        from members.selectors import staff_session_verified

        return super().has_permission(request) and staff_session_verified(request)

    def login(self, request, extra_context=None):
        """Send everybody to allauth's login (rate limits, MFA stage), then back here."""
        if request.user.is_authenticated:
            # Signed in but not allowed here: a 403, not a redirect loop through the login page.
            raise PermissionDenied
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        return redirect_to_login(target or reverse("admin:index"), reverse("account_login"))
