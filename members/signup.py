"""allauth's sign-up form, labelled like the portal's other forms, with one addition: a
sign-up with the address of a contact without a login does not end in "an account already
exists" but takes the contact over once the e-mailed link proves the address (see
`services.signup_claim_create`). The page looks the same either way, so nobody learns from it
whether an address is known."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal import flows
from django.utils.translation import gettext_lazy as _

from members import selectors, services


class PortalSignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        # Every field has a visible label; a placeholder repeating it looks like a filled field.
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)

    def try_save(self, request):
        email = self.cleaned_data.get("email")
        contact = selectors.claimable_contact(email) if self.account_already_exists else None
        if contact is None:
            return super().try_save(request)
        data = self.cleaned_data
        organization = self.requested_organization()
        services.signup_claim_create(
            person=contact,
            data={
                "title": data.get("title", ""),
                "first_name": data.get("first_name", ""),
                "last_name": data.get("last_name", ""),
                "job_title": data.get("job_title", ""),
                "function": data.get("function", ""),
                "language": data.get("language", ""),
                "organization_id": organization.pk if organization else None,
                "organization_name": data.get("organization_name", ""),
            },
            raw_password=data["password1"],
        )
        request._portal_claim_sent_to = email.lower()  # instead of "account exists"
        return None, flows.signup.prevent_enumeration(request, email=email)
