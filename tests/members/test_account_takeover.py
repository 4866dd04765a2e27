"""Office staff cannot take over a more privileged account through any admin page: not by
changing its login address, adding a verified address, setting its password, or touching its
authenticators."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from members.models import User
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["superuser", "staff"])
def privileged(request):
    if request.param == "superuser":
        user = User.objects.create_superuser(email="boss@optonet.example", password="x" * 16)
    else:
        user = UserFactory(email="colleague@optonet.example", organization=None, is_staff=True)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def test_office_cannot_change_the_login_address_of_a_privileged_account(staff_client, privileged):
    address = EmailAddress.objects.get(user=privileged)
    url = f"/admin/account/emailaddress/{address.pk}/change/"
    response = staff_client.post(
        url,
        {
            "user": privileged.pk,
            "email": "takeover@attacker.example",
            "verified": "on",
            "primary": "on",
        },
    )
    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == privileged.email
    assert (
        staff_client.post(
            f"/admin/account/emailaddress/{address.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert EmailAddress.objects.filter(pk=address.pk).exists()


def test_office_cannot_add_a_verified_address_to_a_privileged_account(staff_client, privileged):
    response = staff_client.post(
        "/admin/account/emailaddress/add/",
        {
            "user": privileged.pk,
            "email": "takeover@attacker.example",
            "verified": "on",
            "primary": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error next to the field
    assert "user" in response.context["adminform"].form.errors
    assert not EmailAddress.objects.filter(email="takeover@attacker.example").exists()


def test_office_cannot_set_the_password_of_a_privileged_account(staff_client, privileged):
    before = User.objects.get(pk=privileged.pk).password
    response = staff_client.post(
        f"/admin/members/user/{privileged.pk}/password/",
        {"password1": "attacker-chosen-pw-1", "password2": "attacker-chosen-pw-1"},
    )
    assert response.status_code == 403
    assert User.objects.get(pk=privileged.pk).password == before


def test_office_cannot_change_or_delete_a_privileged_accounts_authenticators(
    staff_client, privileged, office_user
):
    from django.contrib.auth.models import Permission

    # Even if the office group were given the permissions, the rows stay out of reach.
    office_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="mfa"))
    authenticator = Authenticator.objects.create(
        user=privileged, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    url = f"/admin/mfa/authenticator/{authenticator.pk}/"
    assert staff_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert (
        staff_client.post(
            f"{url}change/", {"user": privileged.pk, "type": "totp", "data": "{}"}
        ).status_code
        == 403
    )
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_office_cannot_mark_addresses_verified_in_bulk(staff_client, privileged):
    address = EmailAddress.objects.create(
        user=privileged, email="second@attacker.example", verified=False, primary=False
    )
    staff_client.post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    address.refresh_from_db()
    assert not address.verified


def test_office_still_manages_the_addresses_of_members(staff_client, member):
    address = EmailAddress.objects.get(user=member)
    response = staff_client.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {
            "user": member.pk,
            "email": "new@demo-photonics.example",
            "verified": "on",
            "primary": "on",
        },
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.email == "new@demo-photonics.example"
