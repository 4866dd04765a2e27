from django import forms
from django.utils.translation import gettext_lazy as _

from workinggroups.models import Meeting, Registration


class RegistrationForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("I will attend"),
        choices=Registration.Mode.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    list_consent = forms.BooleanField(
        label=_("Show my name and organisation to the other registered attendees"),
        required=False,
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        if meeting.format != Meeting.Format.HYBRID:
            del self.fields["mode"]
        else:
            self.fields["mode"].required = True
            self.fields["mode"].initial = Registration.Mode.ON_SITE

    def clean_mode(self):
        return self.cleaned_data.get("mode") or Registration.Mode.ON_SITE
