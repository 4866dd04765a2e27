"""Access rules for views: member-only and staff-only pages say so here, never by hiding links."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from members.selectors import is_office_staff


def member_required(view):
    """Logged in and linked to an active member organisation (or office staff)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_member or is_office_staff(user)):
            return render(request, "members/not_linked.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def office_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_office_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
