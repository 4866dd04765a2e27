"""Who a meeting's invitation goes to, and what the office sees of a campaign."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat

from mailings.models import OutboxMessage
from members.models import User
from members.selectors import active_organizations
from workinggroups.models import Campaign, Follow, Meeting, Registration
from workinggroups.selectors.visibility import meeting_visibility, viewers_for_meeting

# An invitation's outbox message is unique per meeting and person under this key.
INVITATION_KEY = "workinggroups.invitation"


# Who a meeting's cancellation or change is written to: registered or waiting.
ACTIVE_REGISTRATION = [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]


def registrants(meetings, statuses=ACTIVE_REGISTRATION):
    """The registrations a notice about `meetings` (a queryset or list) goes to: in
    `statuses`, with a person (anonymised registrations have none)."""
    return Registration.objects.filter(
        meeting__in=meetings, status__in=list(statuses), user__isnull=False
    )


def invitation_key(meeting_id: int, person_id: int) -> str:
    return f"{INVITATION_KEY}:{meeting_id}:{person_id}"


@dataclass(frozen=True)
class Audience:
    """By default every active follower of the meeting's group; optionally also every person
    of a member organisation with one of `functions` (e.g. all HR managers)."""

    followers: bool = True
    functions: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {"followers": self.followers, "functions": list(self.functions)}


@dataclass(frozen=True)
class Invitee:
    pk: int
    email: str
    language: str


def invitation_audience(meeting: Meeting, audience: Audience) -> list[Invitee]:
    """The people a new invitation campaign would reach: the audience, minus those invited to
    this meeting already and those registered for it, and only insiders as the one visibility
    rule says (a confidential circle's meeting reaches its approved followers only). A few
    queries, whatever the size of the audience."""
    condition = Q(pk__in=[])
    if audience.followers:
        condition |= Q(
            Exists(
                Follow.objects.filter(
                    group_id=meeting.group_id, state=Follow.State.ACTIVE, user_id=OuterRef("pk")
                )
            )
        )
    if audience.functions:
        condition |= Q(
            function__in=list(audience.functions), organization__in=active_organizations()
        )
    candidates = (
        User.objects.filter(condition, is_active=True)
        .exclude(
            Exists(
                OutboxMessage.objects.filter(
                    dedup_key=Concat(
                        Value(f"{INVITATION_KEY}:{meeting.pk}:"),
                        Cast(OuterRef("pk"), CharField()),
                    )
                )
            )
        )
        .exclude(
            Exists(
                Registration.objects.filter(
                    meeting=meeting,
                    status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
                    user_id=OuterRef("pk"),
                )
            )
        )
    )
    viewers = viewers_for_meeting(meeting, candidates.order_by("pk"), "email", "language")
    insider: dict[int, bool] = {}  # the rule's answer per distinct Viewer (a handful)
    invitees = []
    for pk, (viewer, (email, language)) in viewers.items():
        if id(viewer) not in insider:
            insider[id(viewer)] = meeting_visibility(meeting, viewer).details
        if insider[id(viewer)]:
            invitees.append(Invitee(pk, email, language))
    return invitees


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
    from mailings.selectors import batch_failures, batch_progress

    progress = batch_progress(campaign.batch)
    total = sum(progress.values())
    waiting = progress[OutboxMessage.State.QUEUED] + progress[OutboxMessage.State.SENDING]
    registered = 0
    if campaign.kind == Campaign.Kind.INVITATION:
        registered = (
            Registration.objects.filter(
                meeting_id=campaign.meeting_id,
                user_id__in=OutboxMessage.objects.filter(batch=campaign.batch).values(
                    "recipient_id"
                ),
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
