"""Rendered pages for visitors who are not logged in, kept in the cache.

The busiest minute of the portal is the one after an invitation goes out: many people open the
same meeting page at once, most of them before they log in. Those pages are the same for every
anonymous visitor of one language, so they are rendered once and served from the cache until
anything they show changes.

Correctness over hits: a page is served from the cache only to a visitor without a session or
pending messages, for a plain GET without a query string, and stored only when it is a 200 that
set no cookie and used no CSRF token. Every change to what such a page shows calls
`anonymous_pages_changed()` (the apps connect it to their models' saves and call it where they
update rows in bulk), which retires every stored page at once; a page also expires after
`PAGE_TTL` seconds. A seat count on a cached page is therefore at most one commit old, and the
register action decides on the seat and says what it decided.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

PAGE_TTL = 300
VERSION_KEY = "anonymous-pages:version"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def anonymous_pages_changed() -> None:
    """Retire every stored page: now (this request's own next page is fresh) and again after
    the surrounding transaction commits (a page rendered meanwhile from the old rows is not
    kept under the new version)."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


def _key(request: HttpRequest, version: str) -> str:
    path = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    return f"anonymous-page:{version}:{request.LANGUAGE_CODE}:{path}"


def cached_for_anonymous(view: Callable) -> Callable:
    """Serve the view's page to anonymous visitors from the cache (see the module's doc)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # The version is read before the page is rendered: a page rendered from rows older than
        # the latest change is stored under a version nobody asks for any more.
        version = cache.get(VERSION_KEY)
        if version is None:
            _new_version()
            version = cache.get(VERSION_KEY)
        key = _key(request, version)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            cache.set(key, (response.content, response["Content-Type"]), PAGE_TTL)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
