"""Request-wide rules about people: their preferred language, and TOTP for office staff."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from members.selectors import staff_session_verified


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
        """Staff without a second factor in this session: set one up, or confirm it now."""
        if not user.is_staff or request.path.startswith(cls.TOTP_EXEMPT_PREFIXES):
            return None
        if staff_session_verified(request):
            return None
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            # Enrolled after this session's login (or logged in elsewhere without the code):
            # allauth's MFA reauthentication records the second factor in the session.
            target = reverse("mfa_reauthenticate")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return redirect("mfa_activate_totp")


class PrivacyAcceptanceMiddleware:
    """Contacts the office created or imported have not accepted the privacy policy: at their
    first login (and until they do) every page asks for it first."""

    EXEMPT_PREFIXES = (
        "/accounts/",
        "/me/privacy/",
        "/privacy/",
        "/imprint/",
        "/static/",
        "/i18n/",
        "/healthz",
        "/objection/",
        "/welcome/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from members.selectors import needs_privacy_acceptance

        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and needs_privacy_acceptance(user)
        ):
            target = reverse("members:privacy_accept")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
