from django import forms
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
    were sent are recorded, so a partial form changes nothing else."""

    PREFIX = "attendance-"

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        from workinggroups.models import Registration

        for registration in registrations:
            self.fields[f"{self.PREFIX}{registration.pk}"] = forms.ChoiceField(
                choices=Registration.Attendance.choices, required=False
            )

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
