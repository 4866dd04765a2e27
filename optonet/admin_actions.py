"""Shared plumbing for admin actions that call a service once per selected row."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError


def apply_to_each(
    model_admin: ModelAdmin,
    request,
    rows: Iterable,
    action: Callable,
    done_message: str,
) -> int:
    """Run `action(row)` for every row; a refused row is reported by name and the others go on.

    `done_message` is a translated string with a `%(count)d` placeholder.
    """
    done = 0
    for row in rows:
        try:
            action(row)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            model_admin.message_user(request, f"{row}: {text}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    return done
