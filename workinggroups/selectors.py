"""Reads of working groups, meetings and registrations; each page's query count is decided here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_member, is_office_staff
from workinggroups.models import Follow, Meeting, Moderation, Registration, WorkingGroup

_confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
_waitlisted = Q(registrations__status=Registration.Status.WAITLISTED)


def _with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.annotate(
        confirmed_count=Count("registrations", filter=_confirmed),
        waitlist_count=Count("registrations", filter=_waitlisted),
    )


def _with_user_registration(meetings: QuerySet[Meeting], user) -> QuerySet[Meeting]:
    if not user.is_authenticated:
        return meetings
    return meetings.prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.filter(user=user),
            to_attr="own_registrations",
        )
    )


def group_list_for_overview() -> QuerySet[WorkingGroup]:
    now = timezone.now()
    return WorkingGroup.objects.filter(is_active=True).annotate(
        upcoming_meeting_count=Count(
            "meetings",
            filter=Q(meetings__status=Meeting.Status.PUBLISHED, meetings__starts_at__gte=now),
        )
    )


def group_list(user: User | AnonymousUser) -> QuerySet[WorkingGroup]:
    groups = (
        group_list_for_overview()
        .select_related("office_contact")
        .prefetch_related(
            Prefetch(
                "moderations",
                queryset=Moderation.objects.select_related("user__organization"),
            )
        )
    )
    if user.is_authenticated:
        groups = groups.prefetch_related(
            Prefetch("follows", queryset=Follow.objects.filter(user=user), to_attr="own_follows")
        )
    return groups


def group_detail(*, slug: str, user: User | AnonymousUser) -> WorkingGroup:
    try:
        return group_list(user).get(slug=slug)
    except WorkingGroup.DoesNotExist as exc:
        raise Http404 from exc


def group_meetings(
    *, group: WorkingGroup, user: User | AnonymousUser
) -> tuple[list[Meeting], list[Meeting]]:
    """Published and cancelled meetings of a group, split into upcoming and past."""
    now = timezone.now()
    meetings = _with_user_registration(
        _with_counts(Meeting.objects.filter(group=group).exclude(status=Meeting.Status.DRAFT)),
        user,
    )
    upcoming = [m for m in meetings.filter(ends_at__gt=now).order_by("starts_at", "id")]
    past = list(meetings.filter(ends_at__lte=now).order_by("-starts_at", "-id")[:20])
    return upcoming, past


def follow_of(*, group: WorkingGroup, user) -> Follow | None:
    own = getattr(group, "own_follows", None)
    if own is not None:
        return own[0] if own else None
    if not user.is_authenticated:
        return None
    return Follow.objects.filter(group=group, user=user).first()


def groups_followed_by(user: User) -> QuerySet[Follow]:
    return Follow.objects.filter(user=user).select_related("group").order_by("group__position")


def is_moderator_of(user: User | AnonymousUser, group_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Moderation.objects.filter(user=user, group_id=group_id).exists()


def meeting_detail(*, meeting_id: int, user: User | AnonymousUser) -> Meeting:
    """A meeting as its page shows it; drafts do not exist outside the admin."""
    meetings = _with_user_registration(
        _with_counts(Meeting.objects.select_related("group", "group__office_contact")), user
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


def person_data_export_workinggroups(user: User) -> dict[str, Any]:
    def dt(value):
        return value.isoformat() if value else None

    return {
        "working_groups_followed": [
            {"group": f.group.name_en, "state": f.state, "since": dt(f.created_at)}
            for f in groups_followed_by(user)
        ],
        "working_groups_moderated": [
            m.group.name_en for m in Moderation.objects.filter(user=user).select_related("group")
        ],
        "registrations": [
            {
                "meeting": r.meeting.title,
                "group": r.meeting.group.name_en,
                "starts_at": dt(r.meeting.starts_at),
                "status": r.status,
                "mode": r.mode,
                "listed_for_other_attendees": r.list_consent,
                "attendance": r.attendance,
                "registered_at": dt(r.created_at),
                "cancelled_at": dt(r.cancelled_at),
            }
            for r in Registration.objects.filter(user=user)
            .select_related("meeting__group")
            .order_by("created_at")
        ],
        # Invitations are recorded once invitation campaigns exist; until then none are stored.
        "invitations_received": [],
    }


# --- Moderators' workspace ----------------------------------------------------------------------


@dataclass(frozen=True)
class AttendeeRow:
    """One line of a meeting's attendee list, the same for CSV, XLSX and PDF."""

    name: str
    organization: str
    job_title: str
    function: str
    email: str
    mode: str
    registered_at: Any
    status: str
    status_code: str


