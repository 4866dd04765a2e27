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

    # Where staff may go before TOTP is set up: the account pages (to set it up) and the like.
    TOTP_EXEMPT_PREFIXES = (
        "/accounts/",
        "/static/",
        "/i18n/",
        "/healthz",
        "/imprint/",
        "/privacy/",
    )

    @classmethod
    def _require_totp_for_staff(cls, request, user):
        if not user.is_staff or request.path.startswith(cls.TOTP_EXEMPT_PREFIXES):
            return None
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        return redirect("mfa_activate_totp")
