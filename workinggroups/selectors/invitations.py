"""Who a meeting's invitation goes to, and what the office sees of a campaign."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from members.models import User
from members.selectors import active_organizations
from workinggroups.models import Campaign, Follow, Invitation, Meeting, Registration
from workinggroups.selectors.visibility import meeting_visibility, viewers_for


@dataclass(frozen=True)
class Audience:
    """By default every active follower of the meeting's group; optionally also every person
    of a member organisation with one of `functions` (e.g. all HR managers)."""

    followers: bool = True
    functions: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {"followers": self.followers, "functions": list(self.functions)}


def invitation_audience(meeting: Meeting, audience: Audience) -> list[User]:
    """The people a new invitation campaign would reach: the audience, minus those invited to
    this meeting already and those registered for it, and only insiders as the one visibility
    rule says (a confidential circle's meeting reaches its approved followers only)."""
    condition = Q(pk__in=[])
    if audience.followers:
        condition |= Q(
            pk__in=Follow.objects.filter(group=meeting.group, state=Follow.State.ACTIVE).values(
                "user_id"
            )
        )
    if audience.functions:
        condition |= Q(
            function__in=list(audience.functions), organization__in=active_organizations()
        )
    candidates = list(
        User.objects.filter(condition, is_active=True)
        .exclude(pk__in=Invitation.objects.filter(meeting=meeting).values("person_id"))
        .exclude(
            pk__in=Registration.objects.filter(
                meeting=meeting,
                status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
                user__isnull=False,
            ).values("user_id")
        )
        .select_related("organization")
        .order_by("pk")
    )
    viewers = viewers_for(candidates)
    return [p for p in candidates if meeting_visibility(meeting, viewers[p.pk]).details]


@dataclass(frozen=True)
class CampaignReport:
    progress: dict[str, int]
    total: int
    done: int
    running: bool
    registered: int
    failures: list


def campaign_report(campaign: Campaign) -> CampaignReport:
    """Progress while it runs; afterwards the failures and how many recipients registered."""
    from mailings.models import OutboxMessage
    from mailings.selectors import batch_failures, batch_progress

    progress = batch_progress(campaign.batch)
    total = sum(progress.values())
    waiting = progress[OutboxMessage.State.QUEUED] + progress[OutboxMessage.State.SENDING]
    registered = 0
    if campaign.kind == Campaign.Kind.INVITATION:
        registered = (
            Registration.objects.filter(
                meeting_id=campaign.meeting_id,
                user_id__in=campaign.invitations.values("person_id"),
                created_at__gte=campaign.created_at,
            )
            .exclude(status=Registration.Status.CANCELLED)
            .count()
        )
    return CampaignReport(
        progress=progress,
        total=total,
        done=total - waiting,
        running=waiting > 0,
        registered=registered,
        failures=list(batch_failures(campaign.batch)),
    )
