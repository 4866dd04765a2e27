"""Reads of meetings and registrations as members see them: pages, "my meetings", calendars."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_member, is_office_staff
from workinggroups.models import Follow, Meeting, Registration, WorkingGroup
from workinggroups.selectors.roles import is_moderator_of

_confirmed = Q(registrations__status=Registration.Status.CONFIRMED)


_waitlisted = Q(registrations__status=Registration.Status.WAITLISTED)


def with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.annotate(
        confirmed_count=Count("registrations", filter=_confirmed),
        waitlist_count=Count("registrations", filter=_waitlisted),
    )


def with_user_registration(meetings: QuerySet[Meeting], user) -> QuerySet[Meeting]:
    if not user.is_authenticated:
        return meetings
    return meetings.prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.filter(user=user),
            to_attr="own_registrations",
        )
    )


def meeting_detail(*, meeting_id: int, user: User | AnonymousUser) -> Meeting:
    """A meeting as its page shows it; drafts do not exist outside the admin."""
    meetings = with_user_registration(
        with_counts(Meeting.objects.select_related("group", "group__office_contact")), user
    )
    if not is_office_staff(user):
        meetings = meetings.exclude(status=Meeting.Status.DRAFT)
    try:
        return meetings.get(pk=meeting_id)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def own_registration(meeting: Meeting) -> Registration | None:
    own = getattr(meeting, "own_registrations", None)
    return own[0] if own else None


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        meeting_id=registration.meeting_id, status=Registration.Status.WAITLISTED
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, id__lt=registration.id)
    )
    return ahead.count() + 1


def seats_left(meeting: Meeting) -> int | None:
    if meeting.capacity is None:
        return None
    confirmed = getattr(meeting, "confirmed_count", None)
    if confirmed is None:
        confirmed = meeting.registrations.filter(status=Registration.Status.CONFIRMED).count()
    return max(meeting.capacity - confirmed, 0)


@dataclass(frozen=True)
class RegistrationOption:
    """Whether the person may register now, and if not, the reason shown instead of the button."""

    can_register: bool
    reason: str = ""
    will_be_waitlisted: bool = False


def registration_option(*, meeting: Meeting, user: User | AnonymousUser) -> RegistrationOption:
    now = timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        return RegistrationOption(False, _("This meeting has been cancelled."))
    if meeting.status != Meeting.Status.PUBLISHED:
        return RegistrationOption(False, _("This meeting is not open for registration."))
    if meeting.starts_at <= now:
        return RegistrationOption(False, _("This meeting has already taken place."))
    if not user.is_authenticated:
        return RegistrationOption(False, _("Please log in with your member account to register."))
    if not is_member(user):
        return RegistrationOption(
            False,
            _(
                "Participation is reserved for people of OptoNet member organisations. "
                "Your account is not linked to an active member organisation."
            ),
        )
    own = own_registration(meeting)
    if own and own.status != Registration.Status.CANCELLED:
        if own.status == Registration.Status.WAITLISTED:
            return RegistrationOption(False, _("You are on the waiting list."))
        return RegistrationOption(False, _("You are registered for this meeting."))
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        return RegistrationOption(
            False,
            _("Registration opens on %(date)s.")
            % {
                "date": timezone.localtime(meeting.registration_opens_at).strftime("%d.%m.%Y %H:%M")
            },
        )
    if meeting.registration_deadline and now > meeting.registration_deadline:
        return RegistrationOption(False, _("The registration deadline has passed."))
    if (
        meeting.group.confidential
        and not Follow.objects.filter(
            group_id=meeting.group_id, user=user, state=Follow.State.ACTIVE
        ).exists()
    ):
        return RegistrationOption(
            False, _("This is a confidential circle: please ask to join the working group first.")
        )
    left = seats_left(meeting)
    return RegistrationOption(True, "", will_be_waitlisted=left == 0)


def can_see_meeting_details(*, meeting: Meeting, user: User | AnonymousUser) -> bool:
    """Agenda and venue are for members (of a confidential circle: its approved followers);
    titles and dates are public."""
    if is_office_staff(user) or is_moderator_of(user, meeting.group_id):
        return True
    if not is_member(user):
        return False
    if meeting.group.confidential:
        return Follow.objects.filter(
            group_id=meeting.group_id, user=user, state=Follow.State.ACTIVE
        ).exists()
    return True


def attendees_visible_to_attendees(meeting: Meeting) -> QuerySet[Registration]:
    """Who else is coming: confirmed attendees who agreed to be listed (name and organisation)."""
    return (
        Registration.objects.filter(
            meeting=meeting,
            status=Registration.Status.CONFIRMED,
            list_consent=True,
            user__isnull=False,
        )
        .select_related("user__organization")
        .order_by("user__last_name", "user__first_name")
    )


def my_meetings(user: User) -> tuple[list[Registration], list[Registration]]:
    now = timezone.now()
    registrations = (
        Registration.objects.filter(user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("meeting__group")
    )
    upcoming = list(registrations.filter(meeting__ends_at__gt=now).order_by("meeting__starts_at"))
    past = list(registrations.filter(meeting__ends_at__lte=now).order_by("-meeting__starts_at"))
    return upcoming, past


def calendar_meetings_for_person(user: User) -> tuple[list[Meeting], set[int]]:
    """The meetings in a person's feed (confirmed or waiting), and which of them are confirmed:
    only those carry the online link."""
    registrations = (
        Registration.objects.filter(
            user=user,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        )
        .exclude(meeting__status=Meeting.Status.DRAFT)
        .select_related("meeting__group")
        .order_by("meeting__starts_at")
    )
    meetings, confirmed = [], set()
    for registration in registrations:
        meetings.append(registration.meeting)
        if registration.status == Registration.Status.CONFIRMED:
            confirmed.add(registration.meeting_id)
    return meetings, confirmed


def calendar_meetings_for_group(group: WorkingGroup) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(group=group)
        .exclude(status=Meeting.Status.DRAFT)
        .select_related("group")
        .order_by("starts_at")
    )
