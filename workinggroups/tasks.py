"""Thin Celery tasks: take ids, load, send."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from optonet.mail import send_templated_mail
from workinggroups.calendar import calendar_bytes
from workinggroups.models import Meeting, Registration

# Which registration states each e-mail is still true for; a stale task sends nothing.
_EMAILS = {
    "confirmed": ("workinggroups/email/registration_confirmed", {Registration.Status.CONFIRMED}),
    "waitlisted": ("workinggroups/email/registration_waitlisted", {Registration.Status.WAITLISTED}),
    "promoted": ("workinggroups/email/registration_promoted", {Registration.Status.CONFIRMED}),
    "meeting_cancelled": (
        "workinggroups/email/meeting_cancelled",
        {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED},
    ),
}


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def send_registration_email(registration_id: int, kind: str) -> bool:
    template_prefix, valid_states = _EMAILS[kind]
    registration = (
        Registration.objects.select_related(
            "user", "meeting__group", "meeting__group__office_contact"
        )
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or registration.user is None:
        return False
    meeting = registration.meeting
    if kind != "meeting_cancelled" and (
        registration.status not in valid_states or meeting.status != Meeting.Status.PUBLISHED
    ):
        return False
    person = registration.user
    with_calendar = kind in ("confirmed", "promoted", "meeting_cancelled")
    attachments = []
    if with_calendar:
        method = "CANCEL" if kind == "meeting_cancelled" else "PUBLISH"
        attachments.append(
            (
                "meeting.ics",
                calendar_bytes(
                    [meeting], name=meeting.title, include_online_url=True, method=method
                ),
                "text/calendar",
            )
        )
    send_templated_mail(
        template_prefix,
        to=[person.email],
        context={
            "person": person,
            "registration": registration,
            "meeting": meeting,
            "group": meeting.group,
        },
        language=person.language,
        attachments=attachments,
    )
    return True