def may_manage_meeting(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Attendee lists, attendance and documents: the group's moderators and the office only."""
    return is_office_staff(user) or is_moderator_of(user, meeting.group_id)


def meeting_for_moderation(*, meeting_id: int, user: User) -> Meeting:
    """The one permission check for everything in the moderators' workspace."""
    from django.core.exceptions import PermissionDenied

    meeting = Meeting.objects.select_related("group").filter(pk=meeting_id).first()
    if meeting is None:
        # Same answer as for a meeting of another group: ids reveal nothing.
        raise PermissionDenied
    if not may_manage_meeting(user, meeting):
        raise PermissionDenied
    return meeting


def attendee_list(meeting: Meeting) -> list[AttendeeRow]:
    """Who is on a meeting's list, with which fields: confirmed first, then the waiting list in
    its order. Cancelled registrations are not listed. One query, whatever the size."""
    from members.models import Function

    functions = dict(Function.choices)
    modes = dict(Registration.Mode.choices)
    statuses = dict(Registration.Status.choices)
    registrations = (
        Registration.objects.filter(meeting=meeting)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("user", "organization")
        .order_by("status", "created_at", "id")  # "confirmed" sorts before "waitlisted"
    )
    rows = []
    for registration in registrations:
        person = registration.user
        organization = registration.organization.name if registration.organization else ""
        rows.append(
            AttendeeRow(
                name=person.full_name if person else _("(anonymised)"),
                organization=organization,
                job_title=person.job_title if person else "",
                function=str(functions.get(person.function, "")) if person else "",
                email=person.email if person else "",
                mode=str(modes.get(registration.mode, "")),
                registered_at=registration.created_at,
                status=str(statuses[registration.status]),
                status_code=registration.status,
            )
        )
    confirmed = sorted(
        (r for r in rows if r.status_code == Registration.Status.CONFIRMED),
        key=lambda r: (
            _collation_key(r.name.split()[-1] if r.name else ""),
            _collation_key(r.name),
        ),
    )
    waiting = [r for r in rows if r.status_code == Registration.Status.WAITLISTED]
    return confirmed + waiting


def _collation_key(text: str) -> str:
    """Alphabetical as a German reader expects: "Åström" with the A's, "Öztürk" with the O's."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _workspace_meetings() -> QuerySet[Meeting]:
    confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
    return Meeting.objects.annotate(
        confirmed_count=Count("registrations", filter=confirmed),
        waitlist_count=Count("registrations", filter=_waitlisted),
        on_site_count=Count(
            "registrations", filter=confirmed & Q(registrations__mode=Registration.Mode.ON_SITE)
        ),
        online_count=Count(
            "registrations", filter=confirmed & Q(registrations__mode=Registration.Mode.ONLINE)
        ),
        attended_count=Count(
            "registrations",
            filter=Q(registrations__attendance=Registration.Attendance.ATTENDED),
        ),
    )


def workspace_groups(user: User) -> list[WorkingGroup]:
    """The groups a person moderates (all groups for the office), each with its meetings of
    this and last year and everything upcoming, counted in the same queries."""
    groups = WorkingGroup.objects.filter(is_active=True)
    if not is_office_staff(user):
        groups = groups.filter(moderations__user=user)
    since = timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    since = since.replace(year=since.year - 1)
    return list(
        groups.distinct().prefetch_related(
            Prefetch(
                "meetings",
                queryset=_workspace_meetings().filter(starts_at__gte=since).order_by("starts_at"),
                to_attr="workspace_meetings",
            ),
            Prefetch(
                "follows",
                queryset=Follow.objects.filter(state=Follow.State.PENDING)
                .select_related("user__organization")
                .order_by("created_at"),
                to_attr="pending_follows",
            ),
        )
    )


def is_moderator(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and Moderation.objects.filter(user=user).exists())


def workspace_registrations(meeting: Meeting) -> list[Registration]:
    return list(
        Registration.objects.filter(meeting=meeting)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("user__organization")
        .order_by("status", "user__last_name", "user__first_name", "id")
    )


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    confirmed = Q(status=Registration.Status.CONFIRMED)
    counts = Registration.objects.filter(meeting=meeting).aggregate(
        confirmed=Count("id", filter=confirmed),
        waitlisted=Count("id", filter=Q(status=Registration.Status.WAITLISTED)),
        on_site=Count("id", filter=confirmed & Q(mode=Registration.Mode.ON_SITE)),
        online=Count("id", filter=confirmed & Q(mode=Registration.Mode.ONLINE)),
        attended=Count("id", filter=Q(attendance=Registration.Attendance.ATTENDED)),
        excused=Count("id", filter=Q(attendance=Registration.Attendance.EXCUSED)),
        absent=Count("id", filter=Q(attendance=Registration.Attendance.ABSENT)),
    )
    return counts


def may_read_documents(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Minutes and materials: the group's followers who are members, moderators and the office."""
    if may_manage_meeting(user, meeting):
        return True
    return bool(
        is_member(user)
        and Follow.objects.filter(
            group_id=meeting.group_id, user=user, state=Follow.State.ACTIVE
        ).exists()
    )


@dataclass(frozen=True)
class YearOverview:
    meetings_held: int
    registrations: int
    attended: int
    attendance_rate: float | None
    organizations_represented: int


def group_year_overview(*, group: WorkingGroup, year: int) -> tuple[YearOverview, list[Meeting]]:
    """A group's year: meetings held, confirmed registrations, attendance and organisations.

    The attendance rate counts only meetings for which attendance was recorded, so a meeting
    whose sheet was never typed in does not pull the rate down.
    """
    meetings = list(
        _workspace_meetings()
        .filter(
            group=group,
            status=Meeting.Status.PUBLISHED,
            starts_at__year=year,
            ends_at__lte=timezone.now(),
        )
        .annotate(
            recorded_count=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.CONFIRMED)
                & ~Q(registrations__attendance=""),
            )
        )
        .order_by("starts_at")
    )
    recorded = [m for m in meetings if m.recorded_count]
    confirmed_recorded = sum(m.confirmed_count for m in recorded)
    attended = sum(m.attended_count for m in meetings)
    organizations = (
        Registration.objects.filter(
            meeting__in=[m.pk for m in meetings],
            attendance=Registration.Attendance.ATTENDED,
            organization__isnull=False,
        )
        .values("organization")
        .distinct()
        .count()
    )
    overview = YearOverview(
        meetings_held=len(meetings),
        registrations=sum(m.confirmed_count for m in meetings),
        attended=attended,
        attendance_rate=(
            sum(m.attended_count for m in recorded) / confirmed_recorded
            if confirmed_recorded
            else None
        ),
        organizations_represented=organizations,
    )
    return overview, meetings
