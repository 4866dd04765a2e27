"""Every write about people and organisations: sign-up completion, linking, consent, deletion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailings.rendering import render_templates
from mailings.services import NewMessage, outbox_enqueue
from members.models import (
    AuditEvent,
    Consent,
    LinkRequest,
    Organization,
    User,
)
from members.selectors import OFFICE_GROUP_NAME, is_office_staff, organization_for_email


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


def office_group_sync() -> Group:
    """The "Office" permission group holds every permission of the apps the office runs
    (`OFFICE_PERMISSION_APPS`); guards such as `may_administer_account` still apply."""
    group, _created = Group.objects.get_or_create(name=OFFICE_GROUP_NAME)
    permissions = Permission.objects.filter(
        content_type__app_label__in=settings.OFFICE_PERMISSION_APPS
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def person_complete_signup(
    *,
    user: User,
    title: str,
    first_name: str,
    last_name: str,
    job_title: str,
    function: str,
    language: str,
    organization: Organization | None,
    organization_name: str,
) -> User:
    """Store what the sign-up form asked, the privacy consent, and the wish to be linked.

    The link itself waits for a verified address (see `membership_link_after_verification`).
    """
    user.title = title
    user.first_name = first_name
    user.last_name = last_name
    user.job_title = job_title
    user.function = function
    user.language = language
    user.save()
    Consent.objects.create(
        user=user, kind=Consent.Kind.PRIVACY_POLICY, version=settings.PRIVACY_POLICY_VERSION
    )
    if organization is not None and not organization.is_active_member:
        raise ValidationError(
            _("This organisation is not an active member."), code="organization_not_active"
        )
    LinkRequest.objects.create(
        user=user,
        organization=organization,
        organization_name="" if organization else organization_name,
    )
    audit_log(actor=user, action="members.person.signed_up", obj=user)
    return user


@transaction.atomic
def membership_link_after_verification(*, user: User, email: str) -> bool:
    """Link a person at once when their verified address belongs to an active organisation.

    Returns whether the person is linked now. Other requests stay pending for the office.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.organization_id:
        return True
    organization = organization_for_email(email)
    if organization is None:
        return False
    user.organization = organization
    user.save(update_fields=["organization", "updated"])
    now = timezone.now()
    LinkRequest.objects.filter(user=user, state=LinkRequest.State.PENDING).update(
        state=LinkRequest.State.APPROVED,
        organization=organization,
        decided_at=now,
        decision_note="verified e-mail domain",
    )
    audit_log(
        actor=user,
        action="members.person.linked_by_domain",
        obj=user,
        organization=organization.name,
        email_domain=email.rsplit("@", 1)[-1].lower(),
    )
    return True


def _may_decide(actor: User, link_request: LinkRequest) -> bool:
    if is_office_staff(actor):
        return True
    return bool(
        actor.is_organization_coordinator
        and actor.is_member
        and link_request.organization_id
        and link_request.organization_id == actor.organization_id
    )


@transaction.atomic
def link_request_approve(
    *, link_request_id: int, actor: User, organization: Organization | None = None
) -> LinkRequest:
    """Approve a pending request; the office may pick the organisation for "not listed" ones."""
    # Lock order person → request, as in membership_link_after_verification.
    person_id = LinkRequest.objects.values_list("user_id", flat=True).get(pk=link_request_id)
    User.objects.select_for_update().filter(pk=person_id).first()
    link_request = (
        LinkRequest.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=link_request_id)
    )
    if not _may_decide(actor, link_request):
        raise PermissionDenied
    if link_request.state != LinkRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    target = organization or link_request.organization
    if target is None:
        raise ValidationError(
            _("Choose the organisation this person belongs to."), code="organization_required"
        )
    if not target.is_active_member:
        raise ValidationError(
            _("This organisation is not an active member."), code="organization_not_active"
        )
    person = User.objects.select_for_update().get(pk=link_request.user_id)
    person.organization = target
    person.save(update_fields=["organization", "updated"])
    link_request.organization = target
    link_request.state = LinkRequest.State.APPROVED
    link_request.decided_by = actor
    link_request.decided_at = timezone.now()
    link_request.save()
    audit_log(
        actor=actor,
        action="members.link_request.approved",
        obj=link_request,
        organization=target.name,
    )
    _notify_link_decision(link_request.pk)
    return link_request


