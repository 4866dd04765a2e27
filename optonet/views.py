"""Project-wide pages: home, imprint, privacy, and the health check."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workinggroups.selectors import group_list_for_overview

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"working_groups": group_list_for_overview()})


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
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
