from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class ResultsSummaryForm(forms.Form):
    results_summary = forms.CharField(
        label=_("Summary of results"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Visible to the group's followers who are members, never to the public."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, PowerPoint, Word, Excel, images; at most 20 MB.")
    )


class WorkspaceActionForm(forms.Form):
    """Which of the workspace page's forms was sent."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("attendance", "summary", "upload", "delete_document")]
    )


class AttendanceForm(forms.Form):
    """One choice per confirmed attendee (`attendance-<registration id>`). Only the rows that
    were sent are recorded, so a partial form changes nothing else. Before the day of the
    meeting nothing is recorded (`may_record_attendance`)."""

    PREFIX = "attendance-"

    def __init__(self, *args, meeting, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        from workinggroups.models import Registration

        self.meeting = meeting
        for registration in registrations:
            self.fields[f"{self.PREFIX}{registration.pk}"] = forms.ChoiceField(
                choices=Registration.Attendance.choices, required=False
            )

    def clean(self):
        from workinggroups.selectors.workspace import attendance_opens_on, may_record_attendance

        cleaned = super().clean()
        if not may_record_attendance(self.meeting):
            raise forms.ValidationError(
                _("Attendance can be recorded from the day of the meeting on (%(date)s).")
                % {"date": date_format(attendance_opens_on(self.meeting), "DATE_FORMAT")},
                code="attendance_not_open",
            )
        return cleaned

    def attendance(self) -> dict[int, str]:
        return {
            int(name.removeprefix(self.PREFIX)): value
            for name, value in self.cleaned_data.items()
            if name in self.data
        }


class DocumentDeleteForm(forms.Form):
    document = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = meeting.documents.all()
