"""What the outbox stores about a person, for the privacy registry (`optonet.privacy`):
the e-mails sent to them. Erasure removes the address and the personal text of their messages
(and their name from messages to others, such as a moderator's list of requests); what is still
queued for them is not sent."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from mailings.models import OutboxMessage
from optonet.privacy import PersonIdentity, register, rows_mentioning


def _theirs(person) -> Q:
    return Q(recipient=person) | Q(to_email__iexact=person.email)


def export(person) -> dict[str, Any]:
    return {
        "emails_sent_to_you": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "state": m.state,
                "queued_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in OutboxMessage.objects.filter(_theirs(person)).order_by("created_at", "id")
        ]
    }


def erase(person, identity: PersonIdentity) -> None:
    OutboxMessage.objects.filter(_theirs(person)).filter(state=OutboxMessage.State.QUEUED).update(
        state=OutboxMessage.State.CANCELLED, last_error="recipient erased"
    )
    OutboxMessage.objects.filter(_theirs(person)).update(
        recipient=None,
        to_email="",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
        headers={},
        params={},
        dedup_key=None,
    )
    mentioning = rows_mentioning(
        OutboxMessage.objects.all(), identity, "subject", "body_text", "body_html", "last_error"
    )
    for message in mentioning:
        for name in ("subject", "body_text", "body_html", "last_error"):
            setattr(message, name, identity.scrub(getattr(message, name)))
        message.save(update_fields=["subject", "body_text", "body_html", "last_error"])


def merge(keep, duplicate) -> None:
    """What was sent to the duplicate record was sent to the same human."""
    OutboxMessage.objects.filter(recipient=duplicate).update(recipient=keep)


def register_privacy() -> None:
    register("mailings", export=export, erase=erase, merge=merge, erase_order=200)
