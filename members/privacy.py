"""What `members` stores about a person, for the privacy registry (`optonet.privacy`).

Erasure runs last: it scrubs the person from the audit trail and the admin's history, ends
their sessions and deletes the person row (whose foreign keys cascade or are set to null).
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from members.models import AuditEvent, OfficeContact, User
from optonet.privacy import ERASED, PersonIdentity, register, rows_mentioning


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _audit_events_about(person: User):
    return AuditEvent.objects.filter(
        Q(actor=person)
        | Q(object_type="members.user", object_id=str(person.pk))
        | Q(data__user_id=person.pk)
        | Q(data__person_id=person.pk)
    )


def export(person: User) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    organization = person.organization
    return {
        "profile": {
            "email": person.email,
            "title": person.title,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "job_title": person.job_title,
            "function": person.function,
            "phone": person.phone,
            "language": person.language,
            "organization": organization.name if organization else None,
            "organisation_coordinator": person.is_organization_coordinator,
            "main_contact_for_the_association": person.is_main_contact,
            "recorded_by": person.source,
            "objected_to_email_at": _dt(person.objected_at),
            "date_joined": _dt(person.date_joined),
            "last_login": _dt(person.last_login),
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=person).order_by("email")
        ],
        "consents": [
            {
                "kind": c.kind,
                "version": c.version,
                "given_at": _dt(c.given_at),
                "withdrawn_at": _dt(c.withdrawn_at),
            }
            for c in person.consents.order_by("given_at")
        ],
        "link_requests": [
            {
                "organization": r.organization.name if r.organization_id else r.organization_name,
                "state": r.state,
                "requested_at": _dt(r.created_at),
                "decided_at": _dt(r.decided_at),
                "note": r.decision_note,
            }
            for r in person.link_requests.select_related("organization").order_by("created_at")
        ],
        # What the office's audit trail holds about the person or their own actions.
        "audit_records": [
            {
                "at": _dt(e.at),
                "action": e.action,
                "by_you": e.actor_id == person.pk,
                "object": e.object_repr,
                "data": e.data,
            }
            for e in _audit_events_about(person).order_by("at", "id")
        ],
        # Which second factors exist; never their secrets.
        "authenticators": [
            {"type": a.type, "created_at": _dt(a.created_at), "last_used_at": _dt(a.last_used_at)}
            for a in Authenticator.objects.filter(user=person).order_by("created_at")
        ],
    }


def _scrub_json_text(text: str, identity: PersonIdentity) -> str:
    try:
        return json.dumps(identity.scrub(json.loads(text)))
    except (TypeError, ValueError):
        return identity.scrub(text)


def _end_sessions(person_id: int) -> None:
    """Log the person out everywhere: delete every session that belongs to them."""
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(person_id):
            store(session_key=session.session_key).delete()


def erase(person: User, identity: PersonIdentity) -> None:
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    # The audit trail keeps what happened, not who it was about.
    AuditEvent.objects.filter(object_type="members.user", object_id=str(person.pk)).update(
        object_repr=ERASED
    )
    for event in rows_mentioning(
        AuditEvent.objects.all(), identity, "object_repr", json_field="data"
    ):
        event.object_repr = identity.scrub(event.object_repr)
        event.data = identity.scrub(event.data)
        event.save(update_fields=["object_repr", "data"])
    # Django's admin history names objects by their str(): the person's name.
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(person.pk)).update(
        object_repr=ERASED
    )
    for entry in rows_mentioning(LogEntry.objects.all(), identity, "object_repr", "change_message"):
        entry.object_repr = identity.scrub(entry.object_repr)
        entry.change_message = _scrub_json_text(entry.change_message, identity)
        entry.save(update_fields=["object_repr", "change_message"])
    OfficeContact.objects.filter(user=person).delete()
    _end_sessions(person.pk)
    person.delete()  # consents, link requests, addresses, authenticators cascade


def merge(keep: User, duplicate: User) -> None:
    """Consents, link requests, addresses, audit history and roles of `duplicate` become
    `keep`'s; `keep`'s details win, gaps are filled from `duplicate`; then `duplicate` goes."""
    from allauth.account.models import EmailAddress
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from members.models import Consent, LinkRequest, Organization

    Consent.objects.filter(user=duplicate).update(user=keep)
    if LinkRequest.objects.filter(user=keep, state=LinkRequest.State.PENDING).exists():
        LinkRequest.objects.filter(user=duplicate, state=LinkRequest.State.PENDING).delete()
    LinkRequest.objects.filter(user=duplicate).update(user=keep)
    known = {
        a.lower() for a in EmailAddress.objects.filter(user=keep).values_list("email", flat=True)
    }
    for address in EmailAddress.objects.filter(user=duplicate):
        if address.email.lower() in known:
            address.delete()
        else:
            address.user, address.primary = keep, False
            address.save(update_fields=["user", "primary"])
    AuditEvent.objects.filter(actor=duplicate).update(actor=keep)
    AuditEvent.objects.filter(object_type="members.user", object_id=str(duplicate.pk)).update(
        object_id=str(keep.pk), object_repr=str(keep)[:300]
    )
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(duplicate.pk)).update(
        object_id=str(keep.pk), object_repr=str(keep)[:200]
    )
    LogEntry.objects.filter(user=duplicate).update(user=keep)
    Organization.objects.filter(survey_contact=duplicate).update(survey_contact=keep)
    if not OfficeContact.objects.filter(user=keep).exists():
        OfficeContact.objects.filter(user=duplicate).update(user=keep)
    for name in ("title", "job_title", "phone"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    if keep.organization_id is None:
        keep.organization_id = duplicate.organization_id
    keep.is_main_contact = keep.is_main_contact or duplicate.is_main_contact
    keep.is_organization_coordinator = (
        keep.is_organization_coordinator or duplicate.is_organization_coordinator
    )
    if not keep.has_usable_password() and duplicate.has_usable_password():
        keep.password = duplicate.password  # the login the human actually uses
    keep.objected_at = keep.objected_at or duplicate.objected_at
    keep.save()
    _end_sessions(duplicate.pk)
    duplicate.delete()


def register_privacy() -> None:
    register("members", export=export, erase=erase, merge=merge, erase_order=1000)
