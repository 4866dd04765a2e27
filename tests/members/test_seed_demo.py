import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from members.models import OfficeContact, User
from workinggroups.models import Meeting, Registration, WorkingGroup

pytestmark = pytest.mark.django_db

PORTAL_MODELS = [
    "members.User",
    "members.Organization",
    "members.OrganizationDomain",
    "members.OfficeContact",
    "workinggroups.WorkingGroup",
    "workinggroups.Moderation",
    "workinggroups.Follow",
    "workinggroups.Meeting",
    "workinggroups.Registration",
    "account.EmailAddress",
    "auth.Group",
]


def _snapshot():
    """Every row of every seeded table, with all its values."""
    return {
        label: sorted(map(repr, apps.get_model(label).objects.values_list()))
        for label in PORTAL_MODELS
    }


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"


def test_seed_demo_twice_leaves_exactly_the_same_rows(debug_on):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_seed_demo_loads_the_four_working_groups_with_moderators_and_contacts(debug_on):
    call_command("seed_demo")
    groups = WorkingGroup.objects.prefetch_related("moderators").select_related("office_contact")
    assert groups.count() == 4
    assert set(groups.values_list("slug", flat=True)) == {
        "human-resources",
        "quality-sustainability",
        "international-sales",
        "corporate-management",
    }
    for group in groups:
        assert group.name_de and group.name_en and group.name_de != group.name_en
        assert group.goals_de and group.goals_en and group.topics_de and group.topics_en
        assert group.office_contact is not None
        assert group.moderators.count() >= 1
    contacts = {c.name: c for c in OfficeContact.objects.all()}
    assert contacts["Anke Siegmeier"].role_en == "Managing Director"
    hr = groups.get(slug="human-resources")
    assert hr.office_contact.name == "Natalja Bajkovski"
    assert [m.email for m in hr.moderators.all()] == ["moderator@demo.optonet.example"]
    corporate = groups.get(slug="corporate-management")
    assert corporate.confidential and corporate.join_policy == "approval"


def test_seed_demo_creates_the_three_demo_accounts_that_can_log_in(debug_on, client):
    call_command("seed_demo")
    office = User.objects.get(email="office@demo.optonet.example")
    assert office.is_staff and office.groups.filter(name="Office").exists()
    member = User.objects.get(email="member@demo-photonics.example")
    assert member.is_member and member.organization.name == "Demo Photonics GmbH"
    for email in (
        "office@demo.optonet.example",
        "moderator@demo.optonet.example",
        "member@demo-photonics.example",
    ):
        response = client.post(
            "/accounts/login/", {"login": email, "password": "demo-password-for-tests"}
        )
        assert response.status_code == 302, email
        client.post("/accounts/logout/")


def test_seed_demo_has_upcoming_meetings_and_a_waiting_list(debug_on):
    call_command("seed_demo")
    assert Meeting.objects.filter(status=Meeting.Status.PUBLISHED).count() >= 4
    for meeting in Meeting.objects.exclude(capacity=None):
        confirmed = meeting.registrations.filter(status=Registration.Status.CONFIRMED).count()
        assert confirmed <= meeting.capacity
    assert Registration.objects.filter(status=Registration.Status.WAITLISTED).exists()


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
