"""The moderators' workspace: their groups, meetings with counts, attendance, yearly overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import User
from members.selectors import is_office_staff
from workinggroups.models import Follow, Meeting, Moderation, Registration, WorkingGroup
from workinggroups.selectors.meetings import _waitlisted
from workinggroups.selectors.roles import may_manage_meeting


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


def attendance_opens_on(meeting: Meeting) -> date:
    """The first day on which a meeting's attendance can be recorded: the day it takes place,
    as a calendar day in Berlin (a meeting at 00:30 is on that day, not the UTC day before)."""
    return timezone.localdate(meeting.starts_at, timezone.get_default_timezone())


def may_record_attendance(meeting: Meeting, *, now: datetime | None = None) -> bool:
    """THE rule for recording attendance: from the day of the meeting on, never before it.
    The workspace page asks it to show the form; the attendance form asks it before saving."""
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    return today >= attendance_opens_on(meeting)


@dataclass(frozen=True)
class YearOverview:
    meetings_held: int
    registrations: int
    attended: int
    attendance_rate: float | None
    organizations_represented: int


def group_year_overview(
    *, group: WorkingGroup, year: int, now: datetime | None = None
) -> tuple[YearOverview, list[Meeting]]:
    """A group's year: all its published meetings of that year (upcoming ones too, each with
    `is_past`), and figures over the meetings held: confirmed registrations, attendance and
    organisations.

    The attendance rate counts only meetings for which attendance was recorded, so a meeting
    whose sheet was never typed in does not pull the rate down.
    """
    now = now or timezone.now()
    meetings = list(
        _workspace_meetings()
        .filter(group=group, status=Meeting.Status.PUBLISHED, starts_at__year=year)
        .annotate(
            recorded_count=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.CONFIRMED)
                & ~Q(registrations__attendance=""),
            )
        )
        .order_by("starts_at")
    )
    held = [m for m in meetings if m.ends_at <= now]
    recorded = [m for m in held if m.recorded_count]
    confirmed_recorded = sum(m.confirmed_count for m in recorded)
    organizations = (
        Registration.objects.filter(
            meeting__in=[m.pk for m in held],
            attendance=Registration.Attendance.ATTENDED,
            organization__isnull=False,
        )
        .values("organization")
        .distinct()
        .count()
    )
    overview = YearOverview(
        meetings_held=len(held),
        registrations=sum(m.confirmed_count for m in held),
        attended=sum(m.attended_count for m in held),
        attendance_rate=(
            sum(m.attended_count for m in recorded) / confirmed_recorded
            if confirmed_recorded
            else None
        ),
        organizations_represented=organizations,
    )
    return overview, meetings


def groups_with_pending_follows(user: User) -> list[WorkingGroup]:
    """The groups of the person's workspace (see `workspace_groups`) with requests to join
    waiting for a decision, each with `pending_follow_count`: one query."""
    groups = WorkingGroup.objects.filter(is_active=True)
    if not is_office_staff(user):
        groups = groups.filter(pk__in=Moderation.objects.filter(user=user).values("group_id"))
    return list(
        groups.annotate(
            pending_follow_count=Count(
                "follows", filter=Q(follows__state=Follow.State.PENDING), distinct=True
            )
        )
        .filter(pending_follow_count__gt=0)
        .order_by("position", "name_de")
    )
