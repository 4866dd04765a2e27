"""A person's own account: completing the sign-up, the profile, erasure, retention, roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Consent, LinkRequest, Organization, User
from members.selectors import OFFICE_GROUP_NAME, is_office_staff
from members.services.audit import audit_log


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


def anonymise_expired_personal_data(*, now=None) -> int:
    """Retention: every app of the privacy registry anonymises what is older than the retention
    period (registrations of meetings long past keep status, attendance and organisation for
    the statistics, without the person)."""
    from optonet import privacy

    now = now or timezone.now()
    return privacy.expire_before(now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS))
