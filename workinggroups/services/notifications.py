"""Queueing the working groups' e-mails in the outbox, in the caller's transaction.

Registration e-mails go one at a time; reminders, updates and cancellations to a meeting's
registrants go as a campaign (one outbox batch, visible with its progress in the admin). The
outbox rows are rendered by `workinggroups.emails` when they are sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mailings.rendering import render_templates
from mailings.services import NewMessage, outbox_enqueue, outbox_enqueue_many
from members.models import User
from members.selectors import objection_url
from workinggroups.emails import REGISTRATION_RENDERER, absolute
from workinggroups.models import Campaign, Follow, Meeting, Moderation, Registration, WorkingGroup
from workinggroups.selectors.invitations import ACTIVE_REGISTRATION, registrants


def notify_registration(registration: Registration, kind: str, **params) -> None:
    """One registration e-mail (confirmed, waitlisted, promoted, registration_cancelled)."""
    person = registration.user
    if person is None:
        return
    outbox_enqueue(
        NewMessage(
            kind=f"workinggroups.{kind}",
            to_email=person.email,
            language=person.language,
            recipient_id=person.pk,
            renderer=REGISTRATION_RENDERER,
            params={"registration_id": registration.pk, "kind": kind, **params},
        )
    )


def _campaign_to_registrants(
    *,
    meeting: Meeting,
    kind: str,
    email_kind: str,
    statuses: Iterable[str],
    dedup: str,
    actor: User | None,
    params: dict | None = None,
) -> Campaign | None:
    """A campaign to the meeting's registrants in `statuses`; `dedup` (with "{person}") makes
    each person's message unique, so a repeated call adds nobody twice."""
    registrations = list(registrants([meeting], statuses).select_related("user"))
    if not registrations:
        return None
    campaign = Campaign.objects.create(
        meeting=meeting, kind=kind, created_by=actor, audience={"registrants": list(statuses)}
    )
    queued = outbox_enqueue_many(
        [
            NewMessage(
                kind=f"workinggroups.{email_kind}",
                to_email=r.user.email,
                language=r.user.language,
                recipient_id=r.user_id,
                renderer=REGISTRATION_RENDERER,
                params={"registration_id": r.pk, "kind": email_kind, **(params or {})},
                dedup_key=dedup.format(person=r.user_id),
                batch=campaign.batch,
            )
            for r in registrations
        ]
    )
    if not queued:
        campaign.delete()
        return None
    campaign.recipients = queued
    campaign.save(update_fields=["recipients"])
    return campaign


def notify_meeting_cancelled(meeting: Meeting, actor: User | None) -> Campaign | None:
    return _campaign_to_registrants(
        meeting=meeting,
        kind=Campaign.Kind.CANCELLATION,
        email_kind="meeting_cancelled",
        statuses=ACTIVE_REGISTRATION,
        dedup=f"workinggroups.meeting_cancelled:{meeting.pk}:{{person}}",
        actor=actor,
    )


def notify_meeting_updated(
    meeting: Meeting, changes: Iterable[str], actor: User | None
) -> Campaign | None:
    """Time, place or link of a published, future meeting changed: tell who is registered or
    waiting, with the new calendar file (its SEQUENCE was raised)."""
    if meeting.status != Meeting.Status.PUBLISHED or meeting.starts_at <= timezone.now():
        return None
    return _campaign_to_registrants(
        meeting=meeting,
        kind=Campaign.Kind.UPDATE,
        email_kind="meeting_updated",
        statuses=ACTIVE_REGISTRATION,
        dedup=f"workinggroups.meeting_updated:{meeting.pk}:{meeting.sequence}:{{person}}",
        actor=actor,
        params={"changes": sorted(changes)},
    )


@transaction.atomic
def reminders_send_due(*, now: datetime | None = None) -> int:
    """Beat: confirmed attendees of meetings starting within `MEETING_REMINDER_DAYS` get one
    reminder each (the outbox's key makes it once, however often this runs)."""
    now = now or timezone.now()
    days = settings.MEETING_REMINDER_DAYS
    meetings = Meeting.objects.filter(
        status=Meeting.Status.PUBLISHED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(days=days),
    )
    sent = 0
    for meeting in meetings:
        campaign = _campaign_to_registrants(
            meeting=meeting,
            kind=Campaign.Kind.REMINDER,
            email_kind="reminder",
            statuses=[Registration.Status.CONFIRMED],
            dedup=f"workinggroups.reminder:{meeting.pk}:{{person}}",
            actor=None,
            params={"days_before": max((meeting.starts_at - now).days, 1)},
        )
        sent += campaign.recipients if campaign else 0
    return sent


def notify_follow_decision(*, person: User, group: WorkingGroup, approved: bool) -> None:
    outbox_enqueue(
        NewMessage(
            kind="workinggroups.follow_approved" if approved else "workinggroups.follow_declined",
            to_email=person.email,
            language=person.language,
            recipient_id=person.pk,
            rendered=render_templates(
                "workinggroups/email/follow_decision",
                {
                    "person": person,
                    "group": group,
                    "approved": approved,
                    "group_url": absolute(group.get_absolute_url()),
                    "objection_url": objection_url(person),
                },
                language=person.language,
            ),
        )
    )


@transaction.atomic
def moderator_digests_send(*, now: datetime | None = None) -> int:
    """Daily: each moderator gets one e-mail listing the requests to join their groups that
    arrived in the last 24 hours — none when there are none."""
    from django.urls import reverse

    now = now or timezone.now()
    since = now - timedelta(days=1)
    new_requests = (
        Follow.objects.filter(state=Follow.State.PENDING, created_at__gte=since)
        .select_related("user__organization", "group")
        .order_by("group__position", "created_at")
    )
    by_group: dict[int, list[Follow]] = {}
    for follow in new_requests:
        by_group.setdefault(follow.group_id, []).append(follow)
    if not by_group:
        return 0
    digests: dict[int, tuple[User, list]] = {}
    for moderation in Moderation.objects.filter(group_id__in=list(by_group)).select_related(
        "user", "group"
    ):
        person = moderation.user
        entry = digests.setdefault(person.pk, (person, []))
        entry[1].append(moderation.group_id)
    messages = []
    for person, group_ids in digests.values():
        groups = [
            {
                "group": by_group[gid][0].group,
                "requests": [
                    {
                        "name": f.user.full_name,
                        "organization": f.user.organization.name if f.user.organization else "",
                        "requested_at": f.created_at,
                    }
                    for f in by_group[gid]
                ],
            }
            for gid in group_ids
        ]
        messages.append(
            NewMessage(
                kind="workinggroups.moderator_digest",
                to_email=person.email,
                language=person.language,
                recipient_id=person.pk,
                rendered=render_templates(
                    "workinggroups/email/moderator_digest",
                    {
                        "person": person,
                        "groups": groups,
                        "workspace_url": absolute(reverse("workinggroups:workspace")),
                    },
                    language=person.language,
                ),
                dedup_key=f"workinggroups.moderator_digest:{person.pk}:{now.date().isoformat()}",
            )
        )
    return outbox_enqueue_many(messages)
