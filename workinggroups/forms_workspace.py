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
