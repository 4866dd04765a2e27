"""Logging in through the real forms: the admin has no login of its own, staff pass a second
factor in the very session that uses the admin, and failed logins are limited per client."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def _totp_for(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_member_logs_in_through_the_real_login_form(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _is_logged_in(client)
    assert client.get("/me/").status_code == 200


def test_wrong_password_on_the_login_form_is_refused_with_a_message(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not _is_logged_in(client)


def test_admin_login_form_never_logs_in_even_with_the_right_password(client, office_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    _totp_for(office_user)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": office_user.email, "password": PASSWORD}
    )
    # The admin's own form is gone: it sends to allauth's login, which asks for the code.
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not _is_logged_in(client)
    for url in ("/admin/", "/admin/members/user/", "/admin/workinggroups/meeting/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/"), url
        assert not _is_logged_in(client)


def test_staff_with_totp_reach_the_admin_only_after_the_code(client, office_user, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    secret = _totp_for(office_user)
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": office_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/authenticate/")
    assert not _is_logged_in(client)
    assert client.get("/admin/").status_code == 302  # password alone opens nothing

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200 and not _is_logged_in(client)

    response = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert response.status_code == 302 and _is_logged_in(client)
    assert client.get("/admin/").status_code == 200


def test_a_staff_session_without_the_second_factor_is_asked_for_it(client, office_user, settings):
    """TOTP set up after this session logged in with the password: the admin asks for the code
    now instead of trusting that a device exists."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    response = client.post("/accounts/login/", {"login": office_user.email, "password": PASSWORD})
    assert response.status_code == 302 and _is_logged_in(client)
    secret = _totp_for(office_user)

    response = client.get("/admin/members/user/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/reauthenticate/")
    assert client.get("/admin/").status_code == 302

    response = client.post(response.url, {"code": _code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/members/user/").status_code == 200


def test_the_eleventh_wrong_password_in_a_minute_is_refused(client):
    """Ten failures from one address in a minute (on ten accounts, so that the per-account
    limit does not kick in first); then even the right password is refused."""
    people = UserFactory.create_batch(11)
    for person in people[:10]:
        response = client.post("/accounts/login/", {"login": person.email, "password": "wrong"})
        assert response.status_code == 200 and not _is_logged_in(client)
    response = client.post("/accounts/login/", {"login": people[10].email, "password": PASSWORD})
    assert not _is_logged_in(client)
    assert response.status_code in (200, 429)
    if response.status_code == 200:
        errors = " ".join(response.context["form"].non_field_errors())
        assert "Anmeldeversuche" in errors or "login attempts" in errors


def _production_setting(name: str, **env: str) -> str:
    from tests.optonet.test_settings import PRODUCTION_ENV, _manage

    code = f"from django.conf import settings; print(settings.{name})"
    result = _manage("shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_trusted_proxy_count_is_configurable_and_one_in_production():
    assert _production_setting("ALLAUTH_TRUSTED_PROXY_COUNT") == "1"
    assert _production_setting("ALLAUTH_TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT="2") == "2"


def test_one_clients_failures_behind_the_proxy_do_not_lock_out_another(settings):
    """Behind production's trusted proxy, the client address comes from X-Forwarded-For."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = int(_production_setting("ALLAUTH_TRUSTED_PROXY_COUNT"))
    people = UserFactory.create_batch(11)
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for person in people[:10]:
        attacker.post("/accounts/login/", {"login": person.email, "password": "wrong"})
    locked = attacker.post("/accounts/login/", {"login": people[10].email, "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session, locked.status_code

    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = colleague.post("/accounts/login/", {"login": people[10].email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in colleague.session
