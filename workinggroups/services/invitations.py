"""Invitation campaigns to a meeting, and what the links in an invitation do: register with one
click (after a confirmation page) and stop following the group (RFC 8058 one-click)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailings.services import NewMessage, outbox_enqueue_many
from members.models import User
from members.services import audit_log
from workinggroups.emails import (
    INVITATION_RENDERER,
    REGISTER_SALT,
    UNSUBSCRIBE_SALT,
)
from workinggroups.models import Campaign, Invitation, Meeting, Registration, WorkingGroup
from workinggroups.selectors.invitations import Audience, invitation_audience
from workinggroups.services.follows import group_unfollow
from workinggroups.services.registrations import registration_create


def _check_invitable(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.PUBLISHED:
        raise ValidationError(_("Only published meetings can be sent."), code="not_published")
    deadline = meeting.registration_deadline or meeting.starts_at
    if deadline <= timezone.now():
        raise ValidationError(
            _("Registration for this meeting has closed."), code="registration_closed"
        )


@transaction.atomic
def campaign_start(*, meeting: Meeting, actor: User, audience: Audience) -> Campaign:
    """Invite the audience to a published meeting. One invitation per person and meeting (a
    unique key), so starting again after new people followed invites only them. Returns at
    once: the outbox sends, and the campaign's page shows the progress."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting.pk)
    )
    _check_invitable(meeting)
    recipients = invitation_audience(meeting, audience)
    campaign = Campaign.objects.create(
        meeting=meeting,
        kind=Campaign.Kind.INVITATION,
        audience=audience.as_json(),
        created_by=actor,
    )
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, person=p, campaign=campaign) for p in recipients],
        batch_size=2000,
        ignore_conflicts=True,
    )
    invitations = Invitation.objects.filter(campaign=campaign).values_list("pk", "person_id")
    people = {p.pk: p for p in recipients}
    campaign.recipients = outbox_enqueue_many(
        [
            NewMessage(
                kind="workinggroups.invitation",
                to_email=people[person_id].email,
                language=people[person_id].language,
                recipient_id=person_id,
                renderer=INVITATION_RENDERER,
                params={"invitation_id": invitation_id},
                dedup_key=f"workinggroups.invitation:{meeting.pk}:{person_id}",
                batch=campaign.batch,
                essential=False,  # not sent to people who objected to the association's e-mail
            )
            for invitation_id, person_id in invitations
        ]
    )
    campaign.save(update_fields=["recipients"])
    audit_log(
        actor=actor,
        action="workinggroups.campaign.started",
        obj=meeting,
        campaign_id=campaign.pk,
        recipients=campaign.recipients,
        audience=audience.as_json(),
    )
    return campaign


@dataclass(frozen=True)
class InvitationLink:
    invitation: Invitation | None
    problem: str = ""  # "" when the link may be used


def invitation_for_token(token: str) -> InvitationLink:
    """What a register link stands for; forged, expired and used links say so."""
    try:
        invitation_id = signing.loads(token, salt=REGISTER_SALT)
    except signing.BadSignature:
        return InvitationLink(None, "forged")
    invitation = (
        Invitation.objects.select_related("meeting__group", "person")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return InvitationLink(None, "forged")
    meeting = invitation.meeting
    deadline = meeting.registration_deadline or meeting.starts_at
    if meeting.status != Meeting.Status.PUBLISHED or deadline <= timezone.now():
        return InvitationLink(invitation, "expired")
    if invitation.link_used_at is not None:
        return InvitationLink(invitation, "used")
    return InvitationLink(invitation, "")


@transaction.atomic
def invitation_register(*, token: str, person: User) -> tuple[Registration, bool]:
    """Register through the invitation's personal link (a POST from its confirmation page).
    The link is bound to its recipient and used once."""
    link = invitation_for_token(token)
    if link.problem:
        raise ValidationError(link.problem, code=f"link_{link.problem}")
    invitation = Invitation.objects.select_for_update().get(pk=link.invitation.pk)
    if invitation.person_id != person.pk:
        raise PermissionDenied
    if invitation.link_used_at is not None:
        raise ValidationError("used", code="link_used")
    registration, created = registration_create(meeting=invitation.meeting, person=person)
    invitation.link_used_at = timezone.now()
    invitation.save(update_fields=["link_used_at"])
    return registration, created


def unsubscribe_target(token: str) -> tuple[User, WorkingGroup] | None:
    try:
        person_id, group_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    person = User.objects.filter(pk=person_id).first()
    group = WorkingGroup.objects.filter(pk=group_id).first()
    if person is None or group is None:
        return None
    return person, group


def unsubscribe(*, token: str) -> bool:
    """One click in the mail program (RFC 8058): the person stops following the group."""
    target = unsubscribe_target(token)
    if target is None:
        return False
    person, group = target
    group_unfollow(group=group, user=person)
    return True
