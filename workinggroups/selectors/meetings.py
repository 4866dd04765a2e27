"""Reads of meetings and registrations as members see them: pages, "my meetings", calendars."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_office_staff
from workinggroups.models import Meeting, Registration, WorkingGroup
from workinggroups.selectors.visibility import Viewer, viewer_for

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
class RegistrationRefusal:
    """Why a person cannot register now: a stable code for callers, a sentence for the person."""

    code: str
    message: str


def registration_refusal(
    *, meeting: Meeting, person: User | AnonymousUser, viewer: Viewer, now=None
) -> RegistrationRefusal | None:
    """THE rule for whether a meeting takes this person's registration now (None: it does).

    The registration service asks it under the meeting's lock; the meeting page asks it to
    show the button or the reason instead."""
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        return RegistrationRefusal("meeting_cancelled", _("This meeting has been cancelled."))
    if meeting.status != Meeting.Status.PUBLISHED:
        return RegistrationRefusal("not_published", _("This meeting is not open for registration."))
    if meeting.starts_at <= now:
        return RegistrationRefusal("meeting_past", _("This meeting has already taken place."))
    if not person.is_authenticated:
        return RegistrationRefusal(
            "login_required", _("Please log in with your member account to register.")
        )
    if not viewer.member:
        return RegistrationRefusal(
            "not_a_member",
            _(
                "Participation is reserved for people of OptoNet member organisations. "
                "Your account is not linked to an active member organisation."
            ),
        )
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        opens = timezone.localtime(meeting.registration_opens_at)
        return RegistrationRefusal(
            "registration_not_open",
            _("Registration opens on %(date)s.") % {"date": date_format(opens, "DATETIME_FORMAT")},
        )
    if meeting.registration_deadline and now > meeting.registration_deadline:
        return RegistrationRefusal("deadline_passed", _("The registration deadline has passed."))
    if meeting.group.confidential and meeting.group_id not in viewer.followed_group_ids:
        return RegistrationRefusal(
            "confidential_follow_required",
            _("This is a confidential circle: please ask to join the working group first."),
        )
    return None


@dataclass(frozen=True)
class RegistrationOption:
    """Whether the person may register now, and if not, the reason shown instead of the button."""

    can_register: bool
    reason: str = ""
    will_be_waitlisted: bool = False


def registration_option(*, meeting: Meeting, user: User | AnonymousUser) -> RegistrationOption:
    own = own_registration(meeting)
    if own and own.status != Registration.Status.CANCELLED and meeting.status != "cancelled":
        if own.status == Registration.Status.WAITLISTED:
            return RegistrationOption(False, _("You are on the waiting list."))
        return RegistrationOption(False, _("You are registered for this meeting."))
    refusal = registration_refusal(meeting=meeting, person=user, viewer=viewer_for(user))
    if refusal is not None:
        return RegistrationOption(False, refusal.message)
    return RegistrationOption(True, "", will_be_waitlisted=seats_left(meeting) == 0)


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
    """A person's registrations, upcoming and past; each upcoming one carries `waitlist_place`
    (None unless waiting). Three queries, however many meetings."""
    now = timezone.now()
    registrations = (
        Registration.objects.filter(user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("meeting__group")
    )
    upcoming = list(registrations.filter(meeting__ends_at__gt=now).order_by("meeting__starts_at"))
    past = list(registrations.filter(meeting__ends_at__lte=now).order_by("-meeting__starts_at"))
    places = waitlist_positions(upcoming)
    for registration in upcoming:
        registration.waitlist_place = places.get(registration.pk)
    return upcoming, past


def calendar_meetings_for_person(user: User) -> list[Meeting]:
    """The meetings in a person's feed: those they hold a seat for or wait for. Each carries
    `registration_status`; what the feed shows of it is decided by the visibility rule."""
    registrations = (
        Registration.objects.filter(
            user=user,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        )
        .exclude(meeting__status=Meeting.Status.DRAFT)
        .select_related("meeting__group")
        .order_by("meeting__starts_at")
    )
    meetings = []
    for registration in registrations:
        registration.meeting.registration_status = registration.status
        meetings.append(registration.meeting)
    return meetings


def calendar_meetings_for_group(group: WorkingGroup) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(group=group)
        .exclude(status=Meeting.Status.DRAFT)
        .select_related("group")
        .order_by("starts_at")
    )


def waitlist_positions(registrations: Iterable[Registration]) -> dict[int, int]:
    """`waitlist_position` for many registrations at once (a list of a person's meetings): one
    query however many; keyed by registration id, waitlisted registrations only."""
    waiting = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    if not waiting:
        return {}
    ids = {r.pk for r in waiting}
    # Same order as `waitlist_position` and the promotion: first come (created_at, id).
    ranked = (
        Registration.objects.filter(
            meeting_id__in={r.meeting_id for r in waiting},
            status=Registration.Status.WAITLISTED,
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=F("meeting_id"), order_by=[F("created_at"), F("id")]
            )
        )
        .values_list("pk", "position")
    )
    return {pk: position for pk, position in ranked if pk in ids}


def seat_passes_on(meeting: Meeting, registration: Registration) -> bool:
    """Whether cancelling `registration` hands its seat to the first person waiting, as
    `registration_cancel` does: a confirmed seat of a meeting ahead, someone waiting, and the
    seat within the capacity. `meeting` as `meeting_detail` returns it (with its counts)."""
    if registration.status != Registration.Status.CONFIRMED:
        return False
    if meeting.status != Meeting.Status.PUBLISHED or meeting.starts_at <= timezone.now():
        return False
    if not meeting.waitlist_count:
        return False
    return meeting.capacity is None or meeting.confirmed_count <= meeting.capacity