@transaction.atomic
def link_request_reject(*, link_request_id: int, actor: User, note: str = "") -> LinkRequest:
    link_request = LinkRequest.objects.select_for_update().get(pk=link_request_id)
    if not _may_decide(actor, link_request):
        raise PermissionDenied
    if link_request.state != LinkRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    link_request.state = LinkRequest.State.REJECTED
    link_request.decided_by = actor
    link_request.decided_at = timezone.now()
    link_request.decision_note = note
    link_request.save()
    audit_log(actor=actor, action="members.link_request.rejected", obj=link_request)
    _notify_link_decision(link_request.pk)
    return link_request


def _notify_link_decision(link_request_id: int) -> None:
    """Tell the person how their request was decided (queued in this transaction)."""
    link_request = LinkRequest.objects.select_related("user", "organization").get(
        pk=link_request_id
    )
    person = link_request.user
    approved = link_request.state == LinkRequest.State.APPROVED
    outbox_enqueue(
        NewMessage(
            kind="members.link_approved" if approved else "members.link_rejected",
            to_email=person.email,
            language=person.language,
            recipient_id=person.pk,
            rendered=render_templates(
                "members/email/link_approved" if approved else "members/email/link_rejected",
                {"person": person, "link_request": link_request},
                language=person.language,
            ),
            dedup_key=f"members.link_decision:{link_request.pk}",
        )
    )


@transaction.atomic
def person_update_profile(*, user: User, actor: User, **fields: Any) -> User:
    allowed = {"title", "first_name", "last_name", "job_title", "function", "phone", "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "organization"])
    user.save()
    return user


@transaction.atomic
def person_delete(*, user: User, actor: User) -> None:
    """Erase a person through the privacy registry: every app removes or anonymises what it
    stores (future seats are released, past registrations stay as anonymous counts), the
    person's name and address are scrubbed from free text, and all their sessions end."""
    from optonet import privacy

    if actor.pk != user.pk and not is_office_staff(actor):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    by_self = actor.pk == user.pk
    privacy.erase_person(user)
    audit_log(
        actor=None, action="members.person.deleted", obj=None, user_id=user.pk, by_self=by_self
    )


def organization_membership_changed(*, organization: Organization, actor: User | None) -> int:
    """After the office changed an organisation's membership (status or end date): when it has
    ended, or ends at a set date, the apps registered in `members.lifecycle` withdraw what its
    people may no longer have (future seats). Returns how many things were withdrawn."""
    from members import lifecycle

    if organization.is_active_member and not organization.member_until:
        return 0
    withdrawn = lifecycle.run_membership_ended(organization_id=organization.pk, actor=actor)
    if withdrawn:
        audit_log(
            actor=actor,
            action="members.organization.membership_ended",
            obj=organization,
            withdrawn=withdrawn,
        )
    return withdrawn


def memberships_ended_by_date() -> int:
    """Nightly: memberships whose end date has passed take effect like an ended status."""
    today = timezone.localdate()
    ended = Organization.objects.filter(
        models.Q(status=Organization.Status.ENDED) | models.Q(member_until__lt=today)
    )
    return sum(organization_membership_changed(organization=o, actor=None) for o in ended)


def anonymise_expired_personal_data(*, now=None) -> int:
    """Retention: every app of the privacy registry anonymises what is older than the retention
    period (registrations of meetings long past keep status, attendance and organisation for
    the statistics, without the person)."""
    from optonet import privacy

    now = now or timezone.now()
    return privacy.expire_before(now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS))


@transaction.atomic
def link_request_create(
    *, user: User, organization: Organization | None, organization_name: str = ""
) -> LinkRequest:
    """A signed-up, unlinked person asks (again) to be linked; one pending request at a time."""
    if user.organization_id:
        raise ValidationError(
            _("You are already linked to an organisation."), code="already_linked"
        )
    if organization is not None and not organization.is_active_member:
        raise ValidationError(
            _("This organisation is not an active member."), code="organization_not_active"
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise double clicks
    existing = LinkRequest.objects.filter(user=user, state=LinkRequest.State.PENDING).first()
    if existing:
        existing.organization = organization
        existing.organization_name = "" if organization else organization_name.strip()
        existing.save(update_fields=["organization", "organization_name"])
        return existing
    return LinkRequest.objects.create(
        user=user,
        organization=organization,
        organization_name="" if organization else organization_name.strip(),
    )
