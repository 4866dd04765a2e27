"""Reads of the outbox."""

from __future__ import annotations

from django.db.models import Count

from mailings.models import OutboxMessage


def batch_progress(batch: str) -> dict[str, int]:
    """How far a batch (a campaign) has come: number of messages per state, every state."""
    counts = dict(
        OutboxMessage.objects.filter(batch=batch)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in OutboxMessage.State.values}


def batch_failures(batch: str, limit: int = 200):
    return (
        OutboxMessage.objects.filter(
            batch=batch, state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.UNCERTAIN]
        )
        .only("id", "to_email", "state", "last_error", "attempts")
        .order_by("id")[:limit]
    )
