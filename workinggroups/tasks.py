"""Thin Celery tasks: take ids, load, call a service. E-mail is sent by the outbox's tasks."""

from __future__ import annotations

from celery import shared_task

from workinggroups.services.exports import EXPORT_TIME_LIMIT_SECONDS


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


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def send_meeting_reminders() -> int:
    from workinggroups.services.notifications import reminders_send_due

    return reminders_send_due()


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def send_moderator_digests() -> int:
    from workinggroups.services.notifications import moderator_digests_send

    return moderator_digests_send()
