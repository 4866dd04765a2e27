"""Accessible names for the inputs that Django's admin renders without a label of their own.

A tabular inline puts its inputs under column headers, and a date-time field's date and time
inputs share one label that belongs to neither; a screen reader then announces a bare "edit
text". Each such input gets its field's label as `aria-label`, in the language of the request.
"""

from __future__ import annotations

from django.contrib import admin
from django.forms import MultiWidget
from django.utils.text import capfirst
from django.utils.translation import gettext

# What each of a date-time field's two inputs holds, in the order Django renders them.
_SPLIT_PARTS = (lambda: gettext("date"), lambda: gettext("time"))


class LabelledInputsMixin:
    """For a ModelAdmin or an inline: every input it renders carries an accessible name."""

    label_every_input = False  # True for tabular inlines, whose inputs have no <label>

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None:
            return None
        label = str(capfirst(db_field.verbose_name))
        # A foreign key's select is wrapped in the admin's add/change link widget.
        widget = getattr(formfield.widget, "widget", formfield.widget)
        if isinstance(widget, MultiWidget):
            for part, name in zip(widget.widgets, _SPLIT_PARTS, strict=False):
                part.attrs["aria-label"] = f"{label}: {name()}"
        elif self.label_every_input:
            widget.attrs.setdefault("aria-label", label)
        return formfield


class LabelledTabularInline(LabelledInputsMixin, admin.TabularInline):
    label_every_input = True
