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
from workinggroups.models import Campaign, Meeting, Registration, WorkingGroup
from workinggroups.selectors.invitations import Audience, invitation_audience, invitation_key
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
    campaign.recipients = outbox_enqueue_many(
        [
            NewMessage(
                kind="workinggroups.invitation",
                to_email=recipient.email,
                language=recipient.language,
                recipient_id=recipient.pk,
                renderer=INVITATION_RENDERER,
                params={"meeting_id": meeting.pk},
                # Nobody is invited twice to the same meeting, however often the office sends.
                dedup_key=invitation_key(meeting.pk, recipient.pk),
                batch=campaign.batch,
                essential=False,  # not sent to people who objected to the association's e-mail
            )
            for recipient in recipients
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
    meeting: Meeting | None
    person_id: int | None
    problem: str = ""  # "" when the link may be used; else forged, expired or used


def invitation_for_token(token: str) -> InvitationLink:
    """What a register link stands for; forged, expired and used links say so."""
    try:
        meeting_id, person_id = signing.loads(token, salt=REGISTER_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return InvitationLink(None, None, "forged")
    meeting = Meeting.objects.select_related("group").filter(pk=meeting_id).first()
    if meeting is None:
        return InvitationLink(None, None, "forged")
    deadline = meeting.registration_deadline or meeting.starts_at
    if meeting.status != Meeting.Status.PUBLISHED or deadline <= timezone.now():
        return InvitationLink(meeting, person_id, "expired")
    if Registration.objects.filter(
        meeting=meeting, user_id=person_id, invitation_link_used_at__isnull=False
    ).exists():
        return InvitationLink(meeting, person_id, "used")
    return InvitationLink(meeting, person_id)


def invitation_register(*, token: str, person: User) -> tuple[Registration, bool]:
    """Register through the invitation's personal link (a POST from its confirmation page).
    The link is bound to its recipient and used once."""
    link = invitation_for_token(token)
    if link.problem:
        raise ValidationError(link.problem, code=f"link_{link.problem}")
    if link.person_id != person.pk:
        raise PermissionDenied
    with transaction.atomic():
        registration, created = registration_create(meeting=link.meeting, person=person)
        used = Registration.objects.filter(
            pk=registration.pk, invitation_link_used_at__isnull=True
        ).update(invitation_link_used_at=timezone.now())
    if not used:  # a parallel click used the link first
        raise ValidationError("used", code="link_used")
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
