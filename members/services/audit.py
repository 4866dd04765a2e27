"""The audit trail: what the office needs to reconstruct later."""

from __future__ import annotations

from typing import Any

from django.db import models

from members.models import AuditEvent, User


def audit_log(
    *, actor: User | None, action: str, obj: models.Model | None = None, **data: Any
) -> AuditEvent:
    """Record what the office may need to reconstruct later."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        data=data,
    )
