"""Thin Celery tasks of the members app: nightly jobs that call a service."""

from __future__ import annotations

from celery import shared_task

from members import services


@shared_task(acks_late=True, soft_time_limit=600, time_limit=900)
def anonymise_expired_personal_data() -> int:
    return services.anonymise_expired_personal_data()


@shared_task(acks_late=True, soft_time_limit=600, time_limit=900)
def apply_ended_memberships() -> int:
    return services.memberships_ended_by_date()
