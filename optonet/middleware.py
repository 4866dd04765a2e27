"""Response headers that hold for the whole portal: browser features it never uses, and no
caching of anything personal."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

# The portal uses none of these; a page (or injected content) cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
PERSONAL_PREFIXES = ("/me/", "/workspace/", "/calendar/", "/reports/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if self._is_personal(request, response):
            # Not in the browser's cache, not in a proxy's: a shared computer keeps nothing.
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _is_personal(request, response) -> bool:
        """Own pages, the moderators' workspace, feeds, the growth report (questionnaire,
        report, benchmark sheets) and every download (attendee lists, data export, documents,
        calendar files)."""
        return (
            request.path.startswith(PERSONAL_PREFIXES)
            or response.get("Content-Disposition", "").startswith("attachment")
            or response.get("Content-Type", "").startswith("text/calendar")
        )
