"""Project-wide pages: home, imprint, privacy, and the health check."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from members import selectors as member_selectors
from optonet.http import allow_methods
from reports import selectors as report_selectors
from workinggroups import selectors as group_selectors
from workinggroups.models import Follow
from workinggroups.selectors import group_list_for_overview

logger = logging.getLogger(__name__)

# The start page lists this many next meetings; "My meetings" has them all.
START_PAGE_MEETINGS = 5


def home(request: HttpRequest) -> HttpResponse:
    """For visitors the portal's front page; for a logged-in person their start page."""
    if not request.user.is_authenticated:
        return render(request, "pages/home.html", {"working_groups": group_list_for_overview()})
    response = render(request, "pages/home.html", _start_page(request.user))
    add_never_cache_headers(response)  # personal: a shared computer keeps nothing
    return response


def _start_page(person) -> dict:
    """What a logged-in person has going on: a fixed number of queries however much it is."""
    upcoming, _past = group_selectors.my_meetings(person)
    total_upcoming = len(upcoming)
    upcoming = upcoming[:START_PAGE_MEETINGS]
    # Each carries `waitlist_place` (see the selector); titles as the visibility rule allows.
    group_selectors.with_visibility(
        [registration.meeting for registration in upcoming], group_selectors.viewer_for(person)
    )
    # A group that was closed has no page any more.
    follows = [f for f in group_selectors.groups_followed_by(person) if f.group.is_active]
    survey_round = report_selectors.open_round()
    if not (
        survey_round
        and survey_round.takes_answers
        and person.organization_id
        and report_selectors.may_answer_for(person, person.organization)
    ):
        survey_round = None
    office = member_selectors.is_office_staff(person)
    coordinates = person.is_organization_coordinator and person.is_member
    return {
        "start_page": True,
        "upcoming": upcoming,
        "more_upcoming": total_upcoming - len(upcoming),
        "follows": follows,
        "pending_follows": [f for f in follows if f.state == Follow.State.PENDING],
        "pending_link_request": member_selectors.pending_link_request(person),
        "survey_round": survey_round,
        # Moderators' and the office's: requests to join their groups.
        "groups_to_decide": group_selectors.groups_with_pending_follows(person),
        "colleague_requests": (
            member_selectors.pending_link_requests_for_coordinator(person).count()
            if coordinates
            else 0
        ),
        "office": office,
    }


@never_cache
@allow_methods("GET", "HEAD")
def switch_language(request: HttpRequest, language: str) -> HttpResponse:
    """The language switcher is a pair of links (no form, no CSRF token in the page, so that
    a visitor's page can be served from the cache): remember the language in its cookie and
    go back to the page, on this site only."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def imprint(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/imprint.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html", {"version": settings.PRIVACY_POLICY_VERSION})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        logger.warning("healthz: database check failed: %s", exc)
        return "unavailable"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:
        logger.warning("healthz: redis check failed: %s", exc)
        return "unavailable"
    return "ok"


@never_cache
@allow_methods("GET", "HEAD")
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
