"""Seats and the waiting list.

The seat decision is made in one place (`registration_create`) under a row lock on the meeting,
so that two people racing for the last seat never overbook it; cancellations and capacity changes
promote from the waiting list under the same lock.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_office_staff
from members.services import audit_log
from optonet.page_cache import anonymous_pages_changed
from workinggroups.models import Meeting, Registration
from workinggroups.selectors import registration_refusal, viewers_for
from workinggroups.services.notifications import notify_registration


def _lock_meeting(meeting_id: int) -> Meeting:
    # Only the meeting row (of=self): meetings of one group do not queue behind each other.
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("group").get(pk=meeting_id)
    )


def _confirmed_count(meeting: Meeting) -> int:
    return Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED
    ).count()


def _check_open_for_registration(meeting: Meeting, person: User, now: datetime) -> None:
    # Facts read fresh under the meeting's lock, not from a request's memo.
    viewer = viewers_for([person])[person.pk]
    refusal = registration_refusal(meeting=meeting, person=person, viewer=viewer, now=now)
    if refusal is not None:
        raise ValidationError(refusal.message, code=refusal.code)


def registration_create(
    *,
    meeting: Meeting,
    person: User,
    mode: str = Registration.Mode.ON_SITE,
    list_consent: bool = False,
    actor: User | None = None,
) -> tuple[Registration, bool]:
    """Register a person: a seat if one is free, else the waiting list. The person registers
    themselves, or the office registers them (`actor`; a contact without a login, say).

    Returns (registration, created). A second request of the same person (a double click)
    returns the existing registration unchanged.
    """
    try:
        with transaction.atomic():
            return _registration_create_locked(
                meeting.pk, person, mode, list_consent, actor or person
            )
    except IntegrityError:
        # The unique constraint caught a parallel request of the same person.
        existing = Registration.objects.get(meeting_id=meeting.pk, user=person)
        return existing, False


def _registration_create_locked(
    meeting_id: int, person: User, mode: str, list_consent: bool, actor: User
) -> tuple[Registration, bool]:
    meeting = _lock_meeting(meeting_id)
    # Taken after the lock: the waiting list is in the order in which the lock was won.
    now = timezone.now()
    _check_open_for_registration(meeting, person, now)
    if meeting.format == Meeting.Format.ONLINE:
        mode = Registration.Mode.ONLINE
    elif meeting.format == Meeting.Format.ON_SITE:
        mode = Registration.Mode.ON_SITE
    registration = Registration.objects.filter(meeting=meeting, user=person).first()
    if registration and registration.status != Registration.Status.CANCELLED:
        return registration, False
    # Seats freed behind our back (an admin edit, say) go to those waiting, not to newcomers.
    _promote_from_waiting_list(meeting, None)
    has_seat = meeting.capacity is None or _confirmed_count(meeting) < meeting.capacity
    status = Registration.Status.CONFIRMED if has_seat else Registration.Status.WAITLISTED
    if registration is None:
        registration = Registration(meeting=meeting, user=person)
    registration.status = status
    registration.mode = mode
    registration.list_consent = list_consent
    registration.organization_id = person.organization_id
    registration.created_at = now  # a re-registration queues at the end of the waiting list
    registration.confirmed_at = now if has_seat else None
    registration.cancelled_at = None
    registration.save()
    audit_log(
        actor=actor,
        action="workinggroups.registration.created",
        obj=meeting,
        registration_id=registration.pk,
        status=status,
    )
    notify_registration(registration, "confirmed" if has_seat else "waitlisted")
    return registration, True


def _promote_from_waiting_list(meeting: Meeting, actor: User | None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served (meeting row locked)."""
    promoted: list[Registration] = []
    if meeting.status != Meeting.Status.PUBLISHED or meeting.starts_at <= timezone.now():
        return promoted
    free = None if meeting.capacity is None else meeting.capacity - _confirmed_count(meeting)
    waiting = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.WAITLISTED
    ).order_by("created_at", "id")
    if free is not None:
        waiting = waiting[: max(free, 0)]
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        audit_log(
            actor=actor,
            action="workinggroups.registration.promoted",
            obj=meeting,
            registration_id=registration.pk,
        )
        notify_registration(registration, "promoted")
        promoted.append(registration)
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: User) -> Registration:
    """Cancel a registration; the first on the waiting list moves up into a freed seat."""
    meeting = _lock_meeting(registration.meeting_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    staff = is_office_staff(actor)
    if registration.user_id != actor.pk and not staff:
        raise PermissionDenied
    if registration.status == Registration.Status.CANCELLED:
        return registration  # cancelled already: a double click changes nothing
    now = timezone.now()
    previous_status = registration.status
    if not staff:
        if meeting.starts_at <= now:
            raise ValidationError(_("This meeting has already started."), code="meeting_started")
        if meeting.registration_deadline and now > meeting.registration_deadline:
            raise ValidationError(
                _(
                    "The registration deadline has passed, so you can no longer cancel online. "
                    "Please tell the OptoNet office if you cannot attend."
                ),
                code="cancel_after_deadline",
            )
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    audit_log(
        actor=actor,
        action="workinggroups.registration.cancelled",
        obj=meeting,
        registration_id=registration.pk,
    )
    # Confirmed by e-mail, with a calendar file that removes the entry again.
    notify_registration(registration, "registration_cancelled", previous_status=previous_status)
    _promote_from_waiting_list(meeting, actor)
    return registration


@transaction.atomic
def waiting_list_promote(*, meeting: Meeting, actor: User | None) -> list[Registration]:
    """Fill free seats (after the capacity was raised, say) from the waiting list."""
    return _promote_from_waiting_list(_lock_meeting(meeting.pk), actor)


@transaction.atomic
def registration_update(
    *, registration: Registration, actor: User, mode: str | None, list_consent: bool
) -> Registration:
    """Change how one attends a hybrid meeting, or give or withdraw consent to be listed to
    the other attendees (as easy to withdraw as to give)."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=registration.pk)
    )
    if registration.user_id != actor.pk:
        raise PermissionDenied
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("This registration has been cancelled."), code="cancelled")
    fields = ["list_consent"]
    if mode is not None and registration.meeting.format == Meeting.Format.HYBRID:
        if mode not in Registration.Mode.values:
            raise ValidationError(_("Unknown attendance mode."), code="invalid_mode")
        registration.mode = mode
        fields.append("mode")
    changed = registration.list_consent != list_consent
    registration.list_consent = list_consent
    registration.save(update_fields=fields)
    if changed:
        audit_log(
            actor=actor,
            action="workinggroups.registration.list_consent_changed",
            obj=registration.meeting,
            registration_id=registration.pk,
            list_consent=list_consent,
        )
    return registration


def registrations_cancel_future(
    *,
    registrations: QuerySet[Registration],
    actor: User | None,
    reason: str,
    notify: bool = True,
) -> int:
    """Cancel the future registrations among `registrations` (seats and waiting places), each
    under its meeting's lock, and give freed seats to the waiting list. For when a person may
    no longer attend: they left a confidential circle, their organisation's membership ended,
    or their data is erased. Returns how many were cancelled."""
    now = timezone.now()
    targets = list(
        registrations.filter(meeting__starts_at__gt=now)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("meeting_id", "pk")  # a fixed lock order: two releases cannot deadlock
        .values_list("meeting_id", "pk")
    )
    cancelled = 0
    for meeting_id, registration_id in targets:
        meeting = _lock_meeting(meeting_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status == Registration.Status.CANCELLED:
            continue
        previous_status = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        audit_log(
            actor=actor,
            action="workinggroups.registration.cancelled",
            obj=meeting,
            registration_id=registration.pk,
            reason=reason,
        )
        if notify:
            notify_registration(
                registration, "registration_cancelled", previous_status=previous_status
            )
        _promote_from_waiting_list(meeting, actor)
        cancelled += 1
    return cancelled


def person_release_registrations(*, user: User, actor: User) -> None:
    """Before a person is erased: cancel their future registrations (promoting the waiting
    list) and anonymise the past ones, which stay for the counts."""
    registrations_cancel_future(
        registrations=Registration.objects.filter(user=user),
        actor=None,
        reason="erasure",
        notify=False,  # nobody left to tell
    )
    Registration.objects.filter(user=user).update(
        user=None, anonymised_at=timezone.now(), list_consent=False
    )
    anonymous_pages_changed()  # an update() sends no signal


@transaction.atomic
def registrations_release_for_ended_membership(*, organization_id: int, actor: User | None) -> int:
    """People whose organisation is no longer a member lose their future seats (the waiting
    list moves up): from the end of the membership on, they are outsiders to every meeting."""
    from members.models import Organization

    organization = Organization.objects.get(pk=organization_id)
    registrations = Registration.objects.filter(user__organization=organization)
    if organization.is_active_member and organization.member_until:
        # Ends later: only meetings after the last day of membership.
        registrations = registrations.filter(meeting__starts_at__date__gt=organization.member_until)
    elif organization.is_active_member:
        return 0
    return registrations_cancel_future(
        registrations=registrations, actor=actor, reason="membership_ended"
    )


def registrations_anonymise_before(*, cutoff: datetime) -> int:
    """Detach people from registrations of meetings that ended before `cutoff`."""
    anonymised = Registration.objects.filter(
        meeting__ends_at__lt=cutoff, user__isnull=False
    ).update(user=None, anonymised_at=timezone.now(), list_consent=False)
    anonymous_pages_changed()  # an update() sends no signal
    return anonymised
