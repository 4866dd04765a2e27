"""Thin tasks of the outbox: deliver what is due; sweep up after lost tasks and dead workers."""

from __future__ import annotations

import time

from celery import shared_task

from mailings import services

# A task delivers for at most this long, then hands over to a fresh task: time limits stay
# short, and a long campaign does not pin a worker.
DELIVERY_BUDGET_SECONDS = 50


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def deliver_outbox() -> int:
    """Deliver due messages batch after batch; idempotent (rows are claimed under a lease)."""
    started = time.monotonic()
    delivered = 0
    while time.monotonic() - started < DELIVERY_BUDGET_SECONDS:
        claimed = services.outbox_deliver()
        if not claimed:
            return delivered
        delivered += claimed
    deliver_outbox.delay()  # more is due: continue in a fresh task
    return delivered


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_outbox() -> dict:
    return services.outbox_sweep()
