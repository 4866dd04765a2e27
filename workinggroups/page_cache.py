"""What retires the anonymous meeting and group pages kept in the cache (optonet.page_cache).

Those pages show working groups, their moderators' names, meetings, seat counts and documents:
a save or delete of any of these retires every stored page. Services that update such rows in
bulk (`QuerySet.update`, which sends no signal) call `anonymous_pages_changed` themselves.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from optonet.page_cache import anonymous_pages_changed


def _changed(sender, **kwargs) -> None:
    anonymous_pages_changed()


def _person_changed(sender, update_fields=None, **kwargs) -> None:
    # A login only stamps last_login, which no page shows.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    anonymous_pages_changed()


def connect() -> None:
    from members.models import User
    from workinggroups.models import (
        Meeting,
        MeetingDocument,
        Moderation,
        Registration,
        WorkingGroup,
    )

    for model in (WorkingGroup, Moderation, Meeting, Registration, MeetingDocument):
        uid = f"anonymous-pages:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete")
    post_save.connect(_person_changed, sender=User, dispatch_uid="anonymous-pages:person")
    post_delete.connect(_changed, sender=User, dispatch_uid="anonymous-pages:person:delete")
