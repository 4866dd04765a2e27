"""Moments in a membership that other apps must act on, as a small registry.

`members` sits below the apps that hold registrations, so it cannot call them. Each app
registers what it does when an organisation's membership ends (in its `AppConfig.ready()`), and
`members` runs the registry when the office ends a membership and every night for memberships
that ran out by date.
"""

from __future__ import annotations

from collections.abc import Callable

MembershipEndedHandler = Callable[..., int]
_membership_ended: list[MembershipEndedHandler] = []


def on_membership_ended(handler: MembershipEndedHandler) -> MembershipEndedHandler:
    """Register `handler(*, organization_id, actor)`; it must be idempotent."""
    if handler not in _membership_ended:
        _membership_ended.append(handler)
    return handler


def run_membership_ended(*, organization_id: int, actor) -> int:
    return sum(
        handler(organization_id=organization_id, actor=actor) for handler in _membership_ended
    )
