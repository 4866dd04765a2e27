"""Thin Celery tasks: take ids, load, send."""

from __future__ import annotations

import logging

from celery import shared_task

from members.services import audit_log
from optonet.mail import is_transient_smtp_error, retry_delay, send_templated_mail
from workinggroups.calendar import calendar_bytes
from workinggroups.models import Meeting, Registration
from workinggroups.selectors.visibility import meeting_visibility, viewer_for
from workinggroups.services.exports import EXPORT_TIME_LIMIT_SECONDS

logger = logging.getLogger(__name__)

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


@shared_task(bind=True, max_retries=8, acks_late=True, soft_time_limit=60, time_limit=90)
def send_registration_email(self, registration_id: int, kind: str) -> bool:
    """Send one registration e-mail; transient SMTP errors retry with backoff, permanent
    ones are recorded in the audit trail (visible in the admin) and not retried."""
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
    viewer = viewer_for(person)
    visible = meeting_visibility(meeting, viewer)
    attachments = []
    if kind in ("confirmed", "promoted", "meeting_cancelled"):
        attachments.append(
            (
                "meeting.ics",
                calendar_bytes([meeting], name=visible.title, viewer=viewer),
                "text/calendar",
            )
        )
    try:
        send_templated_mail(
            template_prefix,
            to=[person.email],
            context={
                "person": person,
                "registration": registration,
                "meeting": meeting,
                "visible": visible,
                "group": meeting.group,
            },
            language=person.language,
            attachments=attachments,
        )
    except Exception as exc:
        if is_transient_smtp_error(exc) and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc
        logger.warning("registration e-mail %s for %s failed: %s", kind, registration_id, exc)
        audit_log(
            actor=None,
            action="workinggroups.email.failed",
            obj=meeting,
            registration_id=registration_id,
            kind=kind,
            error=str(exc)[:500],
        )
        return False
    return True


@shared_task(
    acks_late=True,
    soft_time_limit=EXPORT_TIME_LIMIT_SECONDS - 60,
    time_limit=EXPORT_TIME_LIMIT_SECONDS,
)
def render_attendee_export(export_id: int) -> None:
    """Routed to the "pdf" queue (CELERY_TASK_ROUTES), so e-mail never waits behind a PDF."""
    from workinggroups.services import attendee_export_render

    attendee_export_render(export_id=export_id)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def delete_expired_attendee_exports() -> int:
    from workinggroups.services import attendee_exports_delete_expired

    return attendee_exports_delete_expired()
