"""Following working groups: at once for open groups, by approval for the others."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_member, is_office_staff
from members.services import audit_log
from workinggroups.models import Follow, Registration, WorkingGroup
from workinggroups.selectors import is_moderator_of
from workinggroups.services.notifications import notify_follow_decision
from workinggroups.services.registrations import registrations_cancel_future


@transaction.atomic
def group_follow(*, group: WorkingGroup, user: User) -> Follow:
    """Follow a group: at once for open groups, as a request for groups joined by approval."""
    if not is_member(user):
        raise ValidationError(
            _("Only people of member organisations can follow working groups."), code="not_a_member"
        )
    # A confidential circle is joined by approval whatever its policy says.
    state = (
        Follow.State.ACTIVE
        if group.join_policy == WorkingGroup.JoinPolicy.OPEN and not group.confidential
        else Follow.State.PENDING
    )
    follow, created = Follow.objects.get_or_create(
        group=group, user=user, defaults={"state": state}
    )
    if created:
        audit_log(actor=user, action="workinggroups.follow.created", obj=group, state=state)
    return follow


@transaction.atomic
def follow_add(*, group: WorkingGroup, person: User, actor: User) -> Follow:
    """The office or a moderator adds a person to a group's followers — a contact without a
    login too — so that invitations, reminders and attendee lists include them."""
    if not (is_office_staff(actor) or is_moderator_of(actor, group.pk)):
        raise PermissionDenied
    if not is_member(person):
        raise ValidationError(
            _("Only people of member organisations can follow working groups."), code="not_a_member"
        )
    follow, created = Follow.objects.get_or_create(
        group=group,
        user=person,
        defaults={"state": Follow.State.ACTIVE, "decided_by": actor, "decided_at": timezone.now()},
    )
    if not created and follow.state != Follow.State.ACTIVE:
        follow.state, follow.decided_by, follow.decided_at = (
            Follow.State.ACTIVE,
            actor,
            timezone.now(),
        )
        follow.save(update_fields=["state", "decided_by", "decided_at"])
    audit_log(actor=actor, action="workinggroups.follow.added", obj=group, user_id=person.pk)
    return follow


@transaction.atomic
def group_unfollow(*, group: WorkingGroup, user: User, actor: User | None = None) -> None:
    """End a follow: the person unfollows, or the office or a moderator removes them.

    Whoever leaves a confidential circle (or is removed from it) loses their future seats in
    its meetings at once, and with them agenda, venue and link; the waiting list moves up."""
    actor = actor or user
    if actor.pk != user.pk and not (is_office_staff(actor) or is_moderator_of(actor, group.pk)):
        raise PermissionDenied
    deleted, _rows = Follow.objects.filter(group=group, user=user).delete()
    if not deleted:
        return
    audit_log(actor=actor, action="workinggroups.follow.deleted", obj=group, user_id=user.pk)
    if group.confidential:
        registrations_cancel_future(
            registrations=Registration.objects.filter(user=user, meeting__group=group),
            actor=actor,
            reason="left_confidential_circle",
        )


@transaction.atomic
def follow_approve(*, follow_id: int, actor: User) -> Follow:
    follow = (
        Follow.objects.select_for_update(of=("self",))
        .select_related("group", "user")
        .get(pk=follow_id)
    )
    if not (is_office_staff(actor) or is_moderator_of(actor, follow.group_id)):
        raise PermissionDenied
    if follow.state != Follow.State.ACTIVE:
        follow.state = Follow.State.ACTIVE
        follow.decided_by = actor
        follow.decided_at = timezone.now()
        follow.save(update_fields=["state", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="workinggroups.follow.approved",
            obj=follow.group,
            user_id=follow.user_id,
        )
        notify_follow_decision(person=follow.user, group=follow.group, approved=True)
    return follow


@transaction.atomic
def follow_reject(*, follow_id: int, actor: User) -> None:
    """Decline a request to join: the request is removed; the person may ask again later."""
    follow = (
        Follow.objects.select_for_update(of=("self",))
        .select_related("group", "user")
        .get(pk=follow_id)
    )
    if not (is_office_staff(actor) or is_moderator_of(actor, follow.group_id)):
        raise PermissionDenied
    if follow.state != Follow.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    audit_log(
        actor=actor,
        action="workinggroups.follow.rejected",
        obj=follow.group,
        user_id=follow.user_id,
    )
    notify_follow_decision(person=follow.user, group=follow.group, approved=False)
    follow.delete()
