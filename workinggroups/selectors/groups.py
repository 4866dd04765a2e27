"""Reads of working groups and who follows them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from members.models import User
from workinggroups.models import Follow, Meeting, Moderation, WorkingGroup
from workinggroups.selectors.meetings import with_counts, with_user_registration


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
    meetings = with_user_registration(
        with_counts(
            Meeting.objects.filter(group=group)
            .select_related("group")
            .exclude(status=Meeting.Status.DRAFT)
        ),
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
