"""django-allauth hooks: after a verified address, link the person to their organisation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from members import services


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed or email_address.verified:
            services.membership_link_after_verification(
                user=email_address.user, email=email_address.email
            )
        return confirmed

    def get_login_redirect_url(self, request) -> str:
        return super().get_login_redirect_url(request)
