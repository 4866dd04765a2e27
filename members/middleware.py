"""Request-wide rules about people: their preferred language, and TOTP for office staff."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.utils import translation


class UserLanguageMiddleware:
    """Use a signed-in person's preferred language unless they picked one with the switcher."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if settings.MFA_REQUIRED_FOR_STAFF and user is not None and user.is_authenticated:
            response = self._require_totp_for_staff(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _require_totp_for_staff(request, user):
        if not user.is_staff or not request.path.startswith("/admin/"):
            return None
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        return redirect("mfa_activate_totp")
