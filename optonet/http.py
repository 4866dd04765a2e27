"""HTTP methods without dead ends.

An action of the portal is a form sent with POST. A GET to its address is no attack and no
error of the person's: it is where the login redirect lands when the session ran out between
loading a page and pressing its button, a link copied from the address bar, a reload. So a GET
leads back to the page where the action can be done, with a message (a HEAD too, without one);
any other method gets the 405 page in the portal's layout instead of an empty answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

SAFE_METHODS = ("GET", "HEAD")
NOTHING_DONE_YET = gettext_lazy("Nothing has been changed yet: please use the form on this page.")


def method_not_allowed(request: HttpRequest, permitted: Iterable[str]) -> HttpResponse:
    """The 405 page in the portal's layout, with the `Allow` header HTTP asks for."""
    permitted = list(permitted)
    response = render(request, "405.html", status=405)
    response["Allow"] = ", ".join(permitted)
    return response


def allow_methods(*permitted: str) -> Callable:
    """Like Django's `require_http_methods`, but a refused method gets the 405 page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in permitted:
                return method_not_allowed(request, permitted)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def post_only(fallback: str, message: str = NOTHING_DONE_YET) -> Callable:
    """Replaces `require_POST` on an action: GET and HEAD are redirected to `fallback` (the page
    with the action's button) with `message`; other methods but POST get the 405 page.

    `fallback` is a URL name. It is reversed with the view's URL keyword arguments when it takes
    them (GET /meetings/5/register/ → /meetings/5/ for "workinggroups:meeting_detail"), else
    with none (GET /workspace/follows/7/ → /workspace/). `message` is best a lazy translation:
    it is shown in the person's language of the moment.

        @login_required
        @post_only("workinggroups:meeting_detail", gettext_lazy("Please confirm …"))
        def meeting_register(request, pk): ...

    Put it beneath the login decorators, so that a person who is not logged in logs in first
    and then lands on the page.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in SAFE_METHODS:
                if request.method == "GET":  # a HEAD shows nothing: no message for later
                    messages.info(request, message)
                return redirect(fallback_url(fallback, kwargs))
            return method_not_allowed(request, ["POST"])

        return wrapper

    return decorator


def fallback_url(name: str, kwargs: dict) -> str:
    if kwargs:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            pass
    return reverse(name)


class MethodNotAllowedPageMiddleware:
    """The 405 page for the answers nobody wrote a page for: Django's `require_*` decorators
    and class-based views (allauth's, the admin's) return an empty 405. This one gives them the
    portal's page and keeps their `Allow` header. Register it last in MIDDLEWARE, so that the
    page has the person, their language and their messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False) or response.content:
            return response
        permitted = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        return method_not_allowed(request, permitted)
