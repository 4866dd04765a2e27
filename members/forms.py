from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import Function, Language, Organization, User
from members.selectors import active_organizations, organization_for_email


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (allauth adds e-mail and password).

    A person whose address belongs to a member organisation need not choose one: the address
    decides once it is confirmed (`services.membership_link_after_verification`).
    """

    title = forms.CharField(
        label=_("Title"),
        max_length=40,
        required=False,
        help_text=_("e.g. Dr."),
        widget=forms.TextInput(attrs={"autocomplete": "honorific-prefix"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— please choose —"),
        help_text=_(
            "Not needed if your e-mail address belongs to a member organisation: the portal "
            "then takes the organisation from the address. Otherwise choose the OptoNet member "
            "organisation you work for."
        ),
        widget=forms.Select(attrs={"autocomplete": "organization"}),
    )
    organization_not_listed = forms.BooleanField(
        label=_("My organisation is not listed"), required=False
    )
    organization_name = forms.CharField(
        label=_("Name of your organisation"),
        max_length=200,
        required=False,
        help_text=_("Only if your organisation is not listed; the office will check it."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    job_title = forms.CharField(
        label=_("Job title"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    # Required, as on the person (no blank); nobody should end up in a function by default.
    function = forms.ChoiceField(
        label=_("Function"),
        choices=[("", _("— please choose —")), *Function.choices],
        error_messages={"required": _("Please choose your function.")},
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    privacy_consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please agree to the privacy policy to sign up.")},
    )

    field_order = [
        "email",
        "password1",
        "password2",
        "title",
        "first_name",
        "last_name",
        "organization",
        "organization_not_listed",
        "organization_name",
        "job_title",
        "function",
        "language",
        "privacy_consent",
    ]
    # How the sign-up page groups the fields: (legend, field names, mark optional fields).
    # Fields not named here (the consent) follow the groups.
    fieldsets = (
        (_("Your login"), ("email", "password1", "password2"), False),
        (
            _("About you"),
            ("title", "first_name", "last_name", "job_title", "function", "language"),
            True,
        ),
        (
            _("Your organisation"),
            ("organization", "organization_not_listed", "organization_name"),
            False,
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = active_organizations()
        self.fields["language"].initial = _page_language()
        self.fields["privacy_consent"].label = format_html(
            _(
                'I have read the <a href="{url}">privacy policy</a> and agree that OptoNet e.V. '
                "processes my data as described there."
            ),
            url=reverse("privacy"),
        )

    def grouped_fields(self) -> list[tuple[str, list, bool]]:
        """(legend, bound fields, mark optional) for each group; the last has no legend."""
        named = {name for _legend, names, _optional in self.fieldsets for name in names}
        groups = [
            (legend, [self[name] for name in names if name in self.fields], optional)
            for legend, names, optional in self.fieldsets
        ]
        groups.append(("", [self[name] for name in self.fields if name not in named], False))
        return [group for group in groups if group[1]]

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization")
        not_listed = cleaned.get("organization_not_listed")
        name = (cleaned.get("organization_name") or "").strip()
        email = cleaned.get("email")
        if organization and not_listed:
            self.add_error(
                "organization_not_listed",
                _("Either choose an organisation or tick this box, not both."),
            )
        elif not_listed and not name:
            self.add_error("organization_name", _("Please name your organisation."))
        elif (
            not organization
            and not not_listed
            and "organization" not in self.errors
            # An address of a member organisation names it: no choice needed. Who is linked
            # to what stays the rule of the confirmed address.
            and not (email and organization_for_email(email))
        ):
            self.add_error("organization", _("Please choose your organisation."))
        cleaned["organization_name"] = name
        return cleaned

    def signup(self, request, user: User) -> None:
        data = self.cleaned_data
        services.person_complete_signup(
            user=user,
            title=data.get("title", ""),
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data.get("job_title", ""),
            function=data["function"],
            language=data["language"],
            organization=self.requested_organization(),
            organization_name=data.get("organization_name", ""),
        )

    def requested_organization(self) -> Organization | None:
        """The organisation the person asks to be linked to: the one chosen, else the member
        organisation the address belongs to; none when they named one that is not listed.
        Asking is all the sign-up does: the link waits for the confirmed address."""
        data = self.cleaned_data
        if data.get("organization_not_listed"):
            return None
        if data.get("organization"):
            return data["organization"]
        email = data.get("email")
        return organization_for_email(email) if email else None


def _page_language() -> str:
    """The language the page is shown in, as one of the portal's languages."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in Language.values else Language.DE


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["title", "first_name", "last_name", "job_title", "function", "phone", "language"]


class DeleteAccountForm(forms.Form):
    confirm_email = forms.EmailField(
        label=_("Type your e-mail address to confirm"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self):
        value = self.cleaned_data["confirm_email"].strip().lower()
        if value != self.user.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."))
        return value


class LinkRequestForm(forms.Form):
    """For a signed-up person who is not linked yet and wants to (re)apply."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— please choose —"),
    )
    organization_name = forms.CharField(
        label=_("or: name of your organisation, if not listed"), max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = active_organizations()

    def clean(self):
        cleaned = super().clean()
        named = (cleaned.get("organization_name") or "").strip()
        if not cleaned.get("organization") and not named and "organization" not in self.errors:
            raise forms.ValidationError(_("Choose your organisation or name it."))
        return cleaned


class PrivacyConsentField(forms.BooleanField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_(
                "I have read the privacy policy and agree that OptoNet e.V. processes my data "
                "as described there."
            ),
            required=True,
            error_messages={"required": _("Please agree to the privacy policy to continue.")},
            **kwargs,
        )


class ActivationForm(forms.Form):
    """A contact sets the password of their first login (and accepts the privacy policy)."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    privacy_consent = PrivacyConsentField()

    def __init__(self, *args, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password2(self):
        from django.contrib.auth import password_validation

        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("You must type the same password each time."))
        if second:
            password_validation.validate_password(second, self.person)
        return second


class PrivacyAcceptForm(forms.Form):
    privacy_consent = PrivacyConsentField()


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
