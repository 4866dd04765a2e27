"""Linking people to organisations: by domain, by the office, by a coordinator."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from members import services
from members.models import LinkRequest, OrganizationDomain
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_domain_belongs_to_one_organisation_only():
    OrganizationDomainFactory(domain="optik.example")
    with pytest.raises(IntegrityError):
        OrganizationDomain.objects.create(
            organization=OrganizationFactory(), domain="optik.example"
        )


def test_domain_of_an_ended_organisation_does_not_link(db):
    org = OrganizationFactory(status="ended")
    OrganizationDomainFactory(organization=org, domain="alt.example")
    person = UserFactory(email="a@alt.example", organization=None)
    assert services.membership_link_after_verification(user=person, email=person.email) is False
    person.refresh_from_db()
    assert person.organization is None


def test_office_approves_a_request_and_the_person_is_told(
    office_user, django_capture_on_commit_callbacks
):
    org = OrganizationFactory()
    person = UserFactory(organization=None, language="en")
    request = LinkRequest.objects.create(user=person, organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        services.link_request_approve(link_request_id=request.pk, actor=office_user)
    person.refresh_from_db()
    assert person.organization == org and person.is_member
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == office_user
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]


def test_office_rejects_a_request_and_the_person_is_told(
    office_user, django_capture_on_commit_callbacks
):
    person = UserFactory(organization=None)
    request = LinkRequest.objects.create(user=person, organization_name="Unbekannt AG")
    with django_capture_on_commit_callbacks(execute=True):
        services.link_request_reject(link_request_id=request.pk, actor=office_user)
    person.refresh_from_db()
    assert person.organization is None
    assert LinkRequest.objects.get(pk=request.pk).state == "rejected"
    assert len(mail.outbox) == 1


def test_admin_action_approves_pending_requests(staff_client):
    org = OrganizationFactory()
    request = LinkRequest.objects.create(user=UserFactory(organization=None), organization=org)
    response = staff_client.post(
        "/admin/members/linkrequest/",
        {
            "action": "approve",
            "_selected_action": [request.pk],
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "approved"
    assert request.user.organization == org


def test_coordinator_approves_a_colleague_but_not_someone_of_another_organisation(client):
    org = OrganizationFactory()
    coordinator = UserFactory(organization=org, is_organization_coordinator=True)
    colleague = LinkRequest.objects.create(user=UserFactory(organization=None), organization=org)
    stranger = LinkRequest.objects.create(
        user=UserFactory(organization=None), organization=OrganizationFactory()
    )
    client.force_login(coordinator)
    page = client.get("/me/organisation/")
    assert page.status_code == 200
    assert colleague.user.email in page.content.decode()
    assert stranger.user.email not in page.content.decode()

    client.post(f"/me/organisation/requests/{colleague.pk}/", {"decision": "approve"})
    colleague.refresh_from_db()
    assert colleague.state == "approved" and colleague.user.organization == org

    response = client.post(f"/me/organisation/requests/{stranger.pk}/", {"decision": "approve"})
    assert response.status_code == 403
    stranger.refresh_from_db()
    assert stranger.state == "pending"


def test_a_decided_request_cannot_be_decided_again(office_user):
    request = LinkRequest.objects.create(
        user=UserFactory(organization=None), organization=OrganizationFactory()
    )
    services.link_request_reject(link_request_id=request.pk, actor=office_user)
    with pytest.raises(ValidationError) as error:
        services.link_request_approve(link_request_id=request.pk, actor=office_user)
    assert error.value.code == "already_decided"
