"""Forms of the office's admin pages that are not model forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Function


class InvitationAudienceForm(forms.Form):
    followers = forms.BooleanField(
        label=_("Every active follower of the working group"), required=False, initial=True
    )
    functions = forms.MultipleChoiceField(
        label=_("Also all people of member organisations with these functions"),
        choices=Function.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("followers") and not cleaned.get("functions"):
            raise forms.ValidationError(_("Choose the followers, a function, or both."))
        return cleaned
