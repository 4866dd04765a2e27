"""Small forms shared by several apps."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """Approve or decline a request (to be linked, to join a group)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages={"invalid_choice": _("Unknown decision.")},
    )
