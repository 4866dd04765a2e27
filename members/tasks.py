"""Thin Celery tasks of the members app: load by id, call a service or send one e-mail."""

from __future__ import annotations

from celery import shared_task

from members import services
from members.models import LinkRequest
from optonet.mail import is_transient_smtp_error, retry_delay, send_templated_mail


@shared_task(bind=True, max_retries=8, acks_late=True, soft_time_limit=60, time_limit=90)
def send_link_decision_email(self, link_request_id: int) -> None:
    """Tell the person how their link request was decided; transient SMTP errors retry."""
    link_request = (
        LinkRequest.objects.select_related("user", "organization")
        .filter(pk=link_request_id)
        .first()
    )
    if link_request is None or link_request.state == LinkRequest.State.PENDING:
        return
    person = link_request.user
    prefix = (
        "members/email/link_approved"
        if link_request.state == LinkRequest.State.APPROVED
        else "members/email/link_rejected"
    )
    try:
        send_templated_mail(
            prefix,
            to=[person.email],
            context={"person": person, "link_request": link_request},
            language=person.language,
        )
    except Exception as exc:
        if is_transient_smtp_error(exc) and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc
        services.audit_log(
            actor=None, action="members.email.failed", obj=link_request, error=str(exc)[:500]
        )


@shared_task(acks_late=True, soft_time_limit=600, time_limit=900)
def anonymise_expired_personal_data() -> int:
    return services.anonymise_expired_personal_data()


@shared_task(acks_late=True, soft_time_limit=600, time_limit=900)
def apply_ended_memberships() -> int:
    return services.memberships_ended_by_date()
