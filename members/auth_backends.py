"""Authentication backends: Django's and allauth's, loading a person with their organisation.

Nearly every page asks whether the person belongs to an active member organisation
(`User.is_member`); loading the organisation with the person saves that query on every request.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from members.models import User


class _WithOrganization:
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organization").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PortalModelBackend(_WithOrganization, ModelBackend):
    """Django's backend (sessions made by `login(..., backend=...)` and the test client)."""


class PortalAuthenticationBackend(_WithOrganization, AuthenticationBackend):
    """allauth's backend (the login form: by e-mail address, with its rate limits)."""
