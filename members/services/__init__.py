"""Every write about people and organisations, a module per area; everything is importable
from here."""

from members.services.audit import audit_log
from members.services.contacts import (
    contact_create,
    contact_send_activation,
    person_activate,
    person_object,
    privacy_accept,
    signup_claim_complete,
    signup_claim_create,
)
from members.services.linking import (
    link_request_approve,
    link_request_create,
    link_request_reject,
    membership_link_after_verification,
)
from members.services.merge import person_merge
from members.services.organizations import (
    memberships_ended_by_date,
    organization_membership_changed,
)
from members.services.people import (
    anonymise_expired_personal_data,
    office_group_sync,
    person_complete_signup,
    person_delete,
    person_update_profile,
)

__all__ = [
    "contact_create",
    "contact_send_activation",
    "person_activate",
    "person_merge",
    "person_object",
    "privacy_accept",
    "signup_claim_complete",
    "signup_claim_create",
    "anonymise_expired_personal_data",
    "audit_log",
    "link_request_approve",
    "link_request_create",
    "link_request_reject",
    "membership_link_after_verification",
    "memberships_ended_by_date",
    "office_group_sync",
    "organization_membership_changed",
    "person_complete_signup",
    "person_delete",
    "person_update_profile",
]
