"""Merging two records of the same human (an imported contact and a sign-up, say)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_office_staff
from members.services.audit import audit_log


@transaction.atomic
def person_merge(*, keep: User, duplicate: User, actor: User) -> User:
    """`duplicate` becomes part of `keep`: every app of the privacy registry moves what it holds
    (follows, registrations, consents, responses, audit history, e-mails sent), then the
    duplicate record is deleted. Recorded in the audit trail."""
    from optonet import privacy

    if not is_office_staff(actor):
        raise PermissionDenied
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Choose two different people."), code="same_person")
    if (duplicate.is_staff or duplicate.is_superuser) and not actor.is_superuser:
        raise PermissionDenied
    # A fixed lock order: two merges of the same pair cannot deadlock.
    locked = {
        p.pk: p
        for p in User.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    summary = {"duplicate_id": duplicate.pk, "duplicate_source": duplicate.source}
    privacy.merge_people(keep, duplicate)
    audit_log(actor=actor, action="members.person.merged", obj=keep, **summary)
    return keep
