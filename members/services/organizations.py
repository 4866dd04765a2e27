"""Organisations and their membership: what ends when a membership ends."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from members.models import Organization, User
from members.services.audit import audit_log


def organization_membership_changed(*, organization: Organization, actor: User | None) -> int:
    """After the office changed an organisation's membership (status or end date): when it has
    ended, or ends at a set date, the apps registered in `members.lifecycle` withdraw what its
    people may no longer have (future seats). Returns how many things were withdrawn."""
    from members import lifecycle

    if organization.is_active_member and not organization.member_until:
        return 0
    withdrawn = lifecycle.run_membership_ended(organization_id=organization.pk, actor=actor)
    if withdrawn:
        audit_log(
            actor=actor,
            action="members.organization.membership_ended",
            obj=organization,
            withdrawn=withdrawn,
        )
    return withdrawn


def memberships_ended_by_date() -> int:
    """Nightly: memberships whose end date has passed take effect like an ended status."""
    today = timezone.localdate()
    ended = Organization.objects.filter(
        models.Q(status=Organization.Status.ENDED) | models.Q(member_until__lt=today)
    )
    return sum(organization_membership_changed(organization=o, actor=None) for o in ended)
